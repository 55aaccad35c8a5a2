package io.calltrack.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.calltrack.core.CalltrackException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.jackson.DatabindCodec;

/**
 * The one JSON mapper. It is Vert.x's own ({@link DatabindCodec#mapper()}), configured once here, so
 * that {@code JsonObject.mapTo}, {@code Json.encode} and our records all read and write JSON the same
 * way: ISO-8601 instants, money as strings (BigDecimal fields are written plain), unknown fields
 * ignored where a record says so, wrong types refused.
 */
public final class JsonMapper {
  private static volatile boolean configured;

  private JsonMapper() {}

  public static ObjectMapper mapper() {
    ObjectMapper mapper = DatabindCodec.mapper();
    if (!configured) {
      synchronized (JsonMapper.class) {
        if (!configured) {
          mapper.registerModule(new JavaTimeModule());
          // instants written as ISO_INSTANT writes them, by a formatter of our own (a later module's
          // serializer comes first): see IsoInstant
          mapper.registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("calltrack-instants")
              .addSerializer(java.time.Instant.class, new IsoInstant.Serializer()));
          mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
          mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
          mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
          // "{...} trailing" is not one JSON value: refuse it rather than act on half of it
          mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
          configured = true;
        }
      }
    }
    return mapper;
  }

  /**
   * Reads a request body; any error becomes a {@link CalltrackException.Invalid} that says what was wrong.
   * A request is read more strictly than what this program stored: a field named twice in one object is
   * refused (which of the two counts is for no reader to guess: an API key's check and the endpoint
   * must never act on different ones), and one leading byte-order mark is not part of the JSON.
   */
  public static <T> T read(Buffer body, Class<T> type) {
    return read(Requests.READER, requestText(body), type);
  }

  /** A request body as a tree, read as {@link #read(Buffer, Class)} reads it. */
  public static com.fasterxml.jackson.databind.JsonNode tree(Buffer body) {
    try {
      return Requests.READER.readTree(requestText(body));
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e);
    }
  }

  /** The body's text without one leading byte-order mark (RFC 8259 8.1 lets a reader ignore it). */
  private static String requestText(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new CalltrackException.Invalid("request body is empty; expected JSON");
    }
    String text = body.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static final class Requests {
    static final com.fasterxml.jackson.databind.ObjectReader READER =
        mapper().reader().with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  public static <T> T read(String json, Class<T> type) {
    return read(mapper().reader(), json, type);
  }

  /** {@code json} read as {@code type} by {@code reader}; any error a {@link CalltrackException.Invalid}. */
  private static <T> T read(com.fasterxml.jackson.databind.ObjectReader reader, String json, Class<T> type) {
    try {
      T value = reader.forType(type).readValue(json);
      if (value == null) {
        throw new CalltrackException.Invalid("expected a JSON object, got null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e);
    } catch (IllegalArgumentException e) {
      throw new CalltrackException.Invalid("invalid value");
    }
  }

  /**
   * Reads what this program stored (Redis values it wrote): a value that does not read is the store's
   * fault (another version wrote it, a hand edit, a corruption), never the request's, so it fails
   * with {@link UnreadableStoredData}, which dni-server answers as a 500 and logs, not as a 400 that
   * would tell the client to change its request.
   */
  public static <T> T readStored(String json, Class<T> type) {
    try {
      return read(json, type);
    } catch (CalltrackException e) {
      throw new UnreadableStoredData("a stored " + type.getSimpleName() + " does not read: " + e.getMessage());
    }
  }

  /** A stored value that does not read as what was stored; see {@link #readStored}. */
  public static final class UnreadableStoredData extends IllegalStateException {
    public UnreadableStoredData(String message) {
      super(message);
    }
  }

  /**
   * Parses any JSON text into a tree; broken JSON becomes a {@link CalltrackException.Invalid} that
   * says where (line, column), in the client's terms.
   */
  public static com.fasterxml.jackson.databind.JsonNode tree(String json) {
    try {
      return mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e);
    }
  }

  /**
   * As {@link #tree}, with every number with a fraction or exponent read as the BigDecimal its text
   * says (not a double): for money sent as JSON numbers, so 5000.0000000000001 stays what it is.
   */
  public static com.fasterxml.jackson.databind.JsonNode treeExact(String json) {
    try {
      return mapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(json);
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e);
    }
  }

  public static String write(Object value) {
    return write(mapper().writer(), value);
  }

  /**
   * As {@link #write}, leaving out null fields: for text kept only to be read back by this mapper
   * (where a missing field is null again), never for what clients read.
   */
  public static String writeWithoutNulls(Object value) {
    return write(WithoutNulls.WRITER, value);
  }

  private static final class WithoutNulls {
    static final com.fasterxml.jackson.databind.ObjectWriter WRITER = mapper().copy()
        .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL).writer();
  }

  private static String write(com.fasterxml.jackson.databind.ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
    }
  }
}
