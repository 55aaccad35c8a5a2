package io.calltrack.advisor;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.attribution.CallAttributor;
import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.calltrack.core.attribution.Confidence;
import io.calltrack.core.pool.Channels;
import io.calltrack.core.pool.Session;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays days of visits against the real {@link RedisPoolEngine} with a pool of N numbers: every
 * assign, heartbeat, release and call resolution is a real engine call on Redis, in simulated-time
 * order, with the engine's clock set to each event's instant. One simulation runs on one thread and
 * owns its property, pool and numbers, so several can run at once on one Redis.
 */
public final class PoolSimulation {
  /** Pool status is sampled this often (simulated) to find the peak of numbers in use. */
  static final Duration SAMPLE_EVERY = Duration.ofMinutes(5);
  private static final long AWAIT_SECONDS = 60;
  /** CALLTRACK_SIM_DEBUG=1 prints every call not marked exact (or wrong) with its candidates, and calls by kind (stderr). */
  private static final boolean DEBUG = System.getenv("CALLTRACK_SIM_DEBUG") != null;
  /** Numbers of simulated pools: +1555 followed by 7 digits, handed out in blocks so pools never share one. */
  private static final AtomicLong NEXT_NUMBER = new AtomicLong(ThreadLocalRandom.current().nextLong(0, 5_000_000));

  private final Vertx vertx;
  private final Redis redis;
  private final ConfigStore config;

  public PoolSimulation(Vertx vertx, Redis redis, ConfigStore config) {
    this.vertx = vertx;
    this.redis = redis;
    this.config = config;
  }

  private enum Kind { ASSIGN, HEARTBEAT, RELEASE, TAP, COPY, HIDDEN, CALL, SAMPLE }

  private record Event(Instant at, long seq, Kind kind, int visit) {}

  /** What the engine gave one visit. */
  private static final class VisitState {
    String sessionId;
    PhoneNumber number;
    boolean fallback;
    boolean heartbeating;
    Attribution attribution;
  }

  private static Attribution channel(int k) {
    return new Attribution("source" + k, "medium" + k, null, null, null, null, null, null, null, null, null, null);
  }

  public SimResult run(TrafficParams p, List<Visit> visits, Instant dayStart, int poolSize) {
    long started = System.nanoTime();
    SimClock clock = new SimClock(dayStart);
    RedisPoolEngine engine = new RedisPoolEngine(vertx, redis, config, clock);
    CallAttributor attributor = new CallAttributor(engine);
    String run = "sim" + Long.toHexString(System.nanoTime()) + Integer.toHexString(ThreadLocalRandom.current().nextInt(0xffff));
    PhoneNumber defaultNumber = PhoneNumber.parse("+15550000000");
    PropertyConfig property = new PropertyConfig(run, "size-pool simulation", List.of(), List.of(defaultNumber),
        defaultNumber, null, null);
    PoolConfig pool = new PoolConfig(run + "-p", property.id(), numbers(poolSize), p.leaseSeconds(), p.holdSeconds(),
        PoolConfig.OnExhausted.of(p.onExhausted()), null);
    await(config.putProperty(property));
    await(config.putPool(pool));

    PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at.equals(b.at)
        ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
    long seq = 0;
    VisitState[] state = new VisitState[visits.size()];
    for (int i = 0; i < visits.size(); i++) {
      state[i] = new VisitState();
      queue.add(new Event(visits.get(i).arrive(), seq++, Kind.ASSIGN, i));
    }
    for (int i = 0; i < visits.size(); i++) {
      Visit v = visits.get(i);
      if (v.traits().tapAt() != null) {
        queue.add(new Event(v.traits().tapAt(), seq++, Kind.TAP, i));
      }
      if (v.traits().copyAt() != null) {
        queue.add(new Event(v.traits().copyAt(), seq++, Kind.COPY, i));
      }
      if (v.traits().hiddenAt() != null) {
        queue.add(new Event(v.traits().hiddenAt(), seq++, Kind.HIDDEN, i));
      }
      if (v.callAt() != null) {
        queue.add(new Event(v.callAt(), seq++, Kind.CALL, i));
      }
    }
    for (Instant t = dayStart; t.isBefore(dayStart.plus(Duration.ofDays(p.days()))); t = t.plus(SAMPLE_EVERY)) {
      queue.add(new Event(t, seq++, Kind.SAMPLE, -1));
    }

    Map<CallOutcome, Integer> outcomes = new EnumMap<>(CallOutcome.class);
    Map<CallOutcome, Integer> wrong = new EnumMap<>(CallOutcome.class);
    int channelWrong = 0;
    Calibration calibration = new Calibration();
    java.util.Map<String, int[]> byKind = new java.util.TreeMap<>();
    int fallbackVisits = 0;
    int recycledVisits = 0;
    int sharedVisits = 0;
    int peak = 0;
    long ops = 0;
    // the ceiling: the simulator's own model scores each call from what the engine could have seen
    Oracle oracle = new Oracle(p);
    Map<PhoneNumber, List<Integer>> shownTo = new java.util.HashMap<>();
    Map<String, String> previousVisitor = new java.util.HashMap<>();
    Ceiling.Counter ceiling = new Ceiling.Counter();
    Duration heartbeat = Duration.ofSeconds(p.heartbeatSeconds());
    while (!queue.isEmpty()) {
      Event e = queue.poll();
      clock.set(e.at);
      ops++;
      if (e.kind == Kind.SAMPLE) {
        PoolStatus s = await(engine.status(pool.id()));
        peak = Math.max(peak, s.leased() + s.holding());
        continue;
      }
      Visit v = visits.get(e.visit);
      VisitState st = state[e.visit];
      switch (e.kind) {
        case ASSIGN -> {
          st.attribution = channel(v.traits().channel());
          Assignment a = await(engine.assign(property.id(), v.visitorId(), st.attribution, v.traits().zone()));
          st.fallback = a.fallback();
          if (a.fallback()) {
            fallbackVisits++;
          } else {
            if (a.recycled()) {
              recycledVisits++;
            }
            if (a.shared()) {
              sharedVisits++;
            }
            st.sessionId = a.sessionId();
            st.number = a.number();
            shownTo.computeIfAbsent(a.number(), n -> new java.util.ArrayList<>()).add(e.visit);
            st.heartbeating = true;
            scheduleHeartbeat(queue, seq++, e.at.plus(heartbeat), v, e.visit);
            if (v.releaseSent()) {
              queue.add(new Event(v.pageClosed(), seq++, Kind.RELEASE, e.visit));
            }
          }
        }
        case HEARTBEAT -> {
          if (st.heartbeating) {
            try {
              await(engine.heartbeat(st.sessionId));
              scheduleHeartbeat(queue, seq++, e.at.plus(heartbeat), v, e.visit);
            } catch (CalltrackException.Gone gone) {
              st.heartbeating = false; // the page would ask for a new number; the simulator does not
            }
          }
        }
        case RELEASE -> {
          st.heartbeating = false;
          await(engine.release(st.sessionId));
        }
        case TAP, COPY, HIDDEN -> {
          if (st.sessionId != null) {
            await(engine.evidence(st.sessionId, e.kind == Kind.TAP ? Session.Evidence.Kind.TAP
                : e.kind == Kind.COPY ? Session.Evidence.Kind.COPY : Session.Evidence.Kind.HIDDEN));
          }
        }
        case CALL -> {
          CallAttribution a = st.fallback ? CallAttribution.UNATTRIBUTED
              : await(attributor.attribute(st.number, v.traits().caller(), e.at));
          CallOutcome o = CallOutcome.of(st.fallback, a);
          outcomes.merge(o, 1, Integer::sum);
          if (!st.fallback && !CallOutcome.topIsCaller(v.visitorId(), a)) {
            wrong.merge(o, 1, Integer::sum);
          }
          if (!st.fallback && !a.candidates().isEmpty()) {
            calibration.add(a.candidates().get(0).likelihood(), CallOutcome.topIsCaller(v.visitorId(), a));
          }
          boolean ceilingExact = false;
          boolean ceilingExactWithDevice = false;
          if (!st.fallback) {
            List<Oracle.Seen> seen = new java.util.ArrayList<>();
            for (int i : shownTo.get(st.number)) {
              seen.add(Oracle.Seen.at(visits.get(i), e.at));
            }
            int callerZone = Evidence.zoneOfCaller(v.traits().caller());
            String previous = previousVisitor.get(v.traits().caller());
            double[] post = oracle.posteriors(seen, e.at, callerZone, previous, false);
            double[] postDevice = oracle.posteriors(seen, e.at, callerZone, previous, true);
            double[] postOutside = oracle.posteriors(seen, e.at, callerZone, previous, false, Oracle.ENGINE_OUTSIDE);
            int topOutside = argMax(postOutside);
            int top = argMax(post);
            int topDevice = argMax(postDevice);
            ceilingExact = top >= 0 && post[top] >= Oracle.EXACT;
            ceilingExactWithDevice = topDevice >= 0 && postDevice[topDevice] >= Oracle.EXACT;
            ceiling.add(top < 0 ? 0 : post[top], top >= 0 && seen.get(top).visitorId().equals(v.visitorId()),
                topDevice < 0 ? 0 : postDevice[topDevice],
                topDevice >= 0 && seen.get(topDevice).visitorId().equals(v.visitorId()),
                topOutside >= 0 && postOutside[topOutside] >= Oracle.EXACT,
                a.confidence() == Confidence.EXACT);
            if (v.traits().caller() != null) {
              previousVisitor.put(v.traits().caller(), v.visitorId());
            }
          } else {
            ceiling.addFallback();
          }
          if (!st.fallback) {
            String kind = v.traits().tapAt() != null ? "tapped" : v.traits().copyAt() != null ? "copied"
                : !e.at.isAfter(v.leave()) ? (v.traits().mobile() ? "on-page-phone-no-tap" : "on-page-desktop")
                : "after-the-visit";
            int[] k4 = byKind.computeIfAbsent(kind, k -> new int[4]);
            k4[a.confidence() == Confidence.EXACT ? 0 : 1]++;
            k4[2] += ceilingExact ? 1 : 0;
            k4[3] += ceilingExactWithDevice ? 1 : 0;
          }
          if (DEBUG && !st.fallback && (a.confidence() != Confidence.EXACT
              || !CallOutcome.topIsCaller(v.visitorId(), a))) {
            System.err.printf("%s %s caller=%s visitor=%s mobile=%b zone=%s right=%b ceiling-exact=%b%n", e.at,
                a.confidence(), v.traits().caller(), v.visitorId(), v.traits().mobile(), v.traits().zone(),
                CallOutcome.topIsCaller(v.visitorId(), a), ceilingExact);
            a.candidates().forEach(c -> System.err.println("    " + c.sessionId() + " " + c.likelihood() + " " + c.reasons()));
          }
          if (a.confidence() == Confidence.CHANNEL && !st.fallback
              && !Channels.same(a.attribution(), st.attribution)) {
            channelWrong++;
          }
        }
        default -> throw new IllegalStateException();
      }
    }
    if (DEBUG) {
      StringBuilder sb = new StringBuilder("calls by kind at " + poolSize
          + " numbers (exact / not exact, ceiling exact, with device class):");
      byKind.forEach((k, n) -> sb.append(' ').append(k).append(' ').append(n[0]).append('/').append(n[1])
          .append(" (").append(n[2]).append(", ").append(n[3]).append(')'));
      System.err.println(sb);
    }
    return new SimResult(poolSize, outcomes, wrong, channelWrong, visits.size(), fallbackVisits, recycledVisits,
        sharedVisits, peak, ops, (System.nanoTime() - started) / 1_000_000, calibration, ceiling.result());
  }

  private static int argMax(double[] xs) {
    int best = -1;
    for (int i = 0; i < xs.length; i++) {
      if (xs[i] > 0 && (best < 0 || xs[i] > xs[best])) {
        best = i;
      }
    }
    return best;
  }

  private static void scheduleHeartbeat(PriorityQueue<Event> queue, long seq, Instant at, Visit v, int index) {
    if (at.isBefore(v.pageClosed())) {
      queue.add(new Event(at, seq, Kind.HEARTBEAT, index));
    }
  }

  private static List<PhoneNumber> numbers(int count) {
    long first = NEXT_NUMBER.getAndAdd(count);
    return java.util.stream.LongStream.range(first, first + count)
        .mapToObj(i -> PhoneNumber.parse(String.format("+1555%07d", 1 + i % 9_999_999)))
        .toList();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis did not answer within " + AWAIT_SECONDS + " s", e);
    }
  }
}
