package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a session hash (fields in {@link #FIELDS} order). The hash does not repeat what its key
 * says (the session id, and so its pool), which keeps a session in Redis small.
 */
final class SessionCodec {
  static final List<String> FIELDS = List.of("property", "visitor", "number", "attribution",
      "state", "startedAt", "leaseExpiresAt", "releasedAt", "endsAt", "naturalEndsAt", "tz",
      "tap", "copy", "hidden", "shown");

  private SessionCodec() {}

  static List<String> hmget(String key) {
    List<String> args = new ArrayList<>(FIELDS.size() + 1);
    args.add(key);
    args.addAll(FIELDS);
    return args;
  }

  /** The session, or null when the hash does not exist. */
  static Session decode(String sessionId, Response r) {
    if (r == null || r.size() < FIELDS.size() || r.get(0) == null || r.get(4) == null) {
      return null;
    }
    return new Session(
        sessionId,
        SessionIds.poolOf(sessionId),
        str(r, 0),
        str(r, 1),
        PhoneNumber.parse(str(r, 2)),
        JsonMapper.read(str(r, 3), Attribution.class),
        Session.State.valueOf(str(r, 4)),
        time(r, 5),
        time(r, 6),
        time(r, 7),
        time(r, 8),
        time(r, 9),
        str(r, 10),
        new Session.Evidence(time(r, 11), time(r, 12), time(r, 13), time(r, 14)));
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
