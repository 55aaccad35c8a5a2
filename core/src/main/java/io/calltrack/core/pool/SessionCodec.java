package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads a session hash (fields in {@link #FIELDS} order, as HMGET and resolve.lua return them). */
final class SessionCodec {
  static final List<String> FIELDS = List.of("sid", "pool", "property", "visitor", "number", "attribution",
      "state", "startedAt", "leaseExpiresAt", "releasedAt", "endsAt", "naturalEndsAt");

  private SessionCodec() {}

  static List<String> hmget(String key) {
    List<String> args = new ArrayList<>(FIELDS.size() + 1);
    args.add(key);
    args.addAll(FIELDS);
    return args;
  }

  /** The session, or null when the hash does not exist. */
  static Session decode(Response r) {
    if (r == null || r.size() < FIELDS.size() || r.get(0) == null) {
      return null;
    }
    return new Session(
        str(r, 0),
        str(r, 1),
        str(r, 2),
        str(r, 3),
        PhoneNumber.parse(str(r, 4)),
        JsonMapper.read(str(r, 5), Attribution.class),
        Session.State.valueOf(str(r, 6)),
        time(r, 7),
        time(r, 8),
        time(r, 9),
        time(r, 10),
        time(r, 11));
  }

  private static String str(Response r, int i) {
    Response v = r.get(i);
    return v == null ? null : v.toString();
  }

  private static Instant time(Response r, int i) {
    String v = str(r, i);
    return v == null || v.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(v));
  }
}
