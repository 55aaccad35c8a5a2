package io.calltrack.core.calls;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Call records in Redis. Keys share the {@code {calls}} hash tag so each event's record, index entry
 * and stream entry are written by one Lua script (and stay in one slot on Redis Cluster):
 * <ul>
 *   <li>{@code {calls}:call:<callId>} — hash: {@code seq} (last applied event), {@code record} (JSON),
 *       {@code outcome} (JSON, set by the business later)</li>
 *   <li>{@code {calls}:by-start} — sorted set of {@code <13-digit start millis>|<callId>}, all at score
 *       0, so a lexicographic range is a time range and a member is an exact paging cursor</li>
 *   <li>{@code {calls}:events} — the stream the ROI rollups read: fields {@code callId, seq, type,
 *       record}; outcome changes add {@code type=outcome} entries with an {@code outcome} field</li>
 *   <li>{@code {calls}:retention} — hash property → call-record retention in ms ({@link CallRetention});
 *       a call hash gets its TTL from it when an event is applied</li>
 * </ul>
 */
public final class RedisCallStore implements CallStore {
  public static final String KEY_PREFIX = "{calls}:call:";
  public static final String INDEX = "{calls}:by-start";
  public static final String EVENTS_STREAM = "{calls}:events";
  /** Approximate cap on the stream; rollups read it continuously, far behind this. */
  public static final long STREAM_MAX_LEN = 1_000_000;
  public static final int MAX_PAGE = 500;

  private static final LuaScript APPLY = LuaScript.load("/lua/calls/apply-event.lua");
  private static final LuaScript OUTCOME = LuaScript.load("/lua/calls/set-outcome.lua");

  private final RedisAPI api;
  private final java.time.Clock clock;

  public RedisCallStore(RedisAPI api) {
    this(api, java.time.Clock.systemUTC());
  }

  /** @param clock the time a record's retention TTL is counted from (tests move it by hand) */
  public RedisCallStore(RedisAPI api, java.time.Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  public RedisCallStore(Redis redis) {
    this(RedisAPI.api(redis));
  }

  public static String key(String callId) {
    return KEY_PREFIX + callId;
  }

  static String indexMember(Instant startedAt, String callId) {
    return String.format("%013d|%s", startedAt.toEpochMilli(), callId);
  }

  @Override
  public Future<Boolean> apply(CallEvent event) {
    CallRecord r = event.record();
    return APPLY.run(api, List.of(key(event.callId()), INDEX, EVENTS_STREAM, CallRetention.KEY),
            List.of(Integer.toString(event.seq()), JsonMapper.write(r.withOutcome(null)),
                indexMember(r.startedAt(), event.callId()), event.type().json(), event.callId(),
                Long.toString(STREAM_MAX_LEN), r.property() == null ? "" : r.property(),
                Long.toString(clock.millis()), Long.toString(r.startedAt().toEpochMilli())))
        .map(res -> res.toInteger() == 1);
  }

  @Override
  public Future<Optional<CallRecord>> get(String callId) {
    return api.hmget(List.of(key(callId), "record", "outcome"))
        .map(res -> Optional.ofNullable(toRecord(res.get(0), res.get(1))));
  }

  @Override
  public Future<CallPage> page(Instant from, Instant to, int limit, String cursor) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new CalltrackException.Invalid("limit must be between 1 and " + MAX_PAGE);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new CalltrackException.Invalid("from must be before to");
    }
    String max = to == null ? "+" : "(" + String.format("%013d", to.toEpochMilli());
    if (cursor != null) {
      String member = decodeCursor(cursor);
      if (to == null || member.compareTo(max.substring(1)) < 0) {
        max = "(" + member;
      }
    }
    String min = from == null ? "-" : "[" + String.format("%013d", from.toEpochMilli());
    // ZRANGE ... BYLEX REV (Redis 6.2+) is what the deprecated ZREVRANGEBYLEX became: max first
    return api.zrange(List.of(INDEX, max, min, "BYLEX", "REV", "LIMIT", "0", Integer.toString(limit + 1)))
        .compose(members -> {
          List<String> ids = new ArrayList<>();
          for (Response m : members) {
            ids.add(m.toString());
          }
          boolean more = ids.size() > limit;
          List<String> pageMembers = more ? ids.subList(0, limit) : ids;
          String next = more ? encodeCursor(pageMembers.get(pageMembers.size() - 1)) : null;
          if (pageMembers.isEmpty()) {
            return Future.succeededFuture(new CallPage(List.of(), null));
          }
          // one HMGET per call, pipelined on the connection
          List<Future<Response>> reads = new ArrayList<>();
          for (String member : pageMembers) {
            String callId = member.substring(member.indexOf('|') + 1);
            reads.add(api.hmget(List.of(key(callId), "record", "outcome")));
          }
          return Future.all(reads).map(all -> {
            List<CallRecord> calls = new ArrayList<>();
            for (Future<Response> read : reads) {
              Response res = read.result();
              CallRecord r = toRecord(res.get(0), res.get(1));
              if (r != null) {
                calls.add(r);
              }
            }
            return new CallPage(calls, next);
          });
        });
  }

  @Override
  public Future<CallRecord> setOutcome(String callId, CallOutcome outcome) {
    return setOutcomeEvent(callId, outcome).compose(entry -> get(callId).map(Optional::orElseThrow));
  }

  @Override
  public Future<String> setOutcomeEvent(String callId, CallOutcome outcome) {
    return OUTCOME.run(api, List.of(key(callId), EVENTS_STREAM),
            List.of(JsonMapper.write(outcome), callId, Long.toString(STREAM_MAX_LEN)))
        .compose(res -> "0".equals(res.toString())
            ? Future.failedFuture(new CalltrackException.NotFound("no call '" + callId + "'"))
            : Future.succeededFuture(res.toString()));
  }

  @Override
  public Future<List<String>> missing(List<String> callIds) {
    if (callIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // one EXISTS per id, pipelined on the client's connection
    List<Future<Response>> checks = new ArrayList<>();
    for (String id : callIds) {
      checks.add(api.exists(List.of(key(id))));
    }
    return Future.all(checks).map(all -> {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < callIds.size(); i++) {
        if (checks.get(i).result().toInteger() == 0) {
          out.add(callIds.get(i));
        }
      }
      return out;
    });
  }

  private static CallRecord toRecord(Response record, Response outcome) {
    if (record == null) {
      return null;
    }
    CallRecord r = JsonMapper.read(record.toString(), CallRecord.class);
    return outcome == null ? r : r.withOutcome(JsonMapper.read(outcome.toString(), CallOutcome.class));
  }

  private static String encodeCursor(String member) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(member.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    try {
      String member = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!member.matches("[0-9]{13}\\|.+")) {
        throw new IllegalArgumentException();
      }
      return member;
    } catch (IllegalArgumentException e) {
      throw new CalltrackException.Invalid("cursor is not one this API gave out");
    }
  }
}
