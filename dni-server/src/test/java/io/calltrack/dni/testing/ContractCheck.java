package io.calltrack.dni.testing;

import io.calltrack.dni.openapi.ApiContract;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.ResponseValidatorImpl;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Checks a real answer of dni-server against {@code openapi.json}: the operation exists, the status
 * is one it documents, the content type is one it lists, and a JSON body matches the schema (Vert.x
 * OpenAPI's response validator). {@link DniClient} runs it on every answer it receives, so every API
 * test also tests the document. Answers to paths the document does not have must be 404/405 errors.
 */
public final class ContractCheck {
  private static volatile ContractCheck instance;
  /** Operations whose answers were checked in this JVM ("GET /v1/pools/{poolId} 200"). */
  public static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

  private final OpenAPIContract contract;
  private final JsonObject document;
  private final ResponseValidatorImpl validator;

  private ContractCheck(Vertx vertx, ApiContract api) {
    this.contract = api.contract();
    this.document = new JsonObject(api.document());
    this.validator = new ResponseValidatorImpl(vertx, contract);
  }

  public static ContractCheck get(Vertx vertx) {
    if (instance == null) {
      synchronized (ContractCheck.class) {
        if (instance == null) {
          try {
            instance = new ContractCheck(vertx, ApiContract.load(vertx).await(60, TimeUnit.SECONDS));
          } catch (Exception e) {
            throw new AssertionError("openapi.json does not load", e);
          }
        }
      }
    }
    return instance;
  }

  /** Throws an AssertionError naming what does not match. */
  public void check(HttpMethod method, String uri, int status, String contentType, Buffer body) {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    boolean head = method == HttpMethod.HEAD;
    // HEAD is every GET's, answered as the GET is, without the body (openapi.json lists the GETs)
    Operation op = contract.findOperation(path, head ? HttpMethod.GET : method);
    String what = method.name() + " " + path + " -> " + status;
    if (head && body != null && body.length() > 0) {
      throw new AssertionError(what + ": a body after HEAD");
    }
    if (op == null) {
      if (status != 404 && status != 405 && status != 401) {
        throw new AssertionError(what + ": no such operation in openapi.json");
      }
      if (!head) {
        checkError(what, contentType, body);
      }
      return;
    }
    Response response = op.getResponse(status) != null ? op.getResponse(status) : op.getDefaultResponse();
    if (response == null) {
      throw new AssertionError(what + ": status not documented for " + op.getOperationId());
    }
    if (head) {
      return;
    }
    String checked = op.getHttpMethod().name() + " " + op.getOpenAPIPath() + " " + status;
    if (CHECKED.add(checked)) {
      record(checked);
    }
    JsonObject declared = declaredContent(op, status);
    boolean hasBody = body != null && body.length() > 0;
    if (declared == null || declared.isEmpty()) {
      if (hasBody && status != 304) {
        throw new AssertionError(what + ": a body where openapi.json documents none");
      }
      return;
    }
    if (!hasBody) {
      throw new AssertionError(what + ": no body where openapi.json documents " + declared.fieldNames());
    }
    String media = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!declared.containsKey(media)) {
      throw new AssertionError(what + ": content type " + contentType + " is not one of " + declared.fieldNames());
    }
    if (media.equals("application/json")) {
      try {
        validator.validateBody(response, ValidatableResponse.create(status, body, "application/json"));
      } catch (SchemaValidationException e) {
        throw new AssertionError(what + ": the body does not match openapi.json: " + e.getMessage() + " "
            + e.getOutputUnit().toJson().encode() + "\nbody: " + clip(body), e);
      } catch (ValidatorException e) {
        throw new AssertionError(what + ": " + e.getMessage() + "\nbody: " + clip(body), e);
      }
    }
  }

  /** Appends to target/openapi-checked.txt what this JVM has checked, for a coverage report of the suite. */
  private static synchronized void record(String checked) {
    try {
      java.nio.file.Path file = java.nio.file.Path.of("target", "openapi-checked.txt");
      if (java.nio.file.Files.isDirectory(file.getParent())) {
        java.nio.file.Files.writeString(file, checked + "\n", java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
    } catch (java.io.IOException e) {
      // a report only: the check itself has passed
    }
  }

  /** The content the full document (with CSV, HTML, script types) lists for this answer. */
  private JsonObject declaredContent(Operation op, int status) {
    JsonObject responses = document.getJsonObject("paths").getJsonObject(op.getOpenAPIPath())
        .getJsonObject(op.getHttpMethod().name().toLowerCase(Locale.ROOT)).getJsonObject("responses");
    JsonObject r = responses.getJsonObject(String.valueOf(status), responses.getJsonObject("default"));
    if (r.containsKey("$ref")) {
      String name = r.getString("$ref").substring("#/components/responses/".length());
      r = document.getJsonObject("components").getJsonObject("responses").getJsonObject(name);
    }
    return r.getJsonObject("content");
  }

  private static void checkError(String what, String contentType, Buffer body) {
    if (contentType == null || !contentType.startsWith("application/json")) {
      throw new AssertionError(what + ": an error that is not JSON");
    }
    JsonObject json = new JsonObject(body);
    if (json.getString("error") == null || json.getString("detail") == null) {
      throw new AssertionError(what + ": an error without {error, detail}: " + json.encode());
    }
  }

  private static String clip(Buffer body) {
    String s = body.toString();
    return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
  }
}
