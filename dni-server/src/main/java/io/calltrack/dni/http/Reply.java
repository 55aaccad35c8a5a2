package io.calltrack.dni.http;

import io.calltrack.core.json.JsonMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * An answer that is not "200 and this value as JSON": another status, no body, CSV, a script, a
 * page, or extra headers. An {@link Endpoint} returns one when it needs one; {@link Respond} writes it.
 *
 * @param status HTTP status
 * @param contentType null for no body
 * @param body null for no body
 * @param headers extra headers (mutable until written; {@link #header} adds)
 */
public record Reply(int status, String contentType, Buffer body, MultiMap headers) {
  public static final String JSON = "application/json; charset=utf-8";
  public static final String CSV = "text/csv; charset=utf-8";

  /** {@code status} with {@code value} as JSON, never cached by browsers. */
  public static Reply json(int status, Object value) {
    return new Reply(status, JSON, Buffer.buffer(JsonMapper.write(value)), MultiMap.caseInsensitiveMultiMap())
        .header("cache-control", "no-store");
  }

  /** 204, nothing cached. */
  public static Reply noContent() {
    return new Reply(204, null, null, MultiMap.caseInsensitiveMultiMap()).header("cache-control", "no-store");
  }

  /** 200 with a body of the given type (headers such as caching are the caller's to add). */
  public static Reply of(String contentType, Buffer body) {
    return new Reply(200, contentType, body, MultiMap.caseInsensitiveMultiMap());
  }

  /** A CSV download named {@code filename}, never cached. */
  public static Reply csv(String filename, String text) {
    return of(CSV, Buffer.buffer(text))
        .header("cache-control", "no-store")
        .header("content-disposition", "attachment; filename=\"" + filename + "\"");
  }

  /** A status without a body (a 304, say). */
  public static Reply status(int status) {
    return new Reply(status, null, null, MultiMap.caseInsensitiveMultiMap());
  }

  public Reply header(String name, String value) {
    headers.add(name, value);
    return this;
  }
}
