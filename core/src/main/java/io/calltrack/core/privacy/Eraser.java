package io.calltrack.core.privacy;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Erases a person (docs/privacy.md). Records are anonymised rather than deleted, so the rollups' counts
 * and the reports stay what they were:
 * <ul>
 *   <li>a caller: in every call record from that number the caller becomes an erasure token, and so it
 *       does in the property's first-caller hash and in each call's rollup contribution (one token for
 *       all of the caller's calls, so first and repeat calls stay what they were);</li>
 *   <li>a visitor: in every pool its sessions get the token for a visitor id and lose their click ids
 *       and referrer; calls attributed to those sessions lose their click ids and referrer too (so the
 *       Google Ads export no longer carries them). Source, medium, campaign, keyword and landing page
 *       stay: they are what the rollups count by.</li>
 * </ul>
 * Exports are made from the records, so they follow. Not reached: entries already on the calls
 * stream (trimmed by length, see docs/privacy.md), and a call still ringing whose next event from the
 * router carries the number again.
 */
public final class Eraser {
  private static final LuaScript REWRITE_CALL = LuaScript.load("/lua/privacy/rewrite-call.lua");
  private static final LuaScript ERASE_CALLER_ROLLUP = LuaScript.load("/lua/privacy/erase-caller-rollup.lua");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PAGE = 500;

  public record Erased(String token, int calls, int sessions) {}

  private final RedisAPI redis;
  private final CallStore calls;
  private final ConfigStore config;
  private final SessionRetention sessions;

  public Eraser(RedisAPI redis, CallStore calls, ConfigStore config, SessionRetention sessions) {
    this.redis = redis;
    this.calls = calls;
    this.config = config;
    this.sessions = sessions;
  }

  /** A fresh token: random, so nothing about the person can be worked back from it. */
  static String token() {
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

  public Future<Erased> eraseCaller(String number) {
    String wanted = normalise(number);
    String token = token();
    // property -> (caller as stored -> its calls)
    Map<String, Map<String, Set<String>>> byProperty = new LinkedHashMap<>();
    return rewriteAll(r -> {
      if (r.caller() == null || wanted.length() < 3 || !normalise(r.caller()).equals(wanted)) {
        return null;
      }
      if (r.property() != null) {
        byProperty.computeIfAbsent(r.property(), p -> new LinkedHashMap<>())
            .computeIfAbsent(r.caller(), c -> new LinkedHashSet<>()).add(r.callId());
      }
      return new CallRecord(r.callId(), r.sipCallId(), r.number(), token, r.property(), r.startedAt(),
          r.ringingAt(), r.answeredAt(), r.endedAt(), r.status(), r.durationSeconds(), r.finalCode(),
          r.resolution(), r.sessionId(), r.attribution(), r.candidates(), r.confidence(), null, r.endReason());
    }).compose(n -> {
      Future<Void> chain = Future.succeededFuture();
      for (var p : byProperty.entrySet()) {
        RollupKeys keys = new RollupKeys(p.getKey());
        for (var c : p.getValue().entrySet()) {
          List<String> k = new ArrayList<>();
          k.add(keys.callers());
          k.add(keys.buyers());
          c.getValue().forEach(id -> k.add(keys.contribution(id)));
          chain = chain.compose(v -> ERASE_CALLER_ROLLUP.run(redis, k, List.of(c.getKey(), token)).mapEmpty());
        }
      }
      return chain.map(v -> new Erased(token, n, 0));
    });
  }

  public Future<Erased> eraseVisitor(String visitorId) {
    String token = token();
    return config.routingTable().compose(table -> {
      Set<String> pools = new LinkedHashSet<>(table.poolOfNumber().values());
      List<Future<List<String>>> erased = new ArrayList<>();
      for (String pool : pools) {
        erased.add(sessions.eraseVisitor(pool, visitorId, token));
      }
      return Future.all(erased).map(all -> {
        Set<String> sids = new LinkedHashSet<>();
        erased.forEach(f -> sids.addAll(f.result()));
        return sids;
      });
    }).compose(sids -> sids.isEmpty()
        ? Future.succeededFuture(new Erased(token, 0, 0))
        : rewriteAll(r -> {
          boolean theirs = (r.sessionId() != null && sids.contains(r.sessionId()))
              || r.candidates().stream().anyMatch(c -> sids.contains(c.sessionId()));
          Attribution a = r.attribution();
          if (!theirs || a == null) {
            return null;
          }
          Attribution scrubbed = new Attribution(a.source(), a.medium(), a.campaign(), a.keyword(), a.content(),
              a.landingPage(), null, null, null, null, null, null);
          return r.withAttribution(r.resolution(), r.sessionId(), scrubbed, r.candidates()).withOutcome(null);
        }).map(n -> new Erased(token, n, sids.size())));
  }

  /**
   * Pages through every call, newest first, and stores {@code change(record)} where it is not null.
   * Answers how many records were rewritten.
   */
  private Future<Integer> rewriteAll(Function<CallRecord, CallRecord> change) {
    return page(null, change, 0);
  }

  private Future<Integer> page(String cursor, Function<CallRecord, CallRecord> change, int done) {
    return calls.page(null, null, PAGE, cursor).compose(page -> rewrite(page, change).compose(n ->
        page.next() == null ? Future.succeededFuture(done + n) : page(page.next(), change, done + n)));
  }

  private Future<Integer> rewrite(CallPage page, Function<CallRecord, CallRecord> change) {
    List<Future<Integer>> writes = new ArrayList<>();
    for (CallRecord listed : page.calls()) {
      if (change.apply(listed) == null) {
        continue;
      }
      writes.add(rewriteOne(listed.property(), listed.callId(), change, 3));
    }
    return Future.all(writes).map(all -> writes.stream().mapToInt(Future::result).sum());
  }

  /** Reads the stored record, changes it, and writes it back unless it changed meanwhile (then again). */
  private Future<Integer> rewriteOne(String property, String callId, Function<CallRecord, CallRecord> change,
      int tries) {
    String key = RedisCallStore.key(property, callId);
    return redis.hget(key, "record").compose(raw -> {
      if (raw == null) {
        return Future.succeededFuture(0);
      }
      CallRecord now = JsonMapper.read(raw.toString(), CallRecord.class);
      CallRecord changed = change.apply(now);
      if (changed == null) {
        return Future.succeededFuture(0);
      }
      return REWRITE_CALL.run(redis, List.of(key), List.of(raw.toString(), JsonMapper.write(changed.withOutcome(null))))
          .compose(r -> r.toInteger() == 1 || tries <= 1
              ? Future.succeededFuture(r.toInteger())
              : rewriteOne(property, callId, change, tries - 1));
    });
  }
}
