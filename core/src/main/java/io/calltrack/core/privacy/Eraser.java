package io.calltrack.core.privacy;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallErasure;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Erases a person (docs/privacy.md). Records are anonymised rather than deleted, so the rollups' counts
 * and the reports stay what they were:
 * <ul>
 *   <li>a caller: in every call record from that number the caller becomes an erasure token, and so it
 *       does in the property's first-caller hash and in each call's rollup contribution (one token for
 *       all of the caller's calls, so first and repeat calls stay what they were);</li>
 *   <li>a visitor: in every pool its sessions get the token for a visitor id and lose their click ids
 *       and referrer; calls attributed to those sessions lose their click ids and referrer too (so the
 *       Google Ads export no longer carries them), while a call attributed to another visitor's session,
 *       naming one of this visitor's only as a candidate, keeps its attribution: that is the other's.
 *       Source, medium, campaign, keyword and landing page stay: they are what the rollups count by.
 *       The callback requests made from its visits are deleted, and the calls they became lose the
 *       lead's number (a token, as for a caller): the visitor typed it.</li>
 * </ul>
 * Also removed: the person's entries on the calls streams that every reader is done with
 * ({@link StreamScrub}), the webhooks given up on ({@link DeadLetterScrub}), for a caller the
 * attribution's caller index in every pool, and a caller's callback requests ({@code {cb:P}:*}, the same
 * phone number asking to be called) in every property, with their request counters. Exports are
 * made from the records, so they follow. Not reached: a call still ringing whose next event from the
 * router carries the number again, and stream entries no reader has read yet (they go with the
 * stream's retention trim).
 */
public final class Eraser {
  private static final LuaScript REWRITE_CALL = LuaScript.load("/lua/privacy/rewrite-call.lua");
  private static final LuaScript ERASE_CALLER_ROLLUP = LuaScript.load("/lua/rollup/contribution.lua",
      "/lua/privacy/erase-caller-rollup.lua");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PAGE = 500;
  /** E.164: a plus, a country code (never 0), 7 to 15 digits in all, no separators. */
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

  public record Erased(String token, int calls, int sessions, int callbacks) {
    public Erased(String token, int calls, int sessions) {
      this(token, calls, sessions, 0);
    }
  }

  private final RedisAPI redis;
  private final CallStore calls;
  private final ConfigStore config;
  private final SessionRetention sessions;
  private final StreamScrub streams;
  private final DeadLetterScrub deadLetters;
  private final RedisCallbackStore callbacks;

  public Eraser(RedisAPI redis, CallStore calls, ConfigStore config, SessionRetention sessions,
      RedisCallbackStore callbacks) {
    this.redis = redis;
    this.calls = calls;
    this.config = config;
    this.sessions = sessions;
    this.streams = new StreamScrub(redis);
    this.deadLetters = new DeadLetterScrub(redis);
    this.callbacks = callbacks;
  }

  /** A fresh token: random, so nothing about the person can be worked back from it. */
  public static String token() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return "erased:" + HexFormat.of().formatHex(b);
  }

  /** Digits and a leading plus: "+1 (415) 555-0100" and "+14155550100" are one caller. */
  static String normalise(String number) {
    if (number == null) {
      return "";
    }
    String s = number.strip();
    if (s.regionMatches(true, 0, "sip:", 0, 4)) {
      s = s.substring(4);
      int at = s.indexOf('@');
      s = at >= 0 ? s.substring(0, at) : s;
    }
    String digits = s.replaceAll("[^0-9]", "");
    return (s.startsWith("+") ? "+" : "") + digits;
  }

  /**
   * Erases the caller {@code number}, which must be E.164: each part of the erasure (calls, rollups,
   * streams, webhooks, callbacks) matches that one form, so no part can read a national number its own
   * way ({@code 4155550100} once erased a caller's callbacks and none of their calls). Another form
   * fails with {@link CalltrackException.Invalid} and erases nothing.
   */
  public Future<Erased> eraseCaller(String number) {
    if (number == null || !E164.matcher(number).matches()) {
      return Future.failedFuture(new CalltrackException.Invalid(
          "the caller number must be E.164, like +14155550100 (a + and the country code, no spaces)"));
    }
    String wanted = number;
    String token = token();
    CallErasure erasure = CallErasure.caller(token);
    // property -> (caller as stored -> its calls)
    Map<String, Map<String, Set<String>>> byProperty = new LinkedHashMap<>();
    // the callbacks first: a router must not place one to the number while its calls are rewritten
    return eraseCallbacks(wanted).compose(callbacksErased -> rewriteAll(r -> {
      if (r.caller() == null || !normalise(r.caller()).equals(wanted)) {
        return null;
      }
      if (r.property() != null) {
        byProperty.computeIfAbsent(r.property(), p -> new LinkedHashMap<>())
            .computeIfAbsent(r.caller(), c -> new LinkedHashSet<>()).add(r.callId());
      }
      // the recording holds the caller's voice: it goes with the number (the file with the next sweep)
      return erasure;
    }).compose(n -> {
      Future<Void> chain = Future.succeededFuture();
      for (var p : byProperty.entrySet()) {
        for (var c : p.getValue().entrySet()) {
          chain = chain.compose(v -> replaceInRollups(redis, p.getKey(), c.getKey(), token, c.getValue(), true));
        }
      }
      String digits = wanted.replace("+", "");
      return chain
          // and where no record leads any more: a record past callRecordsDays is gone, but the rollups
          // of every property still know the number as a first caller or buyer
          .compose(v -> config.routingTable())
          .compose(table -> inEach(table.properties().keySet(), property -> rollupsWithoutRecords(property, wanted, token)))
          .compose(v -> forgetCallerIndex(wanted))
          .compose(v -> unblock(wanted))
          .compose(v -> streams.everyShard(digits, r -> r.caller() != null && normalise(r.caller()).equals(wanted)))
          .compose(v -> deadLetters.erase(digits, r -> r.caller() != null && normalise(r.caller()).equals(wanted)))
          .map(v -> new Erased(token, n, 0, callbacksErased));
    }));
  }

  /**
   * Deletes the callbacks asked for {@code e164} in every property (a callback is the phone number of
   * someone who asked to be called; stored in E.164).
   */
  private Future<Integer> eraseCallbacks(String e164) {
    return config.routingTable()
        .compose(table -> inEach(table.properties().keySet(), property -> callbacks.erasePhone(property, e164)))
        .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
  }

  /**
   * Runs {@code step} for each of {@code ids} (properties, pools) at once; answers their results in
   * the same order when all have succeeded, or the first failure.
   */
  private static <T> Future<List<T>> inEach(Collection<String> ids, Function<String, Future<T>> step) {
    List<Future<T>> steps = new ArrayList<>();
    for (String id : ids) {
      steps.add(step.apply(id));
    }
    return Future.all(steps).map(all -> steps.stream().map(Future::result).toList());
  }

  /**
   * The caller's number in one property's rollups (first-caller and first-buyer hashes, the calls'
   * contributions) becomes {@code token}; {@code all}: the hashes' entry moves whichever call it names,
   * else only when it names one of {@code callIds} (caller-number retention).
   */
  static Future<Void> replaceInRollups(RedisAPI redis, String property, String caller, String token,
      Set<String> callIds, boolean all) {
    RollupKeys keys = new RollupKeys(property);
    List<String> k = new ArrayList<>();
    k.add(keys.callers());
    k.add(keys.buyers());
    List<String> args = new ArrayList<>(List.of(caller, token, all ? "all" : "listed"));
    for (String id : callIds) {
      k.add(keys.contribution(id));
      args.add(id);
    }
    return ERASE_CALLER_ROLLUP.run(redis, k, args).mapEmpty();
  }

  /**
   * The caller in one property's first-caller and first-buyer hashes, found by the number itself, and
   * in the contributions of the calls those name: what stays of a caller once their records expired.
   */
  private Future<Void> rollupsWithoutRecords(String property, String caller, String token) {
    RollupKeys keys = new RollupKeys(property);
    return redis.hget(keys.callers(), caller).compose(first -> redis.hget(keys.buyers(), caller).compose(buyer -> {
      if (first == null && buyer == null) {
        return Future.<Void>succeededFuture();
      }
      Set<String> callIds = new LinkedHashSet<>();
      for (var named : new io.vertx.redis.client.Response[] {first, buyer}) {
        if (named != null) {
          String v = named.toString(); // "<start ms>|<call id>", or a bare call id (rollup/apply.lua)
          callIds.add(v.substring(v.indexOf('|') + 1));
        }
      }
      return replaceInRollups(redis, property, caller, token, callIds, true);
    }));
  }

  /**
   * The attribution's caller index entries that name the visitor (caller → the visitor their last
   * call went to), found through the callers of the visitor's calls.
   */
  private Future<Void> forgetVisitorOfCallers(Set<String> pools, Set<String> callers, String visitorId) {
    List<String> numbers = callers.stream().filter(c -> c.startsWith("+")).toList();
    return inEach(pools, pool -> inEach(numbers, caller -> {
      String key = new PoolKeys(pool).caller(caller);
      return redis.get(key).compose(v -> v != null && visitorId.equals(v.toString())
          ? redis.del(List.of(key)).<Void>mapEmpty()
          : Future.<Void>succeededFuture());
    })).mapEmpty();
  }

  /**
   * The number leaves every property's {@code blockedCallers}: a block list is the number too (the
   * operator blocks it again if it calls again). Each list is changed as stored at that moment, so an
   * operator's write at the same time is neither lost nor undone.
   */
  private Future<Void> unblock(String number) {
    return config.routingTable().compose(table -> inEach(table.properties().values().stream()
            .filter(listed -> listed.blocks(number)).map(io.calltrack.core.config.PropertyConfig::id).toList(),
        id -> config.updateProperty(id, p -> p.blocks(number)
            ? p.withBlockedCallers(p.blockedCallers().stream().filter(n -> !n.equals(number)).toList())
            : p)).mapEmpty());
  }

  /** The attribution's caller index ({pool:ID}:caller:E164: the visitor a caller's last call went to), every pool. */
  private Future<Void> forgetCallerIndex(String caller) {
    if (!caller.startsWith("+")) {
      return Future.succeededFuture();
    }
    return config.routingTable()
        .compose(table -> inEach(new LinkedHashSet<>(table.poolOfNumber().values()),
            pool -> redis.del(List.of(new PoolKeys(pool).caller(caller)))))
        .mapEmpty();
  }

  /**
   * Erases the visitor {@code visitorId}: its sessions in every pool, the callback requests made from its
   * visits in every property (deleted, like a caller's), and what its calls carry of it (see the class).
   */
  public Future<Erased> eraseVisitor(String visitorId) {
    String token = token();
    Set<String> pools = new LinkedHashSet<>();
    return config.routingTable().compose(table -> {
      pools.addAll(table.poolOfNumber().values());
      // sessions first: a callback asked meanwhile from a session already erased is indexed under the token
      return inEach(pools, pool -> sessions.eraseVisitor(pool, visitorId, token)).compose(erased -> {
        Set<String> sids = new LinkedHashSet<>();
        erased.forEach(sids::addAll);
        return inEach(table.properties().keySet(), property -> callbacks.eraseVisitor(property, visitorId))
            .map(cbs -> new VisitorFound(sids, cbs.stream().flatMap(List::stream).toList()));
      });
    }).compose(found -> found.sessions().isEmpty() && found.callbacks().isEmpty()
        ? Future.succeededFuture(new Erased(token, 0, 0, 0))
        : eraseVisitorCalls(pools, visitorId, found).map(n -> new Erased(token, n, found.sessions().size(),
            found.callbacks().size())));
  }

  /** What a visitor's erasure found of it: its sessions' ids, and its callbacks as they were. */
  private record VisitorFound(Set<String> sessions, List<Callback> callbacks) {
    /** The call is attributed to one of the visitor's sessions. */
    boolean attributed(CallRecord r) {
      return r.sessionId() != null && sessions.contains(r.sessionId());
    }

    /** The call names one of the visitor's sessions as a candidate. */
    boolean candidate(CallRecord r) {
      return r.candidates().stream().anyMatch(c -> sessions.contains(c.sessionId()));
    }

    /**
     * The call was placed for one of the visitor's callbacks (one asked from its visits: attributed to
     * one of them, or named by one of its callbacks, whose session may be gone): its caller is the number
     * the visitor typed.
     */
    boolean fromTheirCallback(CallRecord r) {
      if (!CallRecord.CALLBACK.equals(r.direction())) {
        return false;
      }
      return attributed(r) || callbacks.stream().anyMatch(cb -> r.callId().equals(cb.callId())
          || (r.sessionId() != null && r.sessionId().equals(cb.sessionId())));
    }
  }

  /**
   * The visitor's calls: click ids and referrer go from those attributed to its sessions; the calls its
   * callbacks became also lose the lead's number (a token per number, in the record and the rollups, as
   * a caller's erasure does) since the visitor typed it. Then the streams, dead letters, caller index
   * and, last, the visitor's session index. Answers how many records were rewritten.
   */
  private Future<Integer> eraseVisitorCalls(Set<String> pools, String visitorId, VisitorFound found) {
    Set<String> callers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Map<String, String> leadTokens = new java.util.concurrent.ConcurrentHashMap<>();
    // property -> (lead as stored -> the calls its number is erased from)
    Map<String, Map<String, Set<String>>> leads = new java.util.concurrent.ConcurrentHashMap<>();
    // a call attributed to another session only names the visitor's as a candidate: its attribution
    // (click ids, referrer) is that other visitor's and stays; its caller may still have led to this visitor
    Predicate<CallRecord> theirs = r -> found.attributed(r) || found.fromTheirCallback(r);
    return rewriteAll(r -> {
      if ((theirs.test(r) || found.candidate(r)) && r.caller() != null) {
        callers.add(r.caller());
      }
      if (!theirs.test(r)) {
        return null;
      }
      CallErasure erasure = CallErasure.CLICK_IDS;
      if (found.fromTheirCallback(r) && r.caller() != null && !r.caller().startsWith("erased:")
          && r.property() != null) {
        leads.computeIfAbsent(r.property(), p -> new java.util.concurrent.ConcurrentHashMap<>())
            .computeIfAbsent(r.caller(), c -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(r.callId());
        erasure = erasure.and(CallErasure.callerNumber(leadTokens.computeIfAbsent(normalise(r.caller()), n -> token())));
      }
      return erasure;
    }).compose(n -> {
      Future<Void> chain = Future.succeededFuture();
      for (var p : leads.entrySet()) {
        for (var c : p.getValue().entrySet()) {
          // 'listed': the first-caller hash lets the number go only where it names one of these calls;
          // an inbound call from the same number is another matter (the caller's own erasure)
          chain = chain.compose(v -> replaceInRollups(redis, p.getKey(), c.getKey(),
              leadTokens.get(normalise(c.getKey())), c.getValue(), false));
        }
      }
      return chain
          .compose(v -> streams.everyShard(null, theirs))
          .compose(v -> deadLetters.erase(null, theirs))
          .compose(v -> forgetVisitorOfCallers(pools, callers, visitorId))
          // last: until here an erasure sent again after a failure finds the sessions and their calls
          .compose(v -> inEach(pools, pool -> sessions.forgetVisitor(pool, visitorId)))
          .map(v -> n);
    });
  }

  /**
   * Pages through every call, newest first, and erases from each what {@code change(record)} says
   * where it is not null. Answers how many records were rewritten.
   */
  private Future<Integer> rewriteAll(Function<CallRecord, CallErasure> change) {
    return page(null, change, 0);
  }

  private Future<Integer> page(String cursor, Function<CallRecord, CallErasure> change, int done) {
    return calls.page(null, null, PAGE, cursor).compose(page -> rewrite(page, change).compose(n ->
        page.next() == null ? Future.succeededFuture(done + n) : page(page.next(), change, done + n)));
  }

  private Future<Integer> rewrite(CallPage page, Function<CallRecord, CallErasure> change) {
    List<Future<Integer>> writes = new ArrayList<>();
    for (CallRecord listed : page.calls()) {
      if (change.apply(listed) == null) {
        continue;
      }
      writes.add(rewriteOne(listed.property(), listed.callId(), change, 3));
    }
    return Future.all(writes).map(all -> writes.stream().mapToInt(Future::result).sum());
  }

  /** Reads the stored record, erases from it, and writes it back unless it changed meanwhile (then again). */
  private Future<Integer> rewriteOne(String property, String callId, Function<CallRecord, CallErasure> change,
      int tries) {
    return rewriteRecord(redis, property, callId, change, tries);
  }

  /**
   * Erases from the call's stored record what {@code change(record)} says (null: nothing), and keeps
   * that erasure, with any before it, in the call's hash so that the call's later events are written
   * without it too (see {@link CallErasure}).
   */
  static Future<Integer> rewriteRecord(RedisAPI redis, String property, String callId,
      Function<CallRecord, CallErasure> change, int tries) {
    String key = RedisCallStore.key(property, callId);
    return redis.hmget(List.of(key, "record", "erased")).compose(stored -> {
      Response raw = stored.get(0);
      if (raw == null) {
        return Future.succeededFuture(0);
      }
      CallRecord now = JsonMapper.readStored(raw.toString(), CallRecord.class);
      CallErasure erasure = change.apply(now);
      if (erasure == null) {
        return Future.succeededFuture(0);
      }
      Response before = stored.get(1);
      CallErasure all = before == null ? erasure
          : JsonMapper.readStored(before.toString(), CallErasure.class).and(erasure);
      return REWRITE_CALL.run(redis, List.of(key), List.of(raw.toString(),
              JsonMapper.write(all.applyTo(now).withOutcome(null)), JsonMapper.write(all)))
          .compose(r -> r.toInteger() == 1 || tries <= 1
              ? Future.succeededFuture(r.toInteger())
              : rewriteRecord(redis, property, callId, change, tries - 1));
    });
  }
}
