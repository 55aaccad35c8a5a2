package io.calltrack.core.privacy;

import io.calltrack.core.calls.CallErasure;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.Retention;
import io.calltrack.core.json.JsonMapper;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of retention a key TTL cannot do (docs/privacy.md), run by each dni-server's sweeper with
 * its clock; every step may run twice or on several servers at once:
 * <ul>
 *   <li>the property's calls stream is trimmed (XTRIM MINID) to the entries written within the
 *       shorter of {@code callRecordsDays} and {@code callerNumbersDays};</li>
 *   <li>{@code callerNumbersDays}: in each call that started longer ago, the caller number becomes a
 *       token ({@code erased:…}, one per caller and sweep), and so it does in that call's rollup
 *       contribution and, when it is the caller's first (or first converted) call, in the first-caller
 *       hashes; counts stay. Calls are taken oldest first from the by-start index, a bounded batch per
 *       step, from where the last step stopped:
 *       <pre>{calls:P}:callers-expired-to   string  the by-start member up to which callers are anonymised</pre></li>
 *   <li>webhooks given up on (dead letters) whose event is older than that shorter retention are dropped.</li>
 * </ul>
 */
public final class RetentionSweep {
  static final int BATCH = 200;
  /** Batches per property and step: a backlog (retention just shortened) is worked off over several steps. */
  static final int BATCHES_PER_STEP = 5;

  private final RedisAPI redis;
  private final Clock clock;

  public RetentionSweep(RedisAPI redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** Where the caller-number sweep of {@code property}'s calls has got to. */
  public static String callersExpiredTo(String property) {
    return RedisCallStore.index(property).replace("by-start", "callers-expired-to");
  }

  /** One step over every property; one property's failure does not stop the others (answers the first). */
  public Future<Void> sweep(Collection<PropertyConfig> properties) {
    Map<String, Long> deadLetterCutoffs = new LinkedHashMap<>();
    long now = clock.millis();
    for (PropertyConfig p : properties) {
      Retention r = p.retention();
      Duration keep = r == null ? null
          : shorter(r.callRecords(), r.callerNumbersDays() == null ? null : Duration.ofDays(r.callerNumbersDays()));
      if (keep != null) {
        deadLetterCutoffs.put(p.id(), now - keep.toMillis());
      }
    }
    Future<Void> chain = new DeadLetterScrub(redis).expire(deadLetterCutoffs).<Void>mapEmpty()
        .recover(err -> Future.succeededFuture());
    List<Throwable> failures = new ArrayList<>();
    for (PropertyConfig p : properties) {
      chain = chain.compose(v -> sweep(p).recover(err -> {
        failures.add(err);
        return Future.succeededFuture();
      }));
    }
    return chain.compose(v -> failures.isEmpty() ? Future.succeededFuture() : Future.failedFuture(failures.get(0)));
  }

  public Future<Void> sweep(PropertyConfig property) {
    Retention r = property.retention();
    if (r == null) {
      return Future.succeededFuture();
    }
    Duration callers = r.callerNumbersDays() == null ? null : Duration.ofDays(r.callerNumbersDays());
    Duration stream = shorter(r.callRecords(), callers);
    long now = clock.millis();
    Future<Void> trim = stream == null
        ? Future.succeededFuture()
        : redis.xtrim(List.of(RedisCallStore.eventsStream(property.id()), "MINID",
            Long.toString(Math.max(0, now - stream.toMillis())))).mapEmpty();
    return trim.compose(v -> callers == null
        ? Future.succeededFuture()
        : expireCallers(property.id(), now - callers.toMillis(), BATCHES_PER_STEP).mapEmpty());
  }

  private static Duration shorter(Duration a, Duration b) {
    return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
  }

  /** Anonymises the callers of calls started before {@code cutoffMs}; answers how many calls it changed. */
  Future<Integer> expireCallers(String property, long cutoffMs, int batches) {
    if (batches == 0) {
      return Future.succeededFuture(0);
    }
    String doneKey = callersExpiredTo(property);
    return redis.get(doneKey).compose(done -> {
      String min = done == null ? "-" : "(" + done;
      String max = "(" + RedisCallStore.millis13(Math.max(0, cutoffMs));
      return redis.zrange(List.of(RedisCallStore.index(property), min, max, "BYLEX", "LIMIT", "0",
          Integer.toString(BATCH)));
    }).compose(members -> {
      if (members.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<String> ids = new ArrayList<>();
      for (Response m : members) {
        String member = m.toString();
        ids.add(RedisCallStore.callIdOf(member));
      }
      String last = members.get(members.size() - 1).toString();
      return expireBatch(property, ids)
          .compose(n -> redis.set(List.of(doneKey, last)).map(ok -> n))
          .compose(n -> members.size() < BATCH
              ? Future.succeededFuture(n)
              : expireCallers(property, cutoffMs, batches - 1).map(m -> n + m));
    });
  }

  private Future<Integer> expireBatch(String property, List<String> callIds) {
    List<Future<Response>> reads = new ArrayList<>();
    for (String id : callIds) {
      reads.add(redis.hget(RedisCallStore.key(property, id), "record"));
    }
    return Future.all(reads).compose(all -> {
      Map<String, Set<String>> byCaller = new LinkedHashMap<>();
      for (int i = 0; i < callIds.size(); i++) {
        Response raw = reads.get(i).result();
        if (raw == null) {
          continue; // the record itself is past its retention
        }
        String caller = JsonMapper.readStored(raw.toString(), CallRecord.class).caller();
        if (isNumber(caller)) {
          byCaller.computeIfAbsent(caller, c -> new LinkedHashSet<>()).add(callIds.get(i));
        }
      }
      Future<Integer> chain = Future.succeededFuture(0);
      for (var e : byCaller.entrySet()) {
        String caller = e.getKey();
        String token = Eraser.token();
        for (String id : e.getValue()) {
          chain = chain.compose(n -> Eraser.rewriteRecord(redis, property, id,
              r -> caller.equals(r.caller()) ? CallErasure.callerNumber(token) : null, 3).map(m -> n + m));
        }
        chain = chain.compose(n -> Eraser.replaceInRollups(redis, property, caller, token, e.getValue(), false)
            .map(v -> n));
      }
      return chain;
    });
  }

  /**
   * How far the property keeps its caller-number retention right now: of the calls that started
   * longer ago than {@code callerNumbersDays}, those the sweep has not anonymised yet (it works through
   * the by-start index oldest first, so they are the ones after where it got to). Without a
   * caller-number retention nothing is overdue and there is no rate: numbers are kept until erased.
   */
  public Future<Compliance> compliance(PropertyConfig property) {
    Retention r = property.retention();
    Integer days = r == null ? null : r.callerNumbersDays();
    Instant now = clock.instant();
    if (days == null) {
      return Future.succeededFuture(new Compliance(property.id(), now, null, 0, 0, null));
    }
    String index = RedisCallStore.index(property.id());
    String cutoff = "(" + RedisCallStore.millis13(Math.max(0, now.toEpochMilli() - Duration.ofDays(days).toMillis()));
    return redis.get(callersExpiredTo(property.id())).compose(done -> {
      String after = done == null ? "-" : "(" + done;
      Future<Response> past = redis.zlexcount(index, "-", cutoff);
      Future<Response> overdue = redis.zlexcount(index, after, cutoff);
      Future<Response> oldest = redis.zrange(List.of(index, after, cutoff, "BYLEX", "LIMIT", "0", "1"));
      return Future.all(past, overdue, oldest).map(all -> {
        Response first = oldest.result();
        Instant oldestOverdue = first == null || first.size() == 0 ? null
            : RedisCallStore.startOf(first.get(0).toString());
        return new Compliance(property.id(), now, days, past.result().toLong(), overdue.result().toLong(), oldestOverdue);
      });
    });
  }

  /**
   * A property's caller-number retention at {@code at}: calls past it ({@code callsPastCallerRetention}),
   * of those the ones whose number the sweep has not anonymised yet, and when the oldest of them started.
   */
  public record Compliance(String property, Instant at, Integer callerNumbersDays, long callsPastCallerRetention,
      long callerNumbersOverdue, Instant oldestOverdueCallStartedAt) {
    /** Of the calls past the retention, the share handled (4 places); null without retention or such calls. */
    public java.math.BigDecimal privacyComplianceRate() {
      if (callerNumbersDays == null || callsPastCallerRetention == 0) {
        return null;
      }
      return java.math.BigDecimal.valueOf(callsPastCallerRetention - callerNumbersOverdue)
          .divide(java.math.BigDecimal.valueOf(callsPastCallerRetention), 4, java.math.RoundingMode.HALF_UP);
    }
  }

  /** A caller number still there: not missing, anonymous, or already a token. */
  static boolean isNumber(String caller) {
    return caller != null && !caller.isBlank() && !caller.startsWith("erased:")
        && !caller.strip().equalsIgnoreCase("anonymous");
  }
}
