package io.calltrack.core.calls;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.PageCursor;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Call records in Redis, sharded by property: each property's calls carry the hash tag
 * {@code {calls:<property>}} (calls without a property: {@code {calls:_}}), so on Redis Cluster the
 * call writes of different properties land on different shards, while each event's record, index
 * entry and stream entry are still written by one Lua script in one slot:
 * <ul>
 *   <li>{@code {calls:P}:call:<callId>} — hash: {@code seq} (last applied event), {@code record}
 *       (JSON), {@code outcome} (JSON, set by the business later)</li>
 *   <li>{@code {calls:P}:by-start} — sorted set of {@code <13-digit start millis>|<callId>}, all at
 *       score 0, so a lexicographic range is a time range and a member is an exact paging cursor</li>
 *   <li>{@code {calls:P}:events} — the stream the ROI rollups read: fields {@code callId, seq, type,
 *       record}; outcome changes add {@code type=outcome} entries with an {@code outcome} field, and a
 *       transcript kept a {@code type=transcript} entry ({@code Transcripts})</li>
 *   <li>{@code {calls}:shards} — set of the shards (property ids, {@code _}) that have calls: added
 *       before a shard's first write, read to find a call by id alone, to page over every shard
 *       and by the rollup consumers to find every stream. Tiny, written once per shard.</li>
 *   <li>{@code {calls:P}:retention} — the property's call-record retention in ms ({@link CallRetention});
 *       a call hash gets its TTL from it when an event is applied</li>
 * </ul>
 */
public final class RedisCallStore implements CallStore {
  /** The set of shards with calls (see the class comment). */
  public static final String SHARDS = "{calls}:shards";
  /** The shard of calls that have no property. */
  public static final String NO_PROPERTY = "_";
  /** Approximate cap on each stream; rollups read it continuously, far behind this. */
  public static final long STREAM_MAX_LEN = 1_000_000;
  public static final int MAX_PAGE = 500;
  /** A page's place in an index: its last member, {@code <13-digit start ms>|<call id>}. */
  private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("[0-9]{13}\\|.+");

  private static final LuaScript APPLY = LuaScript.load("/lua/calls/apply-event.lua");
  private static final LuaScript OUTCOME = LuaScript.load("/lua/calls/set-outcome.lua");

  private final RedisAPI api;
  /** The client behind {@link #api} when known: WAIT-backed writes need it (null: plain writes). */
  private final Redis redis;
  private final LuaScript.Durability durability;
  /** Shards this process has already registered in {@link #SHARDS}. */
  private final Set<String> registered = ConcurrentHashMap.newKeySet();

  /** The time a record's retention TTL is counted from (tests move it by hand). */
  private java.time.Clock clock = java.time.Clock.systemUTC();

  public RedisCallStore(RedisAPI api) {
    this.api = api;
    this.redis = null;
    this.durability = LuaScript.Durability.NONE;
  }

  /** A store on {@code api} that counts retention TTLs with {@code clock}. */
  public RedisCallStore(RedisAPI api, java.time.Clock clock) {
    this(api);
    this.clock = clock;
  }

  /** The shard's call-record retention (ms, a string; see {@link CallRetention}). */
  public static String retention(String property) {
    return tag(shard(property)) + "retention";
  }

  public RedisCallStore(Redis redis) {
    this(redis, LuaScript.Durability.NONE);
  }

  /**
   * A store whose call events are acknowledged only once {@code durability} replicas have them
   * (WAIT): the router then keeps an event in its spool until a failover can no longer lose it.
   */
  public RedisCallStore(Redis redis, LuaScript.Durability durability) {
    this.api = RedisAPI.api(redis);
    this.redis = redis;
    this.durability = durability;
  }

  /** The shard of a call of {@code property} (null: the no-property shard). */
  public static String shard(String property) {
    return property == null || property.isEmpty() ? NO_PROPERTY : property;
  }

  private static String tag(String shard) {
    return "{calls:" + shard + "}:";
  }

  /** The call's hash in the shard of {@code property}. */
  public static String key(String property, String callId) {
    return tag(shard(property)) + "call:" + callId;
  }

  public static String index(String property) {
    return tag(shard(property)) + "by-start";
  }

  /** The shard's calls waiting to be transcribed (zset: call id by when it is due, ms; {@code TranscriptionQueue}). */
  public static String transcriptionQueue(String property) {
    return tag(shard(property)) + "transcriptions";
  }

  /** The shard's failed transcription attempts so far (hash: call id → attempts). */
  public static String transcriptionAttempts(String property) {
    return tag(shard(property)) + "transcription-attempts";
  }

  /** The GA4 and Meta events already sent of a call ({@code CallEventForwarder}), in its property's shard. */
  public static String callEventsSent(String property, String callId) {
    return tag(shard(property)) + "events-sent:" + callId;
  }

  /** The calls stream of {@code property}'s shard, read by the rollup consumers. */
  public static String eventsStream(String property) {
    return tag(shard(property)) + "events";
  }

  static String indexMember(Instant startedAt, String callId) {
    return millis13(startedAt.toEpochMilli()) + "|" + callId;
  }

  /** The call id of a by-start index member ({@link #indexMember}). */
  public static String callIdOf(String indexMember) {
    return indexMember.substring(indexMember.indexOf('|') + 1);
  }

  /** The start of a by-start index member's call ({@link #indexMember}). */
  public static Instant startOf(String indexMember) {
    return Instant.ofEpochMilli(Long.parseLong(indexMember.substring(0, indexMember.indexOf('|'))));
  }

  /**
   * Epoch milliseconds zero-padded to 13 digits (index members sort by start as strings). Not
   * String.format: it looked up the locale's digits on every call, on the path of every call event.
   */
  public static String millis13(long millis) {
    if (millis < 0) {
      return String.format("%013d", millis); // before 1970: never a call's start
    }
    String digits = Long.toString(millis);
    return digits.length() >= 13 ? digits : "0".repeat(13 - digits.length()) + digits;
  }

  /** Every shard that has calls (property ids, and {@link #NO_PROPERTY}), sorted. */
  public Future<List<String>> shards() {
    return api.smembers(SHARDS).map(res -> {
      List<String> out = new ArrayList<>();
      for (Response r : res) {
        out.add(r.toString());
      }
      Collections.sort(out);
      return out;
    });
  }

  private Future<Void> register(String shard) {
    if (registered.contains(shard)) {
      return Future.succeededFuture();
    }
    return api.sadd(List.of(SHARDS, shard)).map(r -> {
      registered.add(shard);
      return null;
    });
  }

  /**
   * The property shard that holds {@code callId} (empty if no shard does). A call id is in one shard:
   * its property comes from the dialled number and does not change during the call.
   */
  public Future<Optional<String>> locate(String callId) {
    return shards().compose(shards -> {
      List<Future<Response>> checks = new ArrayList<>();
      for (String shard : shards) {
        checks.add(api.exists(List.of(key(shard, callId))));
      }
      return Future.all(checks).map(all -> {
        for (int i = 0; i < shards.size(); i++) {
          if (checks.get(i).result().toInteger() == 1) {
            return Optional.of(shards.get(i));
          }
        }
        return Optional.<String>empty();
      });
    });
  }

  @Override
  public Future<Boolean> apply(CallEvent event) {
    return apply(event, null, 3);
  }

  /** {@code event} written with its record cleaned by {@code erasure}, as stored (null: as it is). */
  private Future<Boolean> apply(CallEvent event, String erasure, int tries) {
    String shard = shard(event.record().property());
    LuaScript.Run run = applyRun(shard, event, erasure);
    return register(shard).compose(v -> redis != null && durability.enabled()
            ? APPLY.runReplicated(redis, run.keys(), run.args(), durability)
            : APPLY.run(api, run.keys(), run.args()))
        .compose(res -> written(event, res, tries));
  }

  /**
   * The script's answer: written, a replay, or the call's erasure since its last event, with which
   * the event is written again (a call ringing while its caller or visitor was erased).
   */
  private Future<Boolean> written(CallEvent event, Response res, int tries) {
    if (res.type() != ResponseType.BULK) {
      return Future.succeededFuture(res.toInteger() == 1);
    }
    if (tries <= 1) {
      return Future.failedFuture(new IllegalStateException(
          "call " + event.callId() + " kept being erased while its event was written"));
    }
    return apply(event, res.toString(), tries - 1);
  }

  /**
   * One batch per shard (a shard's keys share a slot; on a cluster, different shards may not), each
   * one round trip however many events it holds: the router hands its call events over in groups.
   * Each event's answer is its shard's: one shard may fail while another takes its events.
   */
  @Override
  public List<Future<Boolean>> applyEach(List<CallEvent> events) {
    if (redis == null) {
      return CallStore.super.applyEach(events);
    }
    Map<String, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      byShard.computeIfAbsent(shard(events.get(i).record().property()), k -> new ArrayList<>()).add(i);
    }
    List<Future<Boolean>> each = new ArrayList<>(Collections.nCopies(events.size(), null));
    byShard.forEach((shard, positions) -> {
      List<LuaScript.Run> runs = new ArrayList<>(positions.size());
      for (int i : positions) {
        runs.add(applyRun(shard, events.get(i), null));
      }
      Future<List<Response>> batch =
          register(shard).compose(v -> APPLY.runAll(redis, runs, durability));
      // an event sent again (its call erased meanwhile) goes after the one before it has gone again:
      // a later seq first would make the earlier event a replay, missing from the stream
      Future<?> previous = batch;
      for (int j = 0; j < positions.size(); j++) {
        int at = j;
        CallEvent event = events.get(positions.get(j));
        Future<Boolean> one = previous.transform(done -> batch.compose(res -> written(event, res.get(at), 3)));
        each.set(positions.get(j), one);
        previous = one;
      }
    });
    return each;
  }

  private LuaScript.Run applyRun(String shard, CallEvent event, String erasure) {
    CallRecord r = erasure == null ? event.record()
        : JsonMapper.readStored(erasure, CallErasure.class).applyTo(event.record());
    List<String> keys = List.of(key(shard, event.callId()), index(shard), eventsStream(shard), retention(shard));
    List<String> args = List.of(Integer.toString(event.seq()), JsonMapper.write(r.withOutcome(null)),
        indexMember(r.startedAt(), event.callId()), event.type().json(), event.callId(),
        Long.toString(STREAM_MAX_LEN), Long.toString(clock.millis()), Long.toString(r.startedAt().toEpochMilli()),
        erasure == null ? "" : erasure);
    return new LuaScript.Run(keys, args);
  }

  @Override
  public Future<Optional<CallRecord>> get(String callId) {
    return locate(callId).compose(shard -> shard.isEmpty()
        ? Future.succeededFuture(Optional.<CallRecord>empty())
        : get(shard.get(), callId));
  }

  /** The call as stored in {@code property}'s shard. */
  public Future<Optional<CallRecord>> get(String property, String callId) {
    return api.hmget(List.of(key(property, callId), "record", "outcome"))
        .map(res -> Optional.ofNullable(toRecord(res.get(0), res.get(1))));
  }

  @Override
  public Future<CallPage> page(String property, Instant from, Instant to, int limit, String cursor) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new CalltrackException.Invalid("limit must be between 1 and " + MAX_PAGE);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new CalltrackException.Invalid("from must be before to");
    }
    String max = to == null ? "+" : "(" + millis13(to.toEpochMilli());
    if (cursor != null) {
      String member = PageCursor.decode(cursor, CURSOR);
      if (to == null || member.compareTo(max.substring(1)) < 0) {
        max = "(" + member;
      }
    }
    String min = from == null ? "-" : "[" + millis13(from.toEpochMilli());
    String maxBound = max;
    // newest first over every shard (or the property's own): each shard's newest limit+1 in range,
    // merged, the first limit+1 kept
    Future<List<String>> over = property == null ? shards() : Future.succeededFuture(List.of(shard(property)));
    return over.compose(shards -> {
      List<Future<Response>> ranges = new ArrayList<>();
      for (String shard : shards) {
        // ZRANGE ... BYLEX REV (Redis 6.2+) is what the deprecated ZREVRANGEBYLEX became: max first
        ranges.add(api.zrange(List.of(index(shard), maxBound, min, "BYLEX", "REV", "LIMIT", "0",
            Integer.toString(limit + 1))));
      }
      return Future.all(ranges).compose(all -> {
        List<String[]> members = new ArrayList<>(); // {member, shard}
        for (int i = 0; i < shards.size(); i++) {
          for (Response m : ranges.get(i).result()) {
            members.add(new String[] {m.toString(), shards.get(i)});
          }
        }
        members.sort((a, b) -> b[0].compareTo(a[0]));
        boolean more = members.size() > limit;
        List<String[]> pageMembers = more ? members.subList(0, limit) : members;
        String next = more ? PageCursor.encode(pageMembers.get(pageMembers.size() - 1)[0]) : null;
        if (pageMembers.isEmpty()) {
          return Future.succeededFuture(new CallPage(List.of(), null));
        }
        // one HMGET per call, pipelined on the connection
        List<Future<Response>> reads = new ArrayList<>();
        for (String[] member : pageMembers) {
          String callId = callIdOf(member[0]);
          reads.add(api.hmget(List.of(key(member[1], callId), "record", "outcome")));
        }
        return Future.all(reads).map(done -> {
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
    });
  }

  @Override
  public Future<CallRecord> setOutcome(String callId, CallOutcome outcome) {
    return setOutcomeEvent(callId, outcome).compose(entry -> get(callId).map(Optional::orElseThrow));
  }

  @Override
  public Future<String> setOutcomeEvent(String callId, CallOutcome outcome) {
    return locate(callId).compose(shard -> shard.isEmpty()
        ? Future.failedFuture(new CalltrackException.NotFound("no call '" + callId + "'"))
        : setOutcomeEvent(shard.get(), callId, outcome));
  }

  /** {@link #setOutcomeEvent(String, CallOutcome)} on the call in {@code property}'s shard. */
  public Future<String> setOutcomeEvent(String property, String callId, CallOutcome outcome) {
    return OUTCOME.run(api, List.of(key(property, callId), eventsStream(property)),
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
    // one EXISTS per id and shard, pipelined on the client's connection
    return shards().compose(shards -> {
      List<Future<Response>> checks = new ArrayList<>();
      for (String id : callIds) {
        for (String shard : shards) {
          checks.add(api.exists(List.of(key(shard, id))));
        }
      }
      return Future.all(checks).map(all -> {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < callIds.size(); i++) {
          boolean found = false;
          for (int j = 0; j < shards.size(); j++) {
            found |= checks.get(i * shards.size() + j).result().toInteger() == 1;
          }
          if (!found) {
            out.add(callIds.get(i));
          }
        }
        return out;
      });
    });
  }

  private static CallRecord toRecord(Response record, Response outcome) {
    if (record == null) {
      return null;
    }
    CallRecord r = JsonMapper.readStored(record.toString(), CallRecord.class);
    return outcome == null ? r : r.withOutcome(JsonMapper.readStored(outcome.toString(), CallOutcome.class));
  }

}
