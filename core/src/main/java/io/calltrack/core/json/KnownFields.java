package io.calltrack.core.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.CalltrackException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses a JSON document that names a field its type does not have. The records ignore unknown
 * fields so that stored data written by another version still reads; what a person writes (the
 * {@code CALLTRACK_CONFIG} file) is checked first, so that a misspelt setting is an error naming it,
 * not a setting silently left out. Follows records, lists, maps' values and classes built by a
 * {@link JsonCreator} whose parameters are named with {@link JsonProperty}.
 */
public final class KnownFields {
  private KnownFields() {}

  /** Throws {@link CalltrackException.Invalid} naming the first field of {@code node} that {@code type} does not have. */
  public static void check(JsonNode node, Type type) {
    check(node, type, "");
  }

  private static void check(JsonNode node, Type type, String path) {
    if (node == null || node.isNull()) {
      return;
    }
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : type instanceof Class<?> c ? c : null;
    if (raw == null) {
      return;
    }
    if (List.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType p) {
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]");
      }
      return;
    }
    if (Map.class.isAssignableFrom(raw) && node.isObject() && type instanceof ParameterizedType p) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        check(e.getValue(), p.getActualTypeArguments()[1], path + "." + e.getKey());
      }
      return;
    }
    Map<String, Type> known = fieldsOf(raw);
    if (known == null || !node.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Type t = known.get(e.getKey());
      if (t == null) {
        throw new CalltrackException.Invalid("unknown field '" + at + "'");
      }
      check(e.getValue(), t, at);
    }
  }

  /** The JSON fields of a record or a {@link JsonCreator}-built class, with their types; null for anything else. */
  private static Map<String, Type> fieldsOf(Class<?> c) {
    Map<String, Type> out = new LinkedHashMap<>();
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        JsonProperty named = rc.getAnnotation(JsonProperty.class) != null ? rc.getAnnotation(JsonProperty.class)
            : rc.getAccessor().getAnnotation(JsonProperty.class);
        out.put(named != null && !named.value().isEmpty() ? named.value() : rc.getName(), rc.getGenericType());
      }
      return out;
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (k.isAnnotationPresent(JsonCreator.class)) {
        for (Parameter p : k.getParameters()) {
          JsonProperty named = p.getAnnotation(JsonProperty.class);
          if (named == null) {
            return null;
          }
          out.put(named.value(), p.getParameterizedType());
        }
        return out;
      }
    }
    return null;
  }
}
