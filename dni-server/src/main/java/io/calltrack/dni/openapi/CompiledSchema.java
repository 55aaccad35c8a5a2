package io.calltrack.dni.openapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON Schema turned once into a plain predicate: valid or not, nothing else. It is the verdict
 * {@link RequestCheck} asks for on every request; Vert.x JSON Schema still writes the message of a
 * request that fails. Vert.x's validator builds keyword-location strings for every keyword it visits,
 * even when asked for a bare flag: on the assign path it was about a quarter of the bytes allocated
 * per request, so the young collections that set the latency tail came that much more often.
 *
 * <p>Only the keywords the contract uses are compiled, with Vert.x's meaning of each (an
 * {@code integer} is any number without a fraction; lengths count code points; {@code pattern}
 * searches, unanchored). A schema with any other assertion keyword ({@code format}, {@code const},
 * {@code uniqueItems}, ...) does not compile, and its requests keep Vert.x's validator.
 * {@code CompiledSchemaTest} holds every schema of the contract to Vert.x's verdicts.
 */
final class CompiledSchema {
  /**
   * Keywords that only describe, and Vert.x's own marks on a schema it loaded (where it came from);
   * none changes a verdict.
   */
  private static final Set<String> ANNOTATIONS = Set.of(
      "description", "title", "examples", "example", "default", "deprecated", "readOnly", "writeOnly", "$comment",
      "__absolute_uri__");

  private interface Check {
    boolean test(Object value);
  }

  private final Check root;

  private CompiledSchema(Check root) {
    this.root = root;
  }

  /**
   * The schema as a predicate, or empty when it uses a keyword this class does not compile.
   *
   * @param schema the schema's JSON (a JSON object, or {@code true}/{@code false})
   * @param document the document its {@code $ref}s point into ({@code …#/components/schemas/X})
   */
  static Optional<CompiledSchema> compile(Object schema, JsonObject document) {
    try {
      return Optional.of(new CompiledSchema(new Compiler(document).compile(schema)));
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  /** A loaded schema's own JSON (its keywords as the contract wrote them, {@code $ref}s unresolved). */
  static JsonObject json(io.vertx.json.schema.JsonSchema schema) {
    JsonObject json = new JsonObject();
    for (String field : schema.fieldNames()) {
      json.put(field, schema.get(field));
    }
    return json;
  }

  /** Whether the value (as {@code Json.decodeValue} gives it, or a plain Map/List) is valid. */
  boolean valid(Object value) {
    return root.test(value);
  }

  private static final class Unsupported extends Exception {
    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  private static final class Compiler {
    private final JsonObject document;
    /** One holder per {@code $ref} target, so recursive schemas compile once and terminate. */
    private final Map<String, Check[]> refs = new HashMap<>();

    Compiler(JsonObject document) {
      this.document = document;
    }

    Check compile(Object schema) throws Unsupported {
      if (schema instanceof Boolean b) {
        return b ? v -> true : v -> false;
      }
      if (!(schema instanceof JsonObject s)) {
        throw new Unsupported("not a schema");
      }
      List<Check> checks = new ArrayList<>();
      for (String keyword : s.fieldNames()) {
        Object arg = s.getValue(keyword);
        if (ANNOTATIONS.contains(keyword)) {
          continue;
        }
        switch (keyword) {
          case "type" -> checks.add(type(arg));
          case "properties" -> checks.add(properties(arg));
          case "required" -> checks.add(required(arg));
          case "additionalProperties" -> checks.add(additionalProperties(s, arg));
          case "items" -> checks.add(items(s, arg));
          case "enum" -> checks.add(enumeration(arg));
          case "minimum" -> checks.add(bound(arg, true));
          case "maximum" -> checks.add(bound(arg, false));
          case "minLength" -> {
            int min = count(arg);
            checks.add(v -> !(v instanceof String str) || str.codePointCount(0, str.length()) >= min);
          }
          case "maxLength" -> {
            int max = count(arg);
            checks.add(v -> !(v instanceof String str) || str.codePointCount(0, str.length()) <= max);
          }
          case "minItems" -> {
            int min = count(arg);
            checks.add(v -> !(v instanceof JsonArray a) || a.size() >= min);
          }
          case "maxItems" -> {
            int max = count(arg);
            checks.add(v -> !(v instanceof JsonArray a) || a.size() <= max);
          }
          case "pattern" -> {
            if (!(arg instanceof String regex)) {
              throw new Unsupported("pattern");
            }
            Pattern p = Pattern.compile(regex);
            checks.add(v -> !(v instanceof String str) || p.matcher(str).find());
          }
          case "allOf" -> {
            List<Check> all = list(arg);
            checks.add(v -> {
              for (Check c : all) {
                if (!c.test(v)) {
                  return false;
                }
              }
              return true;
            });
          }
          case "anyOf" -> {
            List<Check> any = list(arg);
            checks.add(v -> {
              for (Check c : any) {
                if (c.test(v)) {
                  return true;
                }
              }
              return false;
            });
          }
          case "oneOf" -> {
            List<Check> one = list(arg);
            checks.add(v -> {
              int passed = 0;
              for (Check c : one) {
                if (c.test(v) && ++passed > 1) {
                  return false;
                }
              }
              return passed == 1;
            });
          }
          case "$ref" -> checks.add(ref(arg));
          default -> throw new Unsupported(keyword);
        }
      }
      Check[] all = checks.toArray(Check[]::new);
      return v -> {
        for (Check c : all) {
          if (!c.test(v)) {
            return false;
          }
        }
        return true;
      };
    }

    private Check type(Object arg) throws Unsupported {
      List<String> names = new ArrayList<>();
      if (arg instanceof String t) {
        names.add(t);
      } else if (arg instanceof JsonArray list) {
        for (Object t : list) {
          if (!(t instanceof String name)) {
            throw new Unsupported("type");
          }
          names.add(name);
        }
      } else {
        throw new Unsupported("type");
      }
      List<Check> any = new ArrayList<>();
      for (String name : names) {
        any.add(switch (name) {
          case "null" -> v -> v == null;
          case "boolean" -> v -> v instanceof Boolean;
          case "string" -> v -> v instanceof String;
          case "object" -> v -> v instanceof JsonObject;
          case "array" -> v -> v instanceof JsonArray;
          case "number" -> v -> v instanceof Number;
          case "integer" -> CompiledSchema::isInteger;
          default -> throw new Unsupported("type " + name);
        });
      }
      Check[] types = any.toArray(Check[]::new);
      return v -> {
        for (Check t : types) {
          if (t.test(v)) {
            return true;
          }
        }
        return false;
      };
    }

    private Check properties(Object arg) throws Unsupported {
      if (!(arg instanceof JsonObject props)) {
        throw new Unsupported("properties");
      }
      Map<String, Check> each = new HashMap<>();
      for (String name : props.fieldNames()) {
        each.put(name, compile(props.getValue(name)));
      }
      return v -> {
        if (!(v instanceof JsonObject o)) {
          return true;
        }
        for (Map.Entry<String, Check> p : each.entrySet()) {
          if (o.containsKey(p.getKey()) && !p.getValue().test(o.getValue(p.getKey()))) {
            return false;
          }
        }
        return true;
      };
    }

    private static Check required(Object arg) throws Unsupported {
      if (!(arg instanceof JsonArray list)) {
        throw new Unsupported("required");
      }
      String[] names = new String[list.size()];
      for (int i = 0; i < names.length; i++) {
        if (!(list.getValue(i) instanceof String name)) {
          throw new Unsupported("required");
        }
        names[i] = name;
      }
      return v -> {
        if (!(v instanceof JsonObject o)) {
          return true;
        }
        for (String name : names) {
          if (!o.containsKey(name)) {
            return false;
          }
        }
        return true;
      };
    }

    private Check additionalProperties(JsonObject schema, Object arg) throws Unsupported {
      if (schema.containsKey("patternProperties")) {
        throw new Unsupported("patternProperties");
      }
      Set<String> declared = schema.getValue("properties") instanceof JsonObject props
          ? new HashSet<>(props.fieldNames()) : Set.of();
      Check extra = compile(arg);
      return v -> {
        if (!(v instanceof JsonObject o)) {
          return true;
        }
        for (String name : o.fieldNames()) {
          if (!declared.contains(name) && !extra.test(o.getValue(name))) {
            return false;
          }
        }
        return true;
      };
    }

    private Check items(JsonObject schema, Object arg) throws Unsupported {
      if (schema.containsKey("prefixItems") || arg instanceof JsonArray) {
        throw new Unsupported("tuple items");
      }
      Check each = compile(arg);
      return v -> {
        if (!(v instanceof JsonArray a)) {
          return true;
        }
        for (int i = 0; i < a.size(); i++) {
          if (!each.test(a.getValue(i))) {
            return false;
          }
        }
        return true;
      };
    }

    /** Enumerations of strings (the contract has no other kind): a value of another type never matches. */
    private static Check enumeration(Object arg) throws Unsupported {
      if (!(arg instanceof JsonArray list)) {
        throw new Unsupported("enum");
      }
      Set<String> allowed = new HashSet<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new Unsupported("enum of non-strings");
        }
        allowed.add(s);
      }
      return v -> v instanceof String s && allowed.contains(s);
    }

    private static Check bound(Object arg, boolean lower) throws Unsupported {
      if (!(arg instanceof Number n)) {
        throw new Unsupported("bound");
      }
      BigDecimal limit = decimal(n);
      return v -> {
        if (!(v instanceof Number x)) {
          return true;
        }
        if ((x instanceof Double d && d.isInfinite()) || (x instanceof Float f && f.isInfinite())) {
          return false; // 1e400 parses as infinity: let Vert.x's validator judge and word it
        }
        int cmp = decimal(x).compareTo(limit);
        return lower ? cmp >= 0 : cmp <= 0;
      };
    }

    private static int count(Object arg) throws Unsupported {
      if (!(arg instanceof Number n) || !isInteger(n) || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
        throw new Unsupported("count");
      }
      return n.intValue();
    }

    private List<Check> list(Object arg) throws Unsupported {
      if (!(arg instanceof JsonArray schemas) || schemas.isEmpty()) {
        throw new Unsupported("schema list");
      }
      List<Check> out = new ArrayList<>();
      for (Object s : schemas) {
        out.add(compile(s));
      }
      return out;
    }

    /** {@code $ref} into this document (Vert.x writes {@code app:///#/components/...}). */
    private Check ref(Object arg) throws Unsupported {
      if (!(arg instanceof String ref) || ref.indexOf('#') < 0) {
        throw new Unsupported("$ref");
      }
      String pointer = ref.substring(ref.indexOf('#') + 1);
      Check[] holder = refs.get(pointer);
      if (holder == null) {
        holder = new Check[1];
        refs.put(pointer, holder);
        holder[0] = compile(resolve(pointer));
      }
      Check[] target = holder;
      return v -> target[0].test(v);
    }

    private Object resolve(String pointer) throws Unsupported {
      if (!pointer.startsWith("/")) {
        throw new Unsupported("$ref " + pointer);
      }
      Object at = document;
      for (String part : pointer.substring(1).split("/", -1)) {
        String name = part.replace("~1", "/").replace("~0", "~");
        if (!(at instanceof JsonObject o) || !o.containsKey(name)) {
          throw new Unsupported("$ref " + pointer);
        }
        at = o.getValue(name);
      }
      return at;
    }
  }

  /** Vert.x's reading of {@code integer}: a number without a fraction, whatever its Java type. */
  private static boolean isInteger(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      return true;
    }
    if (v instanceof Double d) {
      return d % 1 == 0;
    }
    if (v instanceof Float f) {
      return f % 1 == 0;
    }
    if (v instanceof BigDecimal b) {
      return b.remainder(BigDecimal.ONE).equals(BigDecimal.ZERO);
    }
    return false;
  }

  private static BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal b) {
      return b;
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (n instanceof Double || n instanceof Float) {
      return BigDecimal.valueOf(n.doubleValue());
    }
    return BigDecimal.valueOf(n.longValue());
  }
}
