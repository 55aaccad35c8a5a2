package io.calltrack.dni.openapi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP API's contract: {@code openapi.json} (OpenAPI 3.1, a classpath resource of this module),
 * served as it is at {@code GET /openapi.json} and loaded with Vert.x's OpenAPI support to check
 * requests ({@link RequestCheck}) and, in the tests, every response.
 *
 * <p>Vert.x OpenAPI 5.0 refuses a contract that names media types it cannot parse ({@code text/csv},
 * {@code text/html}, {@code application/javascript}). The document keeps them, because that is what
 * the API sends and takes; the copy given to Vert.x leaves them out ({@link #checkable}), and the
 * endpoints check CSV bodies themselves (row by row, with row numbers).
 */
public final class ApiContract {
  public static final String RESOURCE = "/openapi.json";

  private final Buffer document;
  private final JsonObject whole;
  private final OpenAPIContract contract;

  private ApiContract(Buffer document, JsonObject whole, OpenAPIContract contract) {
    this.document = document;
    this.whole = whole;
    this.contract = contract;
  }

  /** Reads and resolves the document (its $refs) on a worker. */
  public static Future<ApiContract> load(Vertx vertx) {
    Buffer document = read();
    JsonObject json = new JsonObject(document);
    return OpenAPIContract.from(vertx, checkable(json.copy())).map(c -> new ApiContract(document, json, c));
  }

  /** The document as served. */
  public Buffer document() {
    return document;
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /**
   * The operation documented for a route, by method and Vert.x path ({@code /v1/pools/:poolId}),
   * or null when the document does not have it.
   */
  public Operation operation(HttpMethod method, String vertxPath) {
    String template = vertxPath.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    for (Path path : contract.getPaths()) {
      if (path.getName().equals(template)) {
        for (Operation op : path.getOperations()) {
          if (op.getHttpMethod().equals(method)) {
            return op;
          }
        }
      }
    }
    return null;
  }

  /** Whether the document lets the operation's body be CSV (Vert.x's copy leaves CSV out: {@link #checkable}). */
  public boolean takesCsv(Operation op) {
    JsonObject none = new JsonObject();
    JsonObject content = whole.getJsonObject("paths", none).getJsonObject(op.getOpenAPIPath(), none)
        .getJsonObject(op.getHttpMethod().name().toLowerCase(java.util.Locale.ROOT), none)
        .getJsonObject("requestBody", none).getJsonObject("content", none);
    return content.fieldNames().stream().anyMatch(type -> type.startsWith("text/csv"));
  }

  /** Every operation of the document as "METHOD /path/{param}". */
  public List<String> operations() {
    List<String> out = new ArrayList<>();
    for (Path path : contract.getPaths()) {
      for (Operation op : path.getOperations()) {
        out.add(op.getHttpMethod().name() + " " + path.getName());
      }
    }
    return out;
  }

  /** The document without the media types Vert.x OpenAPI cannot take (see the class comment). */
  static JsonObject checkable(JsonObject doc) {
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String p : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(p);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op) || method.equals("parameters")) {
          continue;
        }
        JsonObject body = op.getJsonObject("requestBody");
        if (body != null) {
          boolean dropped = dropUnsupported(body.getJsonObject("content", new JsonObject()));
          if (body.getJsonObject("content").isEmpty()) {
            op.remove("requestBody");
          } else if (dropped) {
            body.put("required", false); // a CSV body is checked by the endpoint
          }
        }
        JsonObject responses = op.getJsonObject("responses", new JsonObject());
        for (String status : responses.fieldNames()) {
          JsonObject response = responses.getJsonObject(status);
          JsonObject content = response.getJsonObject("content");
          if (content != null) {
            dropUnsupported(content);
            if (content.isEmpty()) {
              response.remove("content");
            }
          }
        }
      }
    }
    return doc;
  }

  private static boolean dropUnsupported(JsonObject content) {
    List<String> unsupported = content.fieldNames().stream()
        .filter(type -> !MediaType.isMediaTypeSupported(type)).toList();
    unsupported.forEach(content::remove);
    return !unsupported.isEmpty();
  }

  private static Buffer read() {
    try (InputStream in = ApiContract.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
