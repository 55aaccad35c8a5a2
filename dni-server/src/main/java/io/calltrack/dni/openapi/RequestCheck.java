package io.calltrack.dni.openapi;

import io.calltrack.core.CalltrackException;
import io.calltrack.dni.http.RequestChecks;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks each request against its operation in the contract before the endpoint runs: path and
 * query parameters, and JSON bodies, with the JSON Schemas of {@code openapi.json} (Vert.x JSON
 * Schema, through the contract Vert.x OpenAPI resolved). A request that does not fit gets 400
 * {@code invalid_request} with a detail in the client's terms: the field, what was expected, what
 * came ({@code "leaseSeconds: expected a whole number, got a string"}), never a class or parser name.
 *
 * <p>Why not Vert.x OpenAPI's {@code RequestValidator} as it is: it validates on a worker thread
 * (a thread hop on every assign, the hot path; these checks take microseconds on the event loop), it
 * decodes every query and path value as JSON first (so {@code from=2026-03-02} or a property named
 * {@code 2026} would fail a string schema), and its messages name its own internals.
 *
 * <p>The endpoints read any body that is not CSV as JSON, whatever its content type (the snippet sends
 * {@code text/plain} to avoid a CORS preflight, {@code sendBeacon} always does, {@code curl -d} sends a
 * form type), so such a body is checked as JSON. CSV bodies are the endpoint's to check (row numbers).
 */
public final class RequestCheck implements RequestChecks {
  private final ApiContract api;
  private final SchemaRepository schemas;
  private final Set<String> undocumented = ConcurrentHashMap.newKeySet();
  /**
   * Two validators per schema, each made once ({@code SchemaRepository.validator} builds a new one on
   * each call, walking and resolving the schema). The quick one stops at the first error and builds
   * no error list: the contract's repository reports in Basic form, which collected every keyword's
   * result on every request and was the largest single cost of an assign on the event loop (~28 % of
   * its samples). Only a request that fails is checked again by the detailed one, for its message.
   */
  private final java.util.Map<io.vertx.json.schema.JsonSchema, io.vertx.json.schema.Validator> quick =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private final java.util.Map<io.vertx.json.schema.JsonSchema, io.vertx.json.schema.Validator> detailed =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private final JsonSchemaOptions quickOptions;
  /** Each schema compiled once to a plain predicate ({@link CompiledSchema}); empty where it does not compile. */
  private final java.util.Map<io.vertx.json.schema.JsonSchema, Optional<CompiledSchema>> compiled =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  /** The document the compiled schemas' {@code $ref}s point into. */
  private final JsonObject document;
  private static final OutputUnit VALID = new OutputUnit(true);

  public RequestCheck(ApiContract api) {
    this.api = api;
    this.schemas = api.contract().getSchemaRepository();
    this.document = api.contract().getRawContract();
    this.quickOptions = new JsonSchemaOptions().setOutputFormat(OutputFormat.Flag)
        .setDraft(api.contract().getVersion() == OpenAPIVersion.V3_0 ? Draft.DRAFT4 : Draft.DRAFT202012);
  }

  /** Routes mounted without an operation in the document (the suite requires none). */
  public Set<String> undocumented() {
    return Set.copyOf(undocumented);
  }

  @Override
  public Handler<RoutingContext> forRoute(HttpMethod method, String path) {
    Operation op = api.operation(method, path);
    if (op == null) {
      undocumented.add(method.name() + " " + path);
      return RoutingContext::next;
    }
    JsonBody body = JsonBody.of(op.getRequestBody(), api.takesCsv(op));
    return ctx -> {
      if (body != null && ctx.body() != null && ctx.body().length() > INLINE_BODY) {
        // an upload (spend, outcomes, a pool's numbers: up to 8 MiB) takes tens of milliseconds to decode
        // and check: on a worker, as the endpoint's own parsing of it, not on the event loop
        ctx.vertx().<Void>executeBlocking(() -> {
          check(op, body, ctx);
          return null;
        }, false).onSuccess(v -> ctx.next()).onFailure(ctx::fail);
        return;
      }
      check(op, body, ctx);
      ctx.next();
    };
  }

  /** The largest body checked on the event loop: an assign's or a property's, not an upload's. */
  static final int INLINE_BODY = 64 * 1024;

  /**
   * An operation's request body and the media type its JSON is checked against. Vert.x OpenAPI's
   * {@code determineContentType} compiles a regular expression per listed type on every call (it strips
   * whitespace with {@code replaceAll}); the document's answer for {@code application/json} is the
   * same on every request, so it is asked once. Only where the body lists another type the check
   * would take instead (one that starts {@code application/json}: {@code application/json; charset=...})
   * is the request's own type looked up, as before.
   */
  private record JsonBody(RequestBody body, MediaType json, boolean otherJsonTypes, boolean takesCsv) {
    static JsonBody of(RequestBody body, boolean takesCsv) {
      if (body == null) {
        return null;
      }
      boolean other = body.getContent().keySet().stream()
          .anyMatch(t -> t.startsWith("application/json") && !t.equals("application/json"));
      return new JsonBody(body, body.determineContentType("application/json"), other, takesCsv);
    }

    MediaType mediaFor(String type) {
      if (!otherJsonTypes || type == null) {
        return json;
      }
      MediaType listed = body.determineContentType(type);
      return listed != null && listed.getIdentifier().startsWith("application/json") ? listed : json;
    }
  }

  /**
   * The schema's result: the quick verdict (compiled, or Vert.x's flag where the schema does not
   * compile), and the detailed one (with errors) only when invalid.
   */
  private OutputUnit validate(io.vertx.json.schema.JsonSchema schema, Object value) {
    Optional<CompiledSchema> fast = compiled.computeIfAbsent(schema, this::compile);
    if (fast.isPresent()) {
      if (fast.get().valid(value)) {
        return VALID;
      }
    } else {
      OutputUnit verdict = quick.computeIfAbsent(schema, s -> schemas.validator(s, quickOptions)).validate(value);
      if (Boolean.TRUE.equals(verdict.getValid())) {
        return verdict;
      }
    }
    return detailed.computeIfAbsent(schema, schemas::validator).validate(value);
  }

  private Optional<CompiledSchema> compile(io.vertx.json.schema.JsonSchema schema) {
    return CompiledSchema.compile(CompiledSchema.json(schema), document);
  }

  private void check(Operation op, JsonBody body, RoutingContext ctx) {
    for (Parameter p : op.getParameters()) {
      String raw = switch (p.getIn()) {
        case PATH -> ctx.pathParam(p.getName());
        case QUERY -> ctx.request().getParam(p.getName());
        case HEADER -> ctx.request().getHeader(p.getName());
        case COOKIE -> ctx.request().getCookie(p.getName()) == null ? null
            : ctx.request().getCookie(p.getName()).getValue();
      };
      String where = p.getIn().name().toLowerCase(Locale.ROOT) + " parameter '" + p.getName() + "'";
      if (p.getIn() == io.vertx.openapi.contract.Location.QUERY) {
        // getParam answers the first of several: which one a client meant is not the server's to guess
        int times = ctx.request().params().getAll(p.getName()).size();
        if (times > 1) {
          throw new CalltrackException.Invalid("the " + where + " is given " + times + " times; send it once");
        }
      }
      if (raw == null || (raw.isEmpty() && p.getIn() == io.vertx.openapi.contract.Location.QUERY)) {
        if (p.isRequired()) {
          throw new CalltrackException.Invalid("the " + where + " is required");
        }
        continue;
      }
      Object value = primitive(raw, p, where);
      OutputUnit result = validate(p.getSchema(), value);
      if (!Boolean.TRUE.equals(result.getValid())) {
        throw new CalltrackException.Invalid(where + ": " + describe(result, value, false));
      }
    }
    if (body != null) {
      checkBody(body, ctx);
    }
  }

  private void checkBody(JsonBody body, RoutingContext ctx) {
    Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
    String type = ctx.request().getHeader("content-type");
    if (body.takesCsv() && type != null && type.toLowerCase(Locale.ROOT).startsWith("text/csv")) {
      return; // CSV bodies are the endpoint's to check, row by row (elsewhere a CSV label is JSON's, as below)
    }
    // endpoints read any other body as JSON whatever its declared type (the snippet sends text/plain,
    // curl -d sends a form type), so it is checked as JSON
    MediaType media = body.mediaFor(type);
    if (media == null) {
      return;
    }
    if (buffer == null || buffer.length() == 0) {
      if (body.body().isRequired()) {
        throw new CalltrackException.Invalid("request body is empty; expected JSON");
      }
      return;
    }
    if (media.getSchema() == null) {
      return;
    }
    Object json;
    try {
      json = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw new CalltrackException.Invalid(pastTheReadersLimits(e)
          ? "the body's JSON is nested deeper than 1000 levels, or holds a number or text longer than any field takes"
          : "malformed JSON: the body is not valid JSON");
    }
    OutputUnit result = validate(media.getSchema(), json);
    if (!Boolean.TRUE.equals(result.getValid())) {
      throw new CalltrackException.Invalid(describe(result, json, true));
    }
  }

  /** Whether the body is JSON that the reader's limits (nesting, length of a number or text) turned away. */
  private static boolean pastTheReadersLimits(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
        return true;
      }
    }
    return false;
  }

  /** A query or path value as the JSON value its schema expects (strings stay strings). */
  private static Object primitive(String raw, Parameter p, String where) {
    Object declared = p.getSchema().get("type");
    String type = String.valueOf(declared);
    try {
      return switch (type) {
        case "integer" -> Long.parseLong(raw.strip());
        case "number" -> new BigDecimal(raw.strip());
        case "boolean" -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> throw new NumberFormatException();
        };
        default -> raw;
      };
    } catch (NumberFormatException e) {
      throw new CalltrackException.Invalid(where + ": expected " + typeName(type) + ", got '" + clip(raw) + "'");
    }
  }

  private static final Pattern EXPECTED = Pattern.compile("Instance type (\\w+) is invalid\\. Expected (.+)");
  private static final Pattern REQUIRED = Pattern.compile("required property \"(.+)\"");
  private static final Pattern LIMIT = Pattern.compile("(?:than|to) (-?[0-9.]+)\\)?$");
  private static final Pattern COUNT = Pattern.compile("[<>] ([0-9]+)\\)");

  /** The first specific problem of a failed validation, in the client's terms. */
  static String describe(OutputUnit result, Object instance, boolean body) {
    List<OutputUnit> errors = new ArrayList<>();
    collect(result, errors);
    for (int i = 0; i < errors.size(); i++) {
      OutputUnit e = errors.get(i);
      String keywordPath = e.getKeywordLocation() == null ? "" : e.getKeywordLocation();
      String keyword = keywordPath.substring(keywordPath.lastIndexOf('/') + 1);
      String field = field(e.getInstanceLocation(), instance);
      String subject = field.isEmpty() ? (body ? "the body" : "the value") : field;
      String text = e.getError() == null ? "" : e.getError();
      Matcher m;
      switch (keyword) {
        case "type" -> {
          if ((m = EXPECTED.matcher(text)).find()) {
            return subject + ": expected " + typeNames(m.group(2)) + ", got " + article(m.group(1));
          }
        }
        case "required" -> {
          if ((m = REQUIRED.matcher(text)).find()) {
            return (field.isEmpty() ? "" : field + ".") + m.group(1) + " is required";
          }
        }
        case "enum", "const" -> {
          return subject + " must be one of " + text.replaceFirst("^Instance does not match (any of )?", "");
        }
        case "minimum", "exclusiveMinimum" -> {
          if ((m = LIMIT.matcher(text)).find()) {
            return subject + " must be at least " + m.group(1);
          }
        }
        case "maximum", "exclusiveMaximum" -> {
          if ((m = LIMIT.matcher(text)).find()) {
            return subject + " must be at most " + m.group(1);
          }
        }
        case "minLength", "maxLength" -> {
          if ((m = COUNT.matcher(text)).find()) {
            return subject + " must be " + (keyword.equals("minLength") ? "at least " : "at most ")
                + m.group(1) + " characters long";
          }
        }
        case "minItems", "maxItems" -> {
          if ((m = COUNT.matcher(text)).find()) {
            return subject + " must have " + (keyword.equals("minItems") ? "at least " : "at most ")
                + m.group(1) + " entries";
          }
        }
        case "additionalProperties" -> {
          // the contract lists every field an admin body takes: a typo ("timeZone") is refused, not ignored.
          // Only where no field is allowed: where extra keys are allowed but must fit a schema (a map's
          // values), a specific error about the same value follows in the list
          if (!field.isEmpty() && !explainedLater(errors, i)) {
            return "unknown field '" + field + "' (the fields each body takes are in /openapi.json)";
          }
        }
        case "uniqueItems" -> {
          return subject + " lists the same value twice";
        }
        case "pattern" -> {
          return subject + " is not in the expected form (see its pattern in /openapi.json)";
        }
        case "format" -> {
          return subject + " is not a valid " + text.replaceFirst("^String does not match format ", "")
              .replace("\"", "");
        }
        default -> {
          // an aggregate ("properties", "items", "$ref"): the specific error follows in the list
        }
      }
    }
    return body ? "the body does not match the API's schema (see /openapi.json)"
        : "not a valid value (see /openapi.json)";
  }

  /** Whether an error after {@code errors[i]} says what is wrong with the same value. */
  private static boolean explainedLater(List<OutputUnit> errors, int i) {
    String at = errors.get(i).getInstanceLocation();
    for (int j = i + 1; j < errors.size(); j++) {
      String kw = errors.get(j).getKeywordLocation() == null ? "" : errors.get(j).getKeywordLocation();
      if (java.util.Objects.equals(at, errors.get(j).getInstanceLocation()) && !kw.endsWith("/additionalProperties")) {
        return true;
      }
    }
    return false;
  }

  private static void collect(OutputUnit unit, List<OutputUnit> into) {
    if (unit.getErrors() == null) {
      return;
    }
    for (OutputUnit e : unit.getErrors()) {
      into.add(e);
      collect(e, into);
    }
  }

  /**
   * {@code /page/url} or {@code #/numbers/3} → {@code page.url}, {@code numbers[3]}. A segment is an
   * index only where the instance there is a list: an object's key made of digits ({@code stages}
   * {@code {"3": ...}}) is a member like any other, named {@code stages.3}, not a row.
   */
  static String field(String instanceLocation, Object instance) {
    if (instanceLocation == null) {
      return "";
    }
    String loc = instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
    StringBuilder out = new StringBuilder();
    Object node = instance;
    for (String part : loc.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      int index = node instanceof JsonArray list ? index(name, list.size()) : -1;
      if (index >= 0) {
        out.append('[').append(index + 1).append(']'); // rows count from 1
        node = ((JsonArray) node).getValue(index);
      } else {
        out.append(out.length() == 0 ? "" : ".").append(name);
        node = node instanceof JsonObject object ? object.getValue(name) : null;
      }
    }
    return out.toString();
  }

  /** {@code name} as an index into a list of {@code size}, or -1. */
  private static int index(String name, int size) {
    if (name.isEmpty() || name.length() > 9 || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int i = Integer.parseInt(name);
    return i < size ? i : -1;
  }

  private static String typeNames(String list) {
    List<String> names = new ArrayList<>();
    for (String t : list.replaceAll("[\\[\\]\"]", "").split(",")) {
      names.add(typeName(t.strip()));
    }
    return String.join(" or ", names);
  }

  private static String typeName(String type) {
    return switch (type) {
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "string" -> "a string";
      case "boolean" -> "true or false";
      case "object" -> "a JSON object";
      case "array" -> "a list";
      case "null" -> "null";
      default -> type;
    };
  }

  private static String article(String instanceType) {
    return typeName(instanceType);
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
