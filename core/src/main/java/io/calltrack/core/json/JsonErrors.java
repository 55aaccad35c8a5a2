package io.calltrack.core.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.Map;

/**
 * Turns a JSON parser or mapper failure into a {@link CalltrackException.Invalid} in the client's terms:
 * where ({@code page.url}, or line and column for broken JSON) and what was expected (a string, a
 * number, an object...). Never the Java type, the parser's token names or its source excerpt: those
 * say how the server is built, not what the client should send.
 */
public final class JsonErrors {
  private JsonErrors() {}

  public static CalltrackException translate(JsonProcessingException e) {
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof CalltrackException ce) {
        return ce;
      }
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return new CalltrackException.Invalid("unknown field '" + u.getPropertyName() + "' at " + parentPath(u));
    }
    if (e instanceof InvalidFormatException f) {
      return new CalltrackException.Invalid("wrong value at " + path(f) + ": expected " + expected(f.getTargetType())
          + (f.getValue() instanceof String s ? ", got '" + shorten(s) + "'" : ""));
    }
    if (e instanceof MismatchedInputException m) {
      if (m.getTargetType() == null) {
        return new CalltrackException.Invalid("wrong type at " + path(m));
      }
      return new CalltrackException.Invalid("wrong type at " + path(m) + ": expected " + expected(m.getTargetType()));
    }
    if (e instanceof ValueInstantiationException v) {
      Throwable c = v.getCause();
      if (c instanceof NullPointerException && c.getMessage() != null && c.getMessage().matches("[A-Za-z]+")) {
        return new CalltrackException.Invalid("missing field '" + c.getMessage() + "' at " + path(v));
      }
      return new CalltrackException.Invalid("invalid value at " + path(v));
    }
    if (e instanceof JsonMappingException m) {
      return new CalltrackException.Invalid("invalid value at " + path(m));
    }
    if (e instanceof com.fasterxml.jackson.core.JsonParseException p && p.getOriginalMessage() != null
        && p.getOriginalMessage().startsWith("Duplicate field") && p.getProcessor() != null) {
      return new CalltrackException.Invalid("the body names '" + path(p.getProcessor().getParsingContext())
          + "' twice; each field may appear once in an object");
    }
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      return new CalltrackException.Invalid("malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }
    return new CalltrackException.Invalid("malformed JSON");
  }

  /** What a client should send for a value read as {@code type}, in JSON's own words. */
  static String expected(Class<?> type) {
    if (type == null) {
      return "another value";
    }
    if (type == String.class || type == Character.class || type == char.class || type.isEnum()) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class || type == short.class || type == BigInteger.class) {
      return "a whole number";
    }
    if (type == BigDecimal.class) {
      return "a decimal number as a string, like \"12.50\"";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Instant.class) {
      return "an ISO-8601 instant string, like \"2026-03-08T14:00:00Z\"";
    }
    if (type == LocalDate.class) {
      return "a date string, like \"2026-03-08\"";
    }
    if (Temporal.class.isAssignableFrom(type)) {
      return "a date or time string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (type.getSimpleName().equals("PhoneNumber")) {
      return "a phone number string, like \"+15551234567\"";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
      return "an object";
    }
    return "another kind of value";
  }

  /**
   * Where in the body, as the request check names it (docs/api.md): fields dotted, list items numbered
   * from 1 ({@code swapNumbers[1]} is the first), the body itself "the body".
   */
  static String path(JsonMappingException e) {
    return path(e.getPath() == null ? java.util.List.of() : e.getPath());
  }

  private static String path(java.util.List<JsonMappingException.Reference> refs) {
    StringBuilder sb = new StringBuilder();
    for (var ref : refs) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex() + 1).append(']');
      }
    }
    return sb.length() == 0 ? "the body" : sb.toString();
  }

  /** Where a streaming parser is, as {@link #path(JsonMappingException)} names it. */
  private static String path(com.fasterxml.jackson.core.JsonStreamContext at) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (var c = at; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject()) {
        parts.addFirst("." + c.getCurrentName());
      } else {
        parts.addFirst("[" + (c.getCurrentIndex() + 1) + "]");
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }

  private static String parentPath(JsonMappingException e) {
    var refs = e.getPath() == null ? java.util.List.<JsonMappingException.Reference>of() : e.getPath();
    return path(refs.isEmpty() ? refs : refs.subList(0, refs.size() - 1));
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
