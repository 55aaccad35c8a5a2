package io.calltrack.dni.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CompiledSchema} must give Vert.x JSON Schema's verdict on every value, for every schema of
 * the contract it compiles: each body and parameter schema is checked against a few thousand values
 * made from the schema itself (each property given every kind of JSON value, lengths and bounds one
 * past their limits, required properties left out, unknown ones added, enumerations missed).
 */
class CompiledSchemaTest {
  private static Vertx vertx;
  private static ApiContract api;
  private static SchemaRepository repository;
  private static JsonObject document;
  private static final JsonSchemaOptions FLAG = new JsonSchemaOptions().setOutputFormat(OutputFormat.Flag)
      .setDraft(Draft.DRAFT202012);

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    api = ApiContract.load(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    repository = api.contract().getSchemaRepository();
    document = api.contract().getRawContract();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  /** Every schema the contract checks requests with: bodies and parameters, by operation. */
  private static Map<String, JsonSchema> requestSchemas() {
    Map<String, JsonSchema> out = new LinkedHashMap<>();
    for (String op : api.operations()) {
      String[] parts = op.split(" ", 2);
      String vertxPath = parts[1].replaceAll("\\{([A-Za-z0-9_]+)}", ":$1");
      Operation operation = api.operation(HttpMethod.valueOf(parts[0]), vertxPath);
      for (Parameter p : operation.getParameters()) {
        out.put(op + " " + p.getIn() + " " + p.getName(), p.getSchema());
      }
      if (operation.getRequestBody() != null) {
        for (Map.Entry<String, MediaType> m : operation.getRequestBody().getContent().entrySet()) {
          if (m.getValue().getSchema() != null) {
            out.put(op + " body " + m.getKey(), m.getValue().getSchema());
          }
        }
      }
    }
    return out;
  }


  @Test
  void everyCompiledSchemaGivesVertxsVerdictOnEveryValue() {
    int compiledCount = 0;
    int valid = 0;
    int invalid = 0;
    List<String> disagreements = new ArrayList<>();
    for (Map.Entry<String, JsonSchema> e : requestSchemas().entrySet()) {
      JsonObject schema = CompiledSchema.json(e.getValue());
      Optional<CompiledSchema> compiled = CompiledSchema.compile(schema, document);
      if (compiled.isEmpty()) {
        continue;
      }
      compiledCount++;
      var vertxValidator = repository.validator(e.getValue(), FLAG);
      for (Object candidate : new Values(document).of(schema)) {
        // through JSON text, so every value has the Java types a parsed request has
        Object value = Json.decodeValue(Json.encode(candidate));
        boolean expected = Boolean.TRUE.equals(vertxValidator.validate(value).getValid());
        boolean actual = compiled.get().valid(value);
        if (expected) {
          valid++;
        } else {
          invalid++;
        }
        if (expected != actual && disagreements.size() < 10) {
          disagreements.add(e.getKey() + ": " + Json.encode(value) + " Vert.x " + expected + ", compiled " + actual);
        }
      }
    }
    System.out.printf("%d of %d request schemas compiled; %d values valid, %d invalid%n", compiledCount,
        requestSchemas().size(), valid, invalid);
    assertEquals(List.of(), disagreements);
    assertTrue(compiledCount >= 40, "most of the contract's request schemas compile: " + compiledCount);
    assertTrue(valid > 500 && invalid > 2000, "the values test both verdicts: " + valid + " valid, " + invalid + " invalid");
  }

  /** Keywords the contract uses only in forms where a slip would not show (oneOf of disjoint branches, ...). */
  @Test
  void handMadeSchemasGetVertxsVerdictsToo() {
    List<JsonObject> schemas = List.of(
        new JsonObject("{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 0}]}"),
        new JsonObject("{\"anyOf\": [{\"type\": \"string\", \"minLength\": 2}, {\"maxLength\": 0}]}"),
        new JsonObject("{\"allOf\": [{\"minimum\": -1}, {\"maximum\": 7}], \"type\": [\"number\", \"string\"]}"),
        new JsonObject("{\"type\": \"array\", \"minItems\": 2, \"maxItems\": 3, \"items\": {\"type\": \"string\","
            + " \"pattern\": \"^[a-z]+(,[a-z]+)*$\"}}"),
        new JsonObject("{\"type\": \"object\", \"required\": [\"a\"], \"properties\": {\"a\": {\"enum\": [\"abc\", \"a\"]}},"
            + " \"additionalProperties\": {\"type\": \"boolean\"}}"),
        new JsonObject("{\"properties\": {\"a\": false, \"b\": true}}"),
        new JsonObject("{\"pattern\": \"b,?\", \"minimum\": 1.5}"));
    Values values = new Values(document);
    List<String> disagreements = new ArrayList<>();
    for (JsonObject schema : schemas) {
      CompiledSchema compiled = CompiledSchema.compile(schema, document).orElseThrow();
      var vertxValidator = repository.validator(JsonSchema.of(schema), FLAG);
      List<Object> candidates = new ArrayList<>(values.of(schema));
      for (Object v : values.scalars) {
        candidates.add(new JsonObject().put("a", v).put("b", v));
        candidates.add(new JsonObject().put("a", "abc").put("c", v));
        candidates.add(new JsonArray().add(v).add("ab,c"));
      }
      for (Object candidate : candidates) {
        Object value = Json.decodeValue(Json.encode(candidate));
        boolean expected = Boolean.TRUE.equals(vertxValidator.validate(value).getValid());
        if (expected != compiled.valid(value)) {
          disagreements.add(schema.encode() + ": " + Json.encode(value) + " Vert.x " + expected);
        }
      }
    }
    assertEquals(List.of(), disagreements);
  }

  @Test
  void theSnippetsEndpointsCompile() {
    for (String op : List.of("POST /v1/assign body application/json", "POST /v1/assign body text/plain")) {
      JsonSchema schema = requestSchemas().get(op);
      assertTrue(CompiledSchema.compile(CompiledSchema.json(schema), document).isPresent(), op);
    }
  }

  @Test
  void theAssignBodysRulesHold() {
    JsonSchema body = requestSchemas().get("POST /v1/assign body application/json");
    CompiledSchema assign = CompiledSchema.compile(CompiledSchema.json(body), document).orElseThrow();
    JsonObject ok = new JsonObject().put("property", "shop").put("visitorId", "v1")
        .put("page", new JsonObject().put("url", "https://shop.example/").put("referrer", null))
        .put("attribution", new JsonObject().put("source", "google").put("keyword", "plumber"));
    assertTrue(assign.valid(ok));
    assertTrue(assign.valid(ok.copy().put("attribution", null)), "attribution may be null");
    assertFalse(assign.valid(ok.copy().put("attribution", "google")), "attribution is an object or null");
    assertFalse(assign.valid(ok.copy().put("attribution", new JsonObject().put("source", 5))), "through the $ref");
    assertFalse(assign.valid(new JsonObject().put("visitorId", "v1")), "property is required");
    assertFalse(assign.valid(ok.copy().put("visitorId", "v".repeat(129))), "visitorId is at most 128 long");
    assertTrue(assign.valid(ok.copy().put("visitorId", "é".repeat(128))), "lengths count characters, not bytes");
    assertFalse(assign.valid(ok.copy().put("page", "home")));
    assertFalse(assign.valid("shop"));
  }

  @Test
  void aSchemaWithAKeywordItDoesNotKnowDoesNotCompile() {
    JsonObject withFormat = new JsonObject().put("type", "string").put("format", "date-time");
    assertFalse(CompiledSchema.compile(withFormat, document).isPresent());
    JsonObject nested = new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("at", withFormat));
    assertFalse(CompiledSchema.compile(nested, document).isPresent(), "nor does one that holds it");
    assertFalse(CompiledSchema.compile(new JsonObject().put("$ref", "#/components/schemas/NoSuchThing"), document)
        .isPresent(), "a $ref to nothing");
  }

  /** Values to try against a schema: its own sample, and that sample broken every way the schema can tell. */
  private static final class Values {
    private final JsonObject document;
    private final Set<Object> scalars = new LinkedHashSet<>();

    Values(JsonObject document) {
      this.document = document;
      scalars.addAll(List.of(true, false, 0, -1, 1, 7, 1.5, 2.0, -0.5, 1e12, "", "a", "abc", "ABC", "a,b", "A,b",
          "plumber near me", "2026-03-02", "é"));
      scalars.add(new JsonObject());
      scalars.add(new JsonArray());
      scalars.add(new JsonArray().add(1).add("a"));
      scalars.add(new JsonArray().add("a").add("a"));
      collect(document);
    }

    /** Every limit, length and enumeration value in the document, and a step past each. */
    private void collect(Object node) {
      if (node instanceof JsonObject o) {
        for (String k : o.fieldNames()) {
          Object v = o.getValue(k);
          switch (k) {
            case "maxLength", "minLength" -> {
              if (v instanceof Number n && n.intValue() < 5000) {
                for (int len : new int[] {n.intValue() - 1, n.intValue(), n.intValue() + 1}) {
                  if (len >= 0) {
                    scalars.add("x".repeat(len));
                    scalars.add("é".repeat(len));
                  }
                }
              }
            }
            case "minimum", "maximum" -> {
              if (v instanceof Number n) {
                BigDecimal b = new BigDecimal(n.toString());
                scalars.add(b.subtract(BigDecimal.ONE).doubleValue());
                scalars.add(n);
                scalars.add(b.add(BigDecimal.ONE).longValue());
                scalars.add(b.add(new BigDecimal("0.5")).doubleValue());
              }
            }
            case "enum" -> {
              if (v instanceof JsonArray a) {
                for (Object x : a) {
                  scalars.add(x);
                  if (x instanceof String s) {
                    scalars.add(s.toUpperCase() + "x");
                  }
                }
              }
            }
            default -> { }
          }
          collect(v);
        }
      } else if (node instanceof JsonArray a) {
        for (Object x : a) {
          collect(x);
        }
      }
    }

    List<Object> of(Object schema) {
      List<Object> out = new ArrayList<>();
      out.add(null);
      out.addAll(scalars);
      Object sample = sample(schema, 0);
      out.add(sample);
      if (sample instanceof JsonObject base) {
        JsonObject props = properties(schema, 0);
        for (String name : props.fieldNames()) {
          JsonObject without = base.copy();
          without.remove(name);
          out.add(without);
          out.add(base.copy().put(name, null));
          for (Object v : scalars) {
            out.add(base.copy().put(name, v));
          }
          Object inner = sample(props.getValue(name), 1);
          if (inner instanceof JsonObject nested) {
            JsonObject innerProps = properties(props.getValue(name), 1);
            for (String n2 : innerProps.fieldNames()) {
              for (Object v : scalars) {
                out.add(base.copy().put(name, nested.copy().put(n2, v)));
              }
            }
            out.add(base.copy().put(name, nested.copy().put("unexpected", 1)));
          } else if (inner instanceof JsonArray list) {
            for (Object v : scalars) {
              out.add(base.copy().put(name, list.copy().add(v)));
            }
          }
        }
        out.add(base.copy().put("unexpected", 1));
      }
      return out;
    }

    private Object resolve(Object schema) {
      if (schema instanceof JsonObject s && s.getValue("$ref") instanceof String ref && ref.contains("#/")) {
        Object at = document;
        for (String part : ref.substring(ref.indexOf('#') + 2).split("/")) {
          at = ((JsonObject) at).getValue(part);
        }
        return at;
      }
      return schema;
    }

    /** The object properties a schema declares, through $ref, allOf, anyOf and oneOf. */
    private JsonObject properties(Object schema, int depth) {
      JsonObject out = new JsonObject();
      Object s = resolve(schema);
      if (!(s instanceof JsonObject o) || depth > 4) {
        return out;
      }
      if (o.getValue("properties") instanceof JsonObject p) {
        out.mergeIn(p);
      }
      for (String k : List.of("allOf", "anyOf", "oneOf")) {
        if (o.getValue(k) instanceof JsonArray list) {
          for (Object branch : list) {
            out.mergeIn(properties(branch, depth + 1));
          }
        }
      }
      return out;
    }

    /** A value meant to be valid: the first type, enum value or branch, with every declared property. */
    private Object sample(Object schema, int depth) {
      Object s = resolve(schema);
      if (!(s instanceof JsonObject o) || depth > 4) {
        return "a";
      }
      for (String k : List.of("allOf", "anyOf", "oneOf")) {
        if (o.getValue(k) instanceof JsonArray list && !list.isEmpty() && !o.containsKey("type")) {
          return sample(list.getValue(0), depth + 1);
        }
      }
      if (o.getValue("enum") instanceof JsonArray e && !e.isEmpty()) {
        return e.getValue(0);
      }
      if (o.getValue("examples") instanceof JsonArray ex && !ex.isEmpty()) {
        return ex.getValue(0);
      }
      Object type = o.getValue("type");
      String t = type instanceof JsonArray list ? list.getString(0) : (String) type;
      if (t == null) {
        t = o.containsKey("properties") ? "object" : "string";
      }
      return switch (t) {
        case "object" -> {
          JsonObject out = new JsonObject();
          JsonObject props = properties(o, depth);
          for (String name : props.fieldNames()) {
            out.put(name, sample(props.getValue(name), depth + 1));
          }
          yield out;
        }
        case "array" -> {
          JsonArray out = new JsonArray();
          int n = Math.max(1, o.getInteger("minItems", 1));
          for (int i = 0; i < n; i++) {
            out.add(sample(o.getValue("items"), depth + 1));
          }
          yield out;
        }
        case "integer", "number" -> o.getValue("minimum") instanceof Number n ? n : 1;
        case "boolean" -> true;
        case "null" -> null;
        default -> "a".repeat(Math.max(1, o.getInteger("minLength", 1)));
      };
    }
  }
}
