package io.calltrack.core.pool;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.AttributionModel;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link PoolEngine} on Redis: every state change is one Lua script over one pool's keys, so it is
 * atomic however many engines (dni-server instances) share the Redis.
 *
 * <h2>Key layout</h2>
 * Configuration is read through the {@link ConfigStore} ({@code {cfg}:*} keys, see
 * {@link io.calltrack.core.config.RedisConfigStore}). A pool's runtime state shares the hash tag
 * {@code {pool:<id>}} (one Redis Cluster slot):
 * <pre>
 * {pool:ID}:meta               hash  rev (config revision last synced), property, layout (2: this one),
 *                                    trim-cursor, recycled-cursor, recycled-low, swept-at (sweep.lua),
 *                                    recycled-oldest (a bound below every recycle mark's ms, sweep.lua)
 * {pool:ID}:numbers            set   the pool's configured numbers (E.164)
 * {pool:ID}:free               zset  number -> ms it has been idle since (0 = never used; lowest first out)
 * {pool:ID}:leased             zset  number -> lease expiry ms
 * {pool:ID}:holding            zset  number -> hold end ms
 * {pool:ID}:owner              hash  number -> session id leasing or holding it
 * {pool:ID}:visitors           hash  visitor id -> its live (leased or held) session id
 * {pool:ID}:s:RANDOM           hash  a session (RANDOM = the id after "<poolId>."): v visitor, n number,
 *                                    t startedAt, le leaseExpiresAt (a release ends it), ne naturalEndsAt
 *                                    (ms), tz browser zone, ta/cp/hi/sh evidence (ms), b beacons, id the
 *                                    analytics ids the page sent after its assign, a1..aN
 *                                    attribution in 64-byte pieces (see SessionCodec); TTL lease + hold +
 *                                    history window. Written only by the scripts called for this session
 *                                    (assign, heartbeat, release, evidence); its state is derived from
 *                                    its times and the recycle mark
 * {pool:ID}:live               hash  RANDOM -> visitor id, while the session is live
 * {pool:ID}:histories          hash  E164 -> the number's latest HISTORY_DEPTH sessions, oldest first:
 *                                    "COUNT +RANDOM,start RANDOM,start,end ..." (base-36 ms; the end once
 *                                    over: its number's hold ran out or it was recycled), see lib.lua
 * {pool:ID}:recycled           hash  RANDOM -> ms a recycle cut the session short (until the window passes)
 * {pool:ID}:history-numbers    set   numbers with a history (for the sweeper)
 * {pool:ID}:channel            hash  number -> channel digest of its latest visit (share-channel)
 * {pool:ID}:caller:E164        str   visitor the caller's last resolved call went to (TTL: window)
 * {pool:ID}:stats              hash  exhausted, recycled, shared, calls:CONFIDENCE (counters since
 *                                    the pool was created)
 * {pool:ID}:visitor-sessions:V set   visitor V's session ids, for erasure; TTL = session retention
 *                                    (written by assign.lua with the session, which also puts the session
 *                                    under the property's session retention; read by
 *                                    {@link io.calltrack.core.privacy.RedisSessionRetention} to erase)
 * </pre>
 * Every key a script touches is one it is given. What happens to a session from elsewhere (its
 * number's hold running out, its number recycled) is written in the pool's keys (its history entry,
 * the recycle marks), never in its hash, and readers derive its state from its times and its mark
 * at their clock ({@link SessionCodec}). A pool written by an earlier version (a history zset per
 * number, other sessions' hashes written by the scripts) is migrated by the first call that meets
 * it ({@link #migrate}).
 *
 * A number is in exactly one of free / leased / holding (numbers dropped from the configuration
 * leave when their session ends). Sessions are not deleted when they end, so calls can be
 * attributed for past instants, including after the hold while no later visit took the number
 * (soft holds); they expire by TTL after the history window (default 30 days), and a number's
 * history keeps its latest {@link #HISTORY_DEPTH} sessions. Time is the injected {@link Clock}, in
 * ms, passed to each script, and expired leases and holds are reclaimed inside the scripts
 * (assign, status, sweep), never by keyspace notifications.
 *
 * <h2>Session ids</h2>
 * {@code <poolId>.<128 random bits, base64url>}, so heartbeat and release find the pool from the id.
 *
 * <h2>Stickiness across pools</h2>
 * A property may have several pools. A returning visitor first gets its live session back from any
 * of the property's pools (the other pools are probed in parallel with a sticky-only run of the
 * assign script; a single-pool property costs nothing extra), so a visitor that came back with a
 * different attribution keeps its number. This needs no property-level visitor index, which would
 * grow without bound or need TTLs.
 *
 * <h2>Use</h2>
 * Give it a started {@link io.calltrack.core.config.RedisConfigStore} (its cache keeps assign at one
 * Redis round trip; its start re-syncs pools' runtime keys). A pool whose runtime keys were never
 * written is repaired by the first assign that meets it.
 *
 * <h2>Known limits</h2>
 * A number dropped from one pool while leased or held, and at once added to another pool, can be
 * given out by the new pool before its old session ends (the two pools live in different slots and
 * cannot see each other; no heartbeat renews a dropped number, so that is at most its lease and hold,
 * and the old page asks for another number at its next heartbeat); and {@link #resolve} looks a
 * number up in its current pool only, so calls to a number that moved pools are not matched to
 * sessions of its old pool.
 */
public final class RedisPoolEngine implements PoolEngine {
  public static final Duration DEFAULT_HISTORY_WINDOW = Duration.ofDays(30);

  private static final String LIB = "/lua/pool/lib.lua";
  private static final LuaScript ASSIGN = LuaScript.load(LIB, "/lua/pool/assign.lua");
  private static final LuaScript HEARTBEAT = LuaScript.load(LIB, "/lua/pool/heartbeat.lua");
  private static final LuaScript RELEASE = LuaScript.load(LIB, "/lua/pool/release.lua");
  private static final LuaScript STATUS = LuaScript.load(LIB, "/lua/pool/status.lua");
  private static final LuaScript SWEEP = LuaScript.load(LIB, "/lua/pool/sweep.lua");
  private static final LuaScript EVIDENCE = LuaScript.load(LIB, "/lua/pool/evidence.lua");
  private static final LuaScript MIGRATE = LuaScript.load(LIB, "/lua/pool/migrate.lua");
  private static final LuaScript CALL_LOOKUP = LuaScript.load("/lua/pool/call_lookup.lua");
  /** Old keys per run of the migration script: a pool of thousands of sessions moves in a few short runs. */
  private static final int MIGRATE_BATCH = 1_000;
  /** Most sessions of one number read to resolve a call: the latest that started before it. */
  public static final int MAX_CANDIDATES = 8;
  /**
   * Sessions kept in a number's history (newest): resolving reads at most {@link #MAX_CANDIDATES} of
   * them, and a call replayed late (router spool) still finds its visit unless the number was taken
   * this many times since. Sessions themselves stay for the history window (TTL).
   */
  public static final int HISTORY_DEPTH = 32;

  /** Most evidence beacons one session may record; later ones change nothing (a flood). */
  public static final int MAX_BEACONS = 64;

  private final Vertx vertx;
  /** For batches (a call's candidate sessions in one round trip) and replicated assigns. */
  private final Redis client;
  private final RedisAPI redis;
  private final ConfigStore config;
  private final Clock clock;
  private final Duration historyWindow;
  /**
   * Pool numbers as the assign script returns them (E.164, checked when the pool was configured),
   * parsed once each: libphonenumber's parse was a few per cent of an assign's CPU. Business
   * numbers only, never a caller's; bounded in case pools churn through many numbers.
   */
  private final io.calltrack.core.ParseCache<PhoneNumber> leasedNumbers = new io.calltrack.core.ParseCache<>(100_000);
  /** A pool number as a session or an assign gives it, parsed once (libphonenumber is costly). */
  private final java.util.function.Function<String, PhoneNumber> poolNumber =
      n -> leasedNumbers.get(n, PhoneNumber::parse);
  /**
   * Pool + visitor -> the session an engine on this Vert.x last gave the visitor there (shared by
   * the HTTP instances of one process): a returning visitor's assign declares that session's key
   * (a sticky renewal extends its TTL). A wrong or missing guess (the session came from another
   * process) costs one more run, told by the script.
   */
  private final SessionGuesses sessionGuesses;
  private volatile java.util.function.Consumer<String> onUnmatched = p -> { };
  private volatile Runnable onSessionLookup = () -> { };
  /** Set by {@link #withReplicatedAssigns}: assigns answer only once a replica has the lease. */
  private LuaScript.Durability durability = LuaScript.Durability.NONE;

  public RedisPoolEngine(Vertx vertx, Redis client, ConfigStore config, Clock clock, Duration historyWindow) {
    this.vertx = vertx;
    this.client = client;
    this.redis = RedisAPI.api(client);
    this.config = config;
    this.clock = clock;
    this.historyWindow = historyWindow;
    this.sessionGuesses = vertx.sharedData().<String, SessionGuesses>getLocalMap("calltrack.pool")
        .computeIfAbsent("session-guesses", name -> new SessionGuesses());
    if (historyWindow.isNegative() || historyWindow.isZero()) {
      throw new IllegalArgumentException("history window must be positive");
    }
  }

  public RedisPoolEngine(Vertx vertx, Redis client, ConfigStore config, Clock clock) {
    this(vertx, client, config, clock, DEFAULT_HISTORY_WINDOW);
  }

  /**
   * Told the property of every visit that none of its pools matched (it got the default number):
   * the unmatched-visits metric.
   */
  public void onUnmatched(java.util.function.Consumer<String> listener) {
    this.onUnmatched = listener == null ? p -> { } : listener;
  }

  /**
   * Told of every assign run a second time because this engine did not know the returning visitor's
   * session (no hint from the snippet, no guess of its own, or a wrong one): the session-lookups metric.
   */
  public void onSessionLookup(Runnable listener) {
    this.onSessionLookup = listener == null ? () -> { } : listener;
  }

  /**
   * Makes every assign WAIT for {@code durability} replicas before it answers: a failover then cannot
   * lose a lease a visitor was shown, so the number cannot go to a second visitor. An assign the
   * replicas did not confirm in time fails (the snippet shows the default number). Call before use.
   */
  public RedisPoolEngine withReplicatedAssigns(LuaScript.Durability durability) {
    this.durability = durability;
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // assign

  @Override
  public Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution) {
    return assign(propertyId, visitorId, attribution, null);
  }

  @Override
  public Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution, String timeZone) {
    return assign(propertyId, visitorId, attribution, timeZone, null);
  }

  @Override
  public Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution, String timeZone,
      String sessionHint) {
    String visitor;
    try {
      visitor = SessionIds.visitor(visitorId);
    } catch (CalltrackException e) {
      return Future.failedFuture(e);
    }
    boolean returning = visitorId != null && !visitorId.isBlank();
    Attribution attr = attribution == null ? Attribution.UNKNOWN : attribution;
    return config.property(propertyId).compose(p -> p
        .map(property -> config.poolsOf(propertyId).compose(pools -> assign(property, pools, visitor, returning, attr,
            TimeZones.orNull(timeZone), returning ? sessionHint : null)))
        .orElseGet(() -> Future.failedFuture(new CalltrackException.NotFound("unknown property " + propertyId))));
  }

  private Future<Assignment> assign(PropertyConfig property, List<PoolConfig> pools, String visitor,
      boolean returning, Attribution attribution, String timeZone, String sessionHint) {
    Optional<PoolConfig> chosen = PoolSelector.choose(pools, attribution);
    if (chosen.isEmpty()) {
      // no pool (or none that matches): the default number; a visit no pool matched is counted
      if (!pools.isEmpty()) {
        onUnmatched.accept(property.id());
      }
      return Future.succeededFuture(fallback(property, visitor));
    }
    PoolConfig pool = chosen.get();
    List<PoolConfig> others = pools.stream().filter(o -> !o.id().equals(pool.id())).toList();
    Future<Optional<Assignment>> sticky = returning && !others.isEmpty()
        ? stickyElsewhere(property, others, visitor, attribution, timeZone, sessionHint)
        : Future.succeededFuture(Optional.empty());
    return sticky.compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : runAssign(property, pool, visitor, attribution, timeZone, "assign", sessionHint).map(Optional::orElseThrow));
  }

  /** The visitor's live session in one of {@code pools}, renewed, if it has one (first by pool id). */
  private Future<Optional<Assignment>> stickyElsewhere(PropertyConfig property, List<PoolConfig> pools,
      String visitor, Attribution attribution, String timeZone, String sessionHint) {
    List<Future<Optional<Assignment>>> probes = new ArrayList<>();
    for (PoolConfig pool : pools) {
      probes.add(runAssign(property, pool, visitor, attribution, timeZone, "sticky", sessionHint));
    }
    return Future.all(probes).map(all -> {
      for (Future<Optional<Assignment>> f : probes) {
        if (f.result().isPresent()) {
          return f.result();
        }
      }
      return Optional.empty();
    });
  }

  /**
   * @param sessionHint the session the browser says the visitor was last given (may be null); used as
   *     the session to declare when it is a well-formed id of this pool (the script checks the rest)
   */
  private Future<Optional<Assignment>> runAssign(PropertyConfig property, PoolConfig pool, String visitor,
      Attribution attribution, String timeZone, String mode, String sessionHint) {
    String known = sessionHint != null && pool.id().equals(SessionIds.poolOrNull(sessionHint)) ? sessionHint : null;
    return runAssign(property, pool, visitor, attribution, timeZone, mode, true, known, 0);
  }

  /** At most 50 code points of {@code value}. */
  private static String cut(String value) {
    return value == null || value.codePointCount(0, value.length()) <= 50 ? value
        : value.substring(0, value.offsetByCodePoints(0, 50));
  }

  private Future<Optional<Assignment>> runAssign(PropertyConfig property, PoolConfig pool, String visitor,
      Attribution attribution, String timeZone, String mode, boolean mayRepair, String knownSession, int retries) {
    long now = clock.millis();
    String sid = SessionIds.newSession(pool.id());
    PoolKeys k = new PoolKeys(pool.id());
    String guess = knownSession != null ? knownSession : sessionGuesses.get(pool.id(), visitor);
    List<String> keys = new ArrayList<>(poolKeys(k));
    keys.add(k.session(sid));
    keys.add(k.visitorSessions(visitor));
    keys.add(guess == null ? k.session(sid) : k.session(guess));
    List<String> pieces = SessionCodec.pieces(AttributionCodec.encode(attribution));
    if (pieces == null) {
      // over 2 KB of attribution: keep the channel, click ids, journey and the GA and Meta ids, drop the long
      // tail (URLs, keywords)
      Attribution shorter = new Attribution(attribution.source(), attribution.medium(), attribution.campaign(), null,
          null, null, null, attribution.gclid(), attribution.gbraid(), attribution.wbraid(), attribution.msclkid(),
          attribution.fbclid(), null, null, null, attribution.region(), attribution.journey(),
          attribution.gaClientId(), attribution.gaSessionId(), attribution.fbp());
      pieces = SessionCodec.pieces(AttributionCodec.encode(shorter));
      if (pieces == null) {
        // still over (kilobyte channel names or click ids, a long journey): the channel and click ids, cut so
        // that they fit whatever their characters (9 fields of 50 at most 4 bytes each), and the GA and Meta
        // ids (digits and dots, 107 bytes at most): 1,939 bytes with the separators, within the 32 pieces'
        // 1,952 however the pieces fall between characters (AttributionCodecTest)
        pieces = SessionCodec.pieces(AttributionCodec.encode(new Attribution(cut(shorter.source()),
            cut(shorter.medium()), cut(shorter.campaign()), null, null, null, null, cut(shorter.gclid()),
            cut(shorter.gbraid()), cut(shorter.wbraid()), cut(shorter.msclkid()), cut(shorter.fbclid()), null, null,
            null, cut(shorter.region()), null, shorter.gaClientId(), shorter.gaSessionId(), shorter.fbp())));
      }
    }
    List<String> args = new ArrayList<>(List.of(
        Long.toString(now),
        Long.toString(pool.leaseSeconds() * 1000L),
        Long.toString(pool.holdSeconds() * 1000L),
        pool.onExhausted().json(),
        mode,
        visitor,
        sid,
        pool.id(),
        property.id(),
        Integer.toString(pieces.size()),
        Long.toString(now - historyWindow.toMillis()),
        Channels.digest(attribution),
        timeZone == null ? "" : timeZone,
        Long.toString(historyWindow.toMillis()),
        Integer.toString(HISTORY_DEPTH),
        utcOffsetMinutes(timeZone, now),
        Double.toString(AttributionModel.AFTER_SCALE),
        Double.toString(AttributionModel.AFTER_MEDIAN_MIN),
        Double.toString(AttributionModel.AFTER_SIGMA),
        Double.toString(AttributionModel.ZONE_MISMATCH / AttributionModel.ZONE_MATCH)));
    args.addAll(pieces);
    Duration keep = property.retention() == null ? null : property.retention().sessions();
    args.add(keep == null ? "" : Long.toString(keep.toMillis()));
    return (durability.enabled() && mode.equals("assign")
        ? ASSIGN.runReplicated(client, keys, args, durability)
        : ASSIGN.run(redis, keys, args)).compose(r -> {
      String kind = r.get(0).toString();
      switch (kind) {
        case "unsynced":
          // the pool's configuration was written but its runtime keys never were (a writer died in
          // between): copy the numbers over (revision 0, so any real sync wins) and try once more
          if (!mayRepair) {
            return Future.failedFuture(new IllegalStateException("pool " + pool.id() + " cannot be synced"));
          }
          return PoolSync.sync(client, pool, 0, durability)
              .compose(v -> runAssign(property, pool, visitor, attribution, timeZone, mode, false, knownSession, retries));
        case "unmigrated":
          if (!mayRepair) {
            return Future.failedFuture(new IllegalStateException("pool " + pool.id() + " cannot be migrated"));
          }
          return migrate(pool.id())
              .compose(v -> runAssign(property, pool, visitor, attribution, timeZone, mode, false, knownSession, retries));
        case "retry":
          // the visitor's live session is not the one guessed: once more, declaring it (it can change
          // again in between only if another assign of the same visitor ran meanwhile)
          onSessionLookup.run();
          if (retries >= 3) {
            return Future.failedFuture(new IllegalStateException("visitor's session kept changing in pool " + pool.id()));
          }
          return runAssign(property, pool, visitor, attribution, timeZone, mode, mayRepair, r.get(1).toString(),
              retries + 1);
        case "none":
          return Future.succeededFuture(Optional.empty());
        case "fallback":
          return Future.succeededFuture(Optional.of(fallback(property, visitor)));
        default:
          sessionGuesses.put(pool.id(), visitor, r.get(1).toString());
          return Future.succeededFuture(Optional.of(new Assignment(
              r.get(1).toString(),
              visitor,
              pool.id(),
              poolNumber.apply(r.get(2).toString()),
              property.swapNumbers(),
              pool.leaseSeconds(),
              Instant.ofEpochMilli(r.get(3).toLong()),
              false,
              "recycled".equals(kind),
              "shared".equals(kind))));
      }
    });
  }

  /** The browser zone's UTC offset at {@code nowMs} in minutes, "" when unknown (what zone evidence compares). */
  static String utcOffsetMinutes(String timeZone, long nowMs) {
    if (timeZone == null || timeZone.isBlank()) {
      return "";
    }
    try {
      return Integer.toString(java.time.ZoneId.of(timeZone).getRules()
          .getOffset(Instant.ofEpochMilli(nowMs)).getTotalSeconds() / 60);
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static Assignment fallback(PropertyConfig property, String visitor) {
    return new Assignment(null, visitor, null, property.defaultNumber(), property.swapNumbers(), 0, null, true, false, false);
  }

  // ---------------------------------------------------------------------------------------------
  // heartbeat, release, session

  @Override
  public Future<Instant> heartbeat(String sessionId) {
    return poolOfSession(sessionId).compose(pool -> {
      PoolKeys k = new PoolKeys(pool.id());
      List<String> keys = new ArrayList<>(poolKeys(k));
      keys.add(k.session(sessionId));
      return run(HEARTBEAT, pool.id(), keys, List.of(Long.toString(clock.millis()),
              Long.toString(pool.leaseSeconds() * 1000L), Long.toString(pool.holdSeconds() * 1000L), sessionId,
              Long.toString(historyWindow.toMillis())))
          .compose(r -> switch (r.get(0).toString()) {
            case "ok" -> Future.succeededFuture(Instant.ofEpochMilli(r.get(1).toLong()));
            case "gone" -> Future.failedFuture(new CalltrackException.Gone("the lease of session " + sessionId + " has ended"));
            // Redis no longer holds the session (a failover lost it, an erasure or its retention removed
            // it): its lease is gone as surely, and a page that still shows its number must ask for
            // another (the snippet assigns again on 410) rather than keep one free to lease elsewhere
            case "not_found" -> Future.failedFuture(new CalltrackException.Gone(
                "session " + sessionId + " holds no lease (it ended, or the store no longer has it)"));
            default -> Future.failedFuture(unknownSession(sessionId));
          });
    });
  }

  @Override
  public Future<Void> release(String sessionId, Instant leaseExpiresAt) {
    return poolOfSession(sessionId).compose(pool -> {
      PoolKeys k = new PoolKeys(pool.id());
      List<String> keys = new ArrayList<>(poolKeys(k));
      keys.add(k.session(sessionId));
      return run(RELEASE, pool.id(), keys, List.of(Long.toString(clock.millis()),
              Long.toString(pool.holdSeconds() * 1000L), sessionId, Long.toString(historyWindow.toMillis()),
              leaseExpiresAt == null ? "" : Long.toString(leaseExpiresAt.toEpochMilli())))
          .compose(r -> "not_found".equals(r.get(0).toString())
              ? Future.<Void>failedFuture(unknownSession(sessionId))
              : Future.<Void>succeededFuture());
    });
  }

  @Override
  public Future<Optional<Session>> session(String sessionId) {
    String poolId;
    try {
      poolId = SessionIds.poolOf(sessionId);
    } catch (CalltrackException e) {
      return Future.succeededFuture(Optional.empty());
    }
    PoolKeys k = new PoolKeys(poolId);
    return config.pool(poolId).compose(pool -> {
      if (pool.isEmpty()) {
        return Future.succeededFuture(Optional.<Session>empty());
      }
      Instant now = clock.instant();
      // over since before the history window: gone, as its hash's TTL (which runs on Redis's clock,
      // not this engine's) says
      return readSessions(k, List.of(SessionIds.randomPart(sessionId))).map(read -> {
        Response cut = read.get(1).get(0);
        return Optional.ofNullable(SessionCodec.decode(sessionId, pool.get().property(), read.get(0),
                cut == null ? null : cut.toString(), now, poolNumber))
            .filter(s -> !s.endsAt().plus(historyWindow).isBefore(now));
      });
    });
  }

  /** The pool a session id names; Invalid for a malformed id, NotFound for a pool that does not exist. */
  private Future<PoolConfig> poolOfSession(String sessionId) {
    String poolId;
    try {
      poolId = SessionIds.poolOf(sessionId);
    } catch (CalltrackException e) {
      return Future.failedFuture(e);
    }
    return config.pool(poolId).compose(p -> p.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(unknownSession(sessionId))));
  }

  private static CalltrackException unknownSession(String sessionId) {
    return new CalltrackException.NotFound("unknown session " + sessionId);
  }

  // ---------------------------------------------------------------------------------------------
  // status, sweep

  @Override
  public Future<PoolStatus> status(String poolId) {
    return config.pool(poolId).compose(p -> {
      if (p.isEmpty()) {
        return Future.failedFuture(new CalltrackException.NotFound("unknown pool " + poolId));
      }
      PoolConfig pool = p.get();
      return run(STATUS, poolId, poolKeys(new PoolKeys(poolId)),
              List.of(Long.toString(clock.millis()), Long.toString(pool.holdSeconds() * 1000L)))
          .map(r -> {
            int size = r.get(0).toInteger();
            int leased = r.get(1).toInteger();
            int holding = r.get(2).toInteger();
            int free = r.get(3).toInteger();
            double utilization = size == 0 ? 0 : Math.min(1.0, (leased + holding) / (double) size);
            java.util.Map<String, Long> calls = new java.util.LinkedHashMap<>();
            for (int i = 0; i < PoolStatus.CONFIDENCES.size(); i++) {
              calls.put(PoolStatus.CONFIDENCES.get(i), r.get(7 + i).toLong());
            }
            return new PoolStatus(poolId, pool.property(), size, leased, holding, free, r.get(12).toInteger(),
                utilization,
                r.get(4).toLong(), r.get(5).toLong(), r.get(6).toLong(), calls);
          });
    });
  }

  /** Reclaims and trims every pool, one after the other; answers how many leases and holds it ended. */
  @Override
  public Future<Integer> sweep() {
    return sweepUnlessSweptWithin(Duration.ZERO);
  }

  @Override
  public Future<Integer> sweepUnlessSweptWithin(Duration gap) {
    return config.routingTable().compose(table -> {
      Future<Integer> total = Future.succeededFuture(0);
      for (String poolId : new LinkedHashSet<>(table.poolOfNumber().values())) {
        total = total.compose(sum -> sweep(poolId, gap).map(n -> sum + n));
      }
      return total;
    });
  }

  private Future<Integer> sweep(String poolId, Duration gap) {
    return config.pool(poolId).compose(p -> {
      if (p.isEmpty()) {
        return Future.succeededFuture(0);
      }
      long now = clock.millis();
      return run(SWEEP, poolId, poolKeys(new PoolKeys(poolId)), List.of(Long.toString(now),
              Long.toString(p.get().holdSeconds() * 1000L), Long.toString(now - historyWindow.toMillis()),
              Long.toString(gap.toMillis())))
          .map(r -> r.get(0).toInteger());
    });
  }

  // ---------------------------------------------------------------------------------------------
  // resolve

  @Override
  public Future<Resolution> resolve(PhoneNumber number, Instant at) {
    return candidates(number, at).map(c -> {
      if (c.poolId() != null) {
        return ResolutionPicker.pick(c.sessions(), at);
      }
      if (c.staticNumber() != null) {
        return new Resolution(Resolution.Kind.STATIC, null, List.of(), c.staticNumber());
      }
      return Resolution.unattributed();
    });
  }

  /**
   * Reads only the sessions that could own the call: the {@link #MAX_CANDIDATES} latest of the
   * number that started at or before {@code at} (its history is ordered by start), never the whole
   * history. Read-only.
   */
  @Override
  public Future<Candidates> candidates(PhoneNumber number, Instant at) {
    return candidates(number, null, at);
  }

  /**
   * With the caller's previous visitor read in the same round trip as the history ({@code call_lookup.lua}):
   * {@link #candidatesAll} of this one call.
   */
  @Override
  public Future<Candidates> candidates(PhoneNumber number, String caller, Instant at) {
    return candidatesAll(List.of(new CandidatesQuery(number, caller, at))).get(0);
  }

  /**
   * The calls' lookups of one pool in one batch ({@code call_lookup.lua} once per call, one write and
   * one read on one connection, where each call's own cost the event loop a socket write, a pooled
   * connection and a wake-up for its reply). A pool's keys share its slot, so each pool's batch goes to
   * the one node that holds them. The script only reads: a batch Redis answered with an error is
   * sent again one run at a time ({@link LuaScript#runAll}).
   */
  @Override
  public List<Future<Candidates>> candidatesAll(List<CandidatesQuery> queries) {
    List<Promise<Candidates>> answers = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      answers.add(Promise.promise());
    }
    config.routingTable().onComplete(ar -> {
      if (ar.failed()) {
        answers.forEach(a -> a.fail(ar.cause()));
        return;
      }
      RoutingTable table = ar.result();
      Map<String, List<Integer>> byPool = new LinkedHashMap<>();
      for (int i = 0; i < queries.size(); i++) {
        PhoneNumber number = queries.get(i).number();
        String poolId = table.poolOfNumber().get(number);
        if (poolId == null) {
          answers.get(i).complete(new Candidates(null, List.of(), table.staticNumbers().get(number)));
        } else {
          byPool.computeIfAbsent(poolId, k -> new ArrayList<>()).add(i);
        }
      }
      byPool.forEach((poolId, positions) -> {
        PoolKeys k = new PoolKeys(poolId);
        List<LuaScript.Run> runs = new ArrayList<>(positions.size());
        for (int i : positions) {
          CandidatesQuery q = queries.get(i);
          runs.add(new LuaScript.Run(lookupKeys(k, q.caller()), List.of(q.number().e164())));
        }
        CALL_LOOKUP.runAll(client, runs, LuaScript.Durability.NONE).onComplete(read -> {
          for (int j = 0; j < positions.size(); j++) {
            Promise<Candidates> answer = answers.get(positions.get(j));
            if (read.failed()) {
              answer.fail(read.cause());
            } else {
              CandidatesQuery q = queries.get(positions.get(j));
              candidatesRead(table, q.number(), poolId, q.caller(), q.at(), read.result().get(j)).onComplete(answer);
            }
          }
        });
      });
    });
    List<Future<Candidates>> futures = new ArrayList<>(answers.size());
    answers.forEach(a -> futures.add(a.future()));
    return futures;
  }

  /**
   * The keys {@code call_lookup.lua} reads: the pool's histories, and the caller's last visitor for an
   * E.164 caller.
   */
  private static List<String> lookupKeys(PoolKeys k, String caller) {
    return askCaller(caller) ? List.of(k.histories(), k.caller(caller)) : List.of(k.histories());
  }

  private static boolean askCaller(String caller) {
    return caller != null && caller.startsWith("+");
  }

  /** A call's candidates from what {@code call_lookup.lua} read for it. */
  private Future<Candidates> candidatesRead(RoutingTable table, PhoneNumber number, String poolId,
      String caller, Instant at, Response read) {
    String previous = askCaller(caller) && read.get(1) != null ? read.get(1).toString() : null;
    return history(poolId, number.e164(), read.get(0))
        .compose(history -> candidates(table, number, poolId, at, history, previous));
  }

  /** The latest sessions of the number's history that started by {@code at}, read and decoded. */
  private Future<Candidates> candidates(RoutingTable table, PhoneNumber number,
      String poolId, Instant at, Response history, String previous) {
    PoolKeys k = new PoolKeys(poolId);
    List<SessionCodec.HistoryEntry> entries = SessionCodec.HistoryEntry.all(history == null ? null : history.toString());
    // latest first: the history is oldest first
    List<SessionCodec.HistoryEntry> chosen = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0 && chosen.size() < MAX_CANDIDATES; i--) {
      if (entries.get(i).start() <= at.toEpochMilli()) {
        chosen.add(entries.get(i));
      }
    }
    if (chosen.isEmpty()) {
      return Future.succeededFuture(new Candidates(poolId, List.of(), null, previous));
    }
    List<String> randoms = new ArrayList<>(chosen.size());
    for (SessionCodec.HistoryEntry e : chosen) {
      randoms.add(e.random());
    }
    String property = table.propertyOfNumber().get(number);
    Instant now = clock.instant();
    return readSessions(k, randoms).map(read -> {
      Response cuts = read.get(chosen.size());
      List<Session> sessions = new ArrayList<>(chosen.size());
      for (int i = 0; i < chosen.size(); i++) {
        Response cut = cuts.get(i);
        Session s = SessionCodec.decode(poolId + "." + randoms.get(i), property, read.get(i),
            cut == null ? null : cut.toString(), now, poolNumber);
        if (s != null) {
          sessions.add(s);
        }
      }
      return new Candidates(poolId, sessions, null, previous);
    });
  }

  /**
   * The hashes of the pool's sessions {@code randoms} (their ids' random parts), then one reply with
   * when each was cut short ({@code recycled}, nil for those that were not): one batch, so one write
   * and one read on one connection however many sessions a call has as candidates (each its own
   * command cost the event loop a socket write and Redis a read, at every attributed call). Every key
   * is in the pool's slot. Reads only.
   */
  private Future<List<Response>> readSessions(PoolKeys k, List<String> randoms) {
    List<Request> batch = new ArrayList<>(randoms.size() + 1);
    Request cuts = Request.cmd(Command.HMGET).arg(k.recycled());
    for (String random : randoms) {
      Request hash = Request.cmd(Command.HMGET);
      SessionCodec.hmget(k.session(k.poolId() + "." + random)).forEach(hash::arg);
      batch.add(hash);
      cuts.arg(random);
    }
    batch.add(cuts);
    return client.batch(batch);
  }

  /**
   * A number's history field as read ({@code history}); when there is none, a pool still in the
   * first key layout is migrated first and read again.
   */
  private Future<Response> history(String poolId, String e164, Response history) {
    PoolKeys k = new PoolKeys(poolId);
    return history != null || inCurrentLayout.contains(poolId)
        ? Future.succeededFuture(history)
        : redis.hget(k.meta(), "layout").compose(layout -> {
            if (layout != null) {
              inCurrentLayout.add(poolId);
              return Future.succeededFuture((Response) null);
            }
            return migrate(poolId).compose(v -> redis.hget(k.histories(), e164));
          });
  }

  /**
   * Pools seen in this key layout: a pool never goes back to the first one, so a number without
   * history needs no second read to tell (at 1,000 calls/s on such numbers, one read per call).
   */
  private final Set<String> inCurrentLayout = ConcurrentHashMap.newKeySet();

  @Override
  public Future<Boolean> evidence(String sessionId, Session.Evidence.Kind kind) {
    return beacon(sessionId, kind.field(), null);
  }

  @Override
  public Future<Boolean> identify(String sessionId, Attribution ids) {
    String value = SessionCodec.ids(ids);
    return value == null ? Future.succeededFuture(false) : beacon(sessionId, SessionCodec.IDS, value);
  }

  /** One beacon's field (and its value, else now) on a live session: {@code evidence.lua}. */
  private Future<Boolean> beacon(String sessionId, String field, String value) {
    String poolId;
    try {
      poolId = SessionIds.poolOf(sessionId);
    } catch (CalltrackException e) {
      return Future.failedFuture(e);
    }
    PoolKeys k = new PoolKeys(poolId);
    List<String> keys = new ArrayList<>(poolKeys(k));
    keys.add(k.session(sessionId));
    List<String> args = new ArrayList<>(List.of(Long.toString(clock.millis()), field,
        Integer.toString(MAX_BEACONS), sessionId));
    if (value != null) {
      args.add(value);
    }
    return run(EVIDENCE, poolId, keys, args)
        .compose(r -> switch (r.get(0).toString()) {
          case "ok" -> Future.succeededFuture(true);
          case "not_found" -> Future.failedFuture(unknownSession(sessionId));
          default -> Future.succeededFuture(false);
        });
  }

  /**
   * Counted in memory and added to Redis every {@value #COUNT_MILLIS} ms, one HINCRBY per pool and
   * confidence: the router counts every call it attributes, and one HINCRBY each was a round trip per
   * call. A count whose HINCRBY Redis refuses is lost, as a refused HINCRBY of its own was.
   */
  @Override
  public Future<Void> countAttributed(String poolId, String confidence) {
    if (poolId == null || !PoolStatus.CONFIDENCES.contains(confidence)) {
      return Future.succeededFuture();
    }
    uncounted.computeIfAbsent(new Counted(new PoolKeys(poolId).stats(), "calls:" + confidence), k -> new LongAdder())
        .increment();
    if (countsDue.compareAndSet(false, true)) {
      vertx.setTimer(COUNT_MILLIS, id -> addCounts());
    }
    return Future.succeededFuture();
  }

  private void addCounts() {
    countsDue.set(false); // before taking them: a count after this sets the next timer
    uncounted.forEach((counted, adder) -> {
      long n = adder.sumThenReset();
      if (n > 0) {
        redis.hincrby(counted.key(), counted.field(), Long.toString(n));
      }
    });
  }

  /** How long an attributed call's count waits to go to Redis with others. */
  static final long COUNT_MILLIS = 5;
  /** Attributed calls counted and not yet in Redis, by stats hash and field. */
  private final ConcurrentHashMap<Counted, LongAdder> uncounted = new ConcurrentHashMap<>();

  private record Counted(String key, String field) {}
  private final AtomicBoolean countsDue = new AtomicBoolean();

  @Override
  public Future<Void> rememberCaller(String poolId, String caller, String visitorId) {
    if (poolId == null || caller == null || !caller.startsWith("+") || visitorId == null) {
      return Future.succeededFuture();
    }
    // kept for the history window, or the property's caller-number retention if that is shorter
    return callerRetention(poolId).compose(keep -> redis.set(List.of(new PoolKeys(poolId).caller(caller), visitorId,
        "PX", Long.toString(Math.min(historyWindow.toMillis(), keep))))).mapEmpty();
  }

  /** The caller-number retention of the pool's property in ms (Long.MAX_VALUE: none). */
  private Future<Long> callerRetention(String poolId) {
    return config.pool(poolId)
        .compose(pool -> pool.isEmpty() || pool.get().property() == null
            ? Future.succeededFuture(java.util.Optional.<io.calltrack.core.config.PropertyConfig>empty())
            : config.property(pool.get().property()))
        .map(p -> p.map(io.calltrack.core.config.PropertyConfig::retention)
            .map(r -> r.callerNumbersDays())
            .map(days -> java.time.Duration.ofDays(days).toMillis())
            .orElse(Long.MAX_VALUE))
        .otherwise(Long.MAX_VALUE);
  }

  private static List<String> poolKeys(PoolKeys k) {
    return List.of(k.meta(), k.numbers(), k.free(), k.leased(), k.holding(), k.owner(), k.visitors(), k.stats(),
        k.historyNumbers(), k.channel(), k.live(), k.histories(), k.recycled());
  }

  /** Runs a pool script; a pool still in the first key layout is migrated first, then the script runs again. */
  private Future<Response> run(LuaScript script, String poolId, List<String> keys, List<String> args) {
    return script.run(redis, keys, args).compose(r -> unmigrated(r)
        ? migrate(poolId).compose(v -> script.run(redis, keys, args))
        : Future.succeededFuture(r));
  }

  private static boolean unmigrated(Response r) {
    return r != null && r.size() == 1 && "unmigrated".equals(r.get(0).toString());
  }

  /**
   * Moves a pool from the first key layout (each session's state in its own hash, a history zset per
   * number) to this one. The old keys are found from what indexes them: the numbers with a history
   * (their zsets list the sessions), and the live sessions in the owner and visitors hashes; a
   * session in none of those is over and past its number's history, so nothing reads its state
   * again. Runs the migration script a batch of keys at a time; the last batch marks the pool.
   * Every script refuses an unmigrated pool, so nothing writes the old keys meanwhile; two engines
   * migrating the same pool do the same idempotent work.
   */
  public Future<Void> migrate(String poolId) {
    PoolKeys k = new PoolKeys(poolId);
    return redis.smembers(k.historyNumbers()).compose(numbers -> {
      List<String> historyKeys = new ArrayList<>();
      numbers.forEach(n -> historyKeys.add(k.firstLayoutHistory(n.toString())));
      List<Future<Response>> reads = new ArrayList<>();
      for (String h : historyKeys) {
        reads.add(redis.zrange(List.of(h, "0", "-1")));
      }
      Future<Response> owners = redis.hvals(k.owner());
      Future<Response> visitors = redis.hvals(k.visitors());
      List<Future<Response>> all = new ArrayList<>(reads);
      all.add(owners);
      all.add(visitors);
      return Future.all(all).compose(done -> {
        java.util.Set<String> old = new LinkedHashSet<>(historyKeys);
        for (Future<Response> r : reads) {
          r.result().forEach(random -> old.add(k.session(poolId + "." + random)));
        }
        owners.result().forEach(sid -> old.add(k.session(sid.toString())));
        visitors.result().forEach(sid -> old.add(k.session(sid.toString())));
        List<String> list = new ArrayList<>(old);
        Future<Void> chain = Future.succeededFuture();
        for (int from = 0; from < list.size() || from == 0; from += MIGRATE_BATCH) {
          List<String> batch = list.subList(from, Math.min(list.size(), from + MIGRATE_BATCH));
          boolean last = from + MIGRATE_BATCH >= list.size();
          List<String> keys = new ArrayList<>(poolKeys(k));
          keys.addAll(batch);
          chain = chain.compose(v -> MIGRATE.run(redis, keys, List.of(last ? "last" : "more")).mapEmpty());
        }
        return chain;
      });
    });
  }
}
