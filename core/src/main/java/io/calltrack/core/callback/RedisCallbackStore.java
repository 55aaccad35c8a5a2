package io.calltrack.core.callback;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.PageCursor;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.Retention;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Callback requests in Redis: how dni-server hands a callback to the routers, where its state is kept
 * for {@code GET /v1/callbacks/{id}}, and how routers share the work so that none is lost when one stops.
 *
 * <h2>Key layout</h2>
 * All of a property's callback keys share the hash tag {@code {cb:<property>}} ({@link CallbackKeys}):
 * <pre>
 * {cb:P}:callback:ID                      string  the Callback as JSON (personal data: the lead's phone); expires
 *                                                 after the property's retention ({@link #retention})
 * {cb:P}:due                              zset    ids of callbacks not finished, scored by when a router may take
 *                                                 each next (ms): requested, opening, retry, or the holder's lease end
 * {cb:P}:owners                           hash    id → the router holding it now (while its lease lasts)
 * {cb:P}:phone:E164                       set     ids asked for that phone (erasure); expires with its newest callback
 * {cb:P}:visitor:V                       set     ids asked from visitor V's visits (erasure); expires with its newest callback
 * {cb:P}:limit:phone:E164:WINDOW_START    string  requests for that phone in the window (expires after two windows)
 * {cb:P}:limit:address:IP:WINDOW_START    string  requests from that address in the window (likewise)
 * {cb:P}:limit:property:WINDOW_START      string  requests the property took in the window (likewise)
 * </pre>
 * Callback ids are {@code <property>.<128 random bits, base64url>}, so a GET finds the property.
 *
 * <h2>Who places a callback</h2>
 * A router {@link #claim claims} the callback due longest and holds it for a lease, which it renews
 * ({@link #hold}) while it waits for the SIP legs; only the holder may write the callback
 * ({@link #hold}, {@link #reschedule}, {@link #finish} do nothing for anyone else). A callback waiting for
 * opening time or a retry is not held by anyone: it is due at that time. When a router stops, its
 * leases run out and another router (or itself, restarted) claims its callbacks again. Times are the
 * injected clock's, never Redis's; key expiry only cleans up.
 */
public final class RedisCallbackStore {
  /** How long a callback (a lead's phone number) is kept when the property's retention says nothing. */
  public static final Duration RETENTION = Duration.ofDays(30);
  private static final LuaScript REQUEST = LuaScript.load("/lua/callback/request.lua");
  private static final LuaScript CLAIM = LuaScript.load("/lua/callback/claim.lua");
  private static final LuaScript HOLD = LuaScript.load("/lua/callback/hold.lua");
  private static final LuaScript RESCHEDULE = LuaScript.load("/lua/callback/reschedule.lua");
  private static final LuaScript FINISH = LuaScript.load("/lua/callback/finish.lua");
  private static final LuaScript CANCEL = LuaScript.load("/lua/callback/cancel.lua");
  private static final LuaScript ERASE_PHONE = LuaScript.load("/lua/callback/erase-phone.lua");
  private static final LuaScript ERASE_VISITOR = LuaScript.load("/lua/callback/erase-visitor.lua");
  /** How many times an erasure starts again when a request came in while it ran. */
  private static final int ERASE_ROUNDS = 3;

  /** Requests allowed per phone and per client address in one window. */
  public record Limits(int perPhone, int perAddress, Duration window) {
    public static final Limits DEFAULT = new Limits(3, 10, Duration.ofHours(1));
  }

  private final RedisAPI redis;
  private final Clock clock;
  private final Limits limits;

  public RedisCallbackStore(RedisAPI redis, Clock clock, Limits limits) {
    this.redis = redis;
    this.clock = clock;
    this.limits = limits;
  }

  public static String newId(String property) {
    return Ids.newScoped(property);
  }

  /**
   * How long a property keeps a callback, counted from the request: its caller-number retention (a
   * callback is a phone number asking to be called), else its call-record retention, else {@link #RETENTION}.
   */
  public static Duration retention(PropertyConfig property) {
    Retention r = property == null ? null : property.retention();
    if (r != null && r.callerNumbersDays() != null) {
      return Duration.ofDays(r.callerNumbersDays());
    }
    if (r != null && r.callRecords() != null) {
      return r.callRecords();
    }
    return RETENTION;
  }

  /** {@link #request(Callback, String, String, Duration, CallbackSettings)} from no visit, kept for {@link #RETENTION}, default settings. */
  public Future<Callback> request(Callback callback, String address) {
    return request(callback, null, address, RETENTION, CallbackSettings.DEFAULT);
  }

  /**
   * Stores the callback for {@code retention} and makes it due now. A phone that has a callback of the
   * property not finished yet (queued, waiting, being placed) gets that one instead: a lead form sent
   * twice is one callback, counted once. Refused with {@link CalltrackException.TooMany}, nothing
   * stored, when the phone, {@code address} (null: an admin request, not limited by address) or the
   * property ({@code settings.requestsPerHour}) has had its requests for this window.
   * {@code visitorId}: the visitor of the callback's visit (null: none), under whose id it is indexed
   * for that visitor's erasure.
   */
  public Future<Callback> request(Callback callback, String visitorId, String address, Duration retention,
      CallbackSettings settings) {
    CallbackKeys k = new CallbackKeys(callback.property());
    long window = limits.window().toMillis();
    long now = clock.millis();
    long start = now / window * window;
    String addr = address == null ? "admin" : address;
    List<String> keys = new ArrayList<>(List.of(k.callback(callback.id()), k.due(),
        k.phoneWindow(callback.phone(), start), k.addressWindow(addr, start), k.phone(callback.phone()),
        k.propertyWindow(start)));
    if (visitorId != null) {
      keys.add(k.visitor(visitorId));
    }
    List<String> args = List.of(callback.id(), JsonMapper.write(callback), Long.toString(retention.toMillis()),
        Integer.toString(limits.perPhone()), Integer.toString(address == null ? 0 : limits.perAddress()),
        Long.toString(window), Long.toString(now), Integer.toString(settings.requestsPerHour()));
    return REQUEST.run(redis, keys, args).compose(r -> {
      if (r.type() == io.vertx.redis.client.ResponseType.MULTI) {
        String pending = r.get(1).toString();
        // the pending one as stored; gone since the script ran (finished and expired, erased): this one
        return get(pending).map(c -> c.orElse(callback));
      }
      return switch (r.toString()) {
        case "ok" -> Future.succeededFuture(callback);
        case "phone" -> Future.failedFuture(new CalltrackException.TooMany(
            "too many callback requests for this phone number; try again later", "phone"));
        case "property" -> Future.failedFuture(new CalltrackException.TooMany(
            "this site takes no more callback requests this hour; try again later", "site"));
        default -> Future.failedFuture(new CalltrackException.TooMany(
            "too many callback requests from this address; try again later", "address"));
      };
    });
  }

  public Future<Optional<Callback>> get(String id) {
    String property = Ids.scopeOf(id);
    if (property == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return redis.get(new CallbackKeys(property).callback(id))
        .map(r -> r == null ? Optional.<Callback>empty() : Optional.of(JsonMapper.readStored(r.toString(), Callback.class)));
  }

  /** Most callbacks one page of {@link #pending} lists. */
  public static final int MAX_PAGE = 500;

  /**
   * {@code property}'s callbacks not finished (queued, waiting for the opening or a retry, being
   * placed), {@code limit} of them, in the order the routers take them: by when each is due next (its
   * request, opening or retry time; while a router places it, the end of that router's lease), ties by
   * id. {@code cursor}: null for the first page, else a page's {@code next}. Read without a script (a
   * list needs no atomicity): a callback finished or erased between the reads is left out.
   */
  public Future<CallbackPage> pending(String property, int limit, String cursor) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new CalltrackException.Invalid("limit must be between 1 and " + MAX_PAGE);
    }
    CallbackKeys k = new CallbackKeys(property);
    DueAt after = cursor == null ? null : DueAt.decode(cursor);
    // the members due at the cursor's own instant come before it or after it by id (a sorted set's ties
    // are in byte order): skip those up to it. Many share an instant: every callback waiting for one opening
    Future<Integer> skip = after == null ? Future.succeededFuture(0)
        : redis.zrange(List.of(k.due(), Long.toString(after.millis()), Long.toString(after.millis()), "BYSCORE"))
            .map(tied -> {
              int n = 0;
              for (var m : tied) {
                if (DueAt.byteOrder(m.toString(), after.id()) <= 0) {
                  n++;
                }
              }
              return n;
            });
    String min = after == null ? "-inf" : Long.toString(after.millis());
    return skip.compose(n -> redis.zrange(List.of(k.due(), min, "+inf", "BYSCORE", "LIMIT", Integer.toString(n),
        Integer.toString(limit + 1), "WITHSCORES"))).compose(range -> {
          List<DueAt> due = DueAt.of(range);
          boolean more = due.size() > limit;
          List<DueAt> page = more ? due.subList(0, limit) : due;
          String next = more ? page.get(page.size() - 1).encode() : null;
          if (page.isEmpty()) {
            return Future.succeededFuture(new CallbackPage(List.of(), null));
          }
          List<String> keys = new ArrayList<>();
          for (DueAt d : page) {
            keys.add(k.callback(d.id()));
          }
          return redis.mget(keys).map(found -> {
            List<Callback> callbacks = new ArrayList<>();
            for (var json : found) {
              if (json != null) {
                Callback c = JsonMapper.readStored(json.toString(), Callback.class);
                if (!c.state().finished()) {
                  callbacks.add(c);
                }
              }
            }
            return new CallbackPage(callbacks, next);
          });
        });
  }

  /** How many of {@code property}'s callbacks are not finished (the length of {@link #pending}'s list, or about). */
  public Future<Long> pendingCount(String property) {
    return redis.zcard(new CallbackKeys(property).due()).map(r -> r.toLong());
  }

  /** A place in a property's due callbacks: when one is due (ms) and its id; a page's cursor. */
  private record DueAt(long millis, String id) {
    /** A page's place: the last callback listed, {@code <due ms>|<id>}. */
    private static final java.util.regex.Pattern SHAPE = java.util.regex.Pattern.compile("-?[0-9]{1,18}\\|.+");

    String encode() {
      return PageCursor.encode(millis + "|" + id);
    }

    static DueAt decode(String cursor) {
      String place = PageCursor.decode(cursor, SHAPE);
      int bar = place.indexOf('|');
      return new DueAt(Long.parseLong(place.substring(0, bar)), place.substring(bar + 1));
    }

    /** The members of a ZRANGE ... WITHSCORES: pairs under RESP3, member and score in turn under RESP2. */
    static List<DueAt> of(io.vertx.redis.client.Response range) {
      List<DueAt> due = new ArrayList<>();
      boolean pairs = range.size() > 0 && range.get(0).type() == io.vertx.redis.client.ResponseType.MULTI;
      for (int i = 0; i < range.size(); i += pairs ? 1 : 2) {
        var member = pairs ? range.get(i).get(0) : range.get(i);
        var score = pairs ? range.get(i).get(1) : range.get(i + 1);
        due.add(new DueAt((long) score.toDouble().doubleValue(), member.toString()));
      }
      return due;
    }

    /** Redis orders a sorted set's members of one score by their bytes, unsigned. */
    static int byteOrder(String a, String b) {
      return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /**
   * The callback of {@code property} due longest, now held by {@code router} until {@code lease} from
   * now; empty when none is due, or when {@code concurrent} of the property's callbacks are held under
   * a running lease already (by any router: each is a call to the business line). A claimed id whose
   * record is gone (expired, erased) is dropped and the answer is empty.
   */
  public Future<Optional<Callback>> claim(String property, String router, Duration lease, int concurrent) {
    CallbackKeys k = new CallbackKeys(property);
    long now = clock.millis();
    return CLAIM.run(redis, List.of(k.due(), k.owners()),
            List.of(Long.toString(now), Long.toString(now + lease.toMillis()), router, Integer.toString(concurrent)))
        .compose(r -> {
          if (r == null) {
            return Future.succeededFuture(Optional.<Callback>empty());
          }
          String id = r.toString();
          return get(id).compose(c -> c.isPresent()
              ? Future.succeededFuture(c)
              : FINISH.run(redis, List.of(k.callback(id), k.due(), k.owners()), List.of(id, router, ""))
                  .map(x -> Optional.<Callback>empty()));
        });
  }

  /**
   * Renews {@code router}'s lease on the callback for {@code lease} from now and, when {@code changed},
   * writes its state. False when the router no longer holds it (another router took it over, or it was
   * finished or erased): the router must then leave it alone.
   */
  public Future<Boolean> hold(Callback callback, String router, Duration lease, boolean changed) {
    CallbackKeys k = new CallbackKeys(callback.property());
    return HOLD.run(redis, List.of(k.callback(callback.id()), k.due(), k.owners()),
            List.of(callback.id(), router, Long.toString(clock.millis() + lease.toMillis()),
                changed ? JsonMapper.write(callback) : ""))
        .map(r -> r != null && r.toLong() == 1L);
  }

  /** Writes the callback and lets it go until its {@code notBefore} (opening time, next attempt). */
  public Future<Boolean> reschedule(Callback callback, String router) {
    CallbackKeys k = new CallbackKeys(callback.property());
    return RESCHEDULE.run(redis, List.of(k.callback(callback.id()), k.due(), k.owners()),
            List.of(callback.id(), router, Long.toString(callback.notBefore().toEpochMilli()),
                JsonMapper.write(callback)))
        .map(r -> r != null && r.toLong() == 1L);
  }

  /** Writes the callback's final state and takes it off the schedule. */
  public Future<Boolean> finish(Callback callback, String router) {
    CallbackKeys k = new CallbackKeys(callback.property());
    return FINISH.run(redis, List.of(k.callback(callback.id()), k.due(), k.owners()),
            List.of(callback.id(), router, JsonMapper.write(callback)))
        .map(r -> r != null && r.toLong() == 1L);
  }

  /**
   * Cancels the callbacks of {@code property} that return a missed call of {@code e164} and that no
   * router is placing (queued, waiting for the opening or a retry): the caller called again and was
   * answered, {@code why}. A lead's own requests stay. Answers how many were cancelled.
   */
  public Future<Integer> cancelMissedCallbacks(String property, String e164, String why) {
    CallbackKeys k = new CallbackKeys(property);
    return redis.smembers(k.phone(e164)).compose(members -> {
      List<Future<Integer>> each = new ArrayList<>();
      for (io.vertx.redis.client.Response member : members) {
        String id = member.toString();
        each.add(redis.get(k.callback(id)).compose(raw -> {
          if (raw == null) {
            return Future.succeededFuture(0);
          }
          Callback c = JsonMapper.readStored(raw.toString(), Callback.class);
          if (c.returnsCall() == null || c.state().finished()) {
            return Future.succeededFuture(0);
          }
          Callback cancelled = c.ended(CallbackState.CANCELLED, clock.instant(), why);
          return CANCEL.run(redis, List.of(k.callback(id), k.due(), k.owners()),
                  List.of(id, raw.toString(), JsonMapper.write(cancelled)))
              .map(r -> r == null ? 0 : r.toInteger());
        }));
      }
      return Future.all(each).map(all -> each.stream().mapToInt(Future::result).sum());
    });
  }

  /**
   * Deletes every callback of {@code property} asked for {@code e164}, with its index and request
   * counters (erasure of a person). Answers how many callbacks were deleted.
   */
  public Future<Integer> erasePhone(String property, String e164) {
    CallbackKeys k = new CallbackKeys(property);
    return eraseIndexed(k.phone(e164), ids -> {
      List<String> keys = new ArrayList<>(List.of(k.due(), k.owners(), k.phone(e164)));
      keys.addAll(phoneWindows(k, e164));
      ids.forEach(id -> keys.add(k.callback(id)));
      return ERASE_PHONE.run(redis, keys, ids).map(r -> r == null ? 0 : r.toInteger());
    }, 0, 0);
  }

  /**
   * Deletes every callback of {@code property} asked from {@code visitorId}'s visits (erasure of a
   * visitor), with their places in their phones' indexes and those phones' request counters. Answers
   * the callbacks deleted, as they were just before (their calls are erased next).
   */
  public Future<List<Callback>> eraseVisitor(String property, String visitorId) {
    CallbackKeys k = new CallbackKeys(property);
    List<Callback> erased = new ArrayList<>();
    return eraseIndexed(k.visitor(visitorId), ids -> {
      if (ids.isEmpty()) {
        return Future.succeededFuture(0);
      }
      List<Future<Optional<Callback>>> reads = ids.stream().map(this::get).toList();
      return Future.all(reads).compose(all -> {
        // the callbacks still stored come first (with their phone's keys), then the ids already gone
        List<Callback> found = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          Optional<Callback> cb = reads.get(i).result();
          if (cb.isPresent()) {
            found.add(cb.get());
          } else {
            gone.add(ids.get(i));
          }
        }
        List<String> keys = new ArrayList<>(List.of(k.due(), k.owners(), k.visitor(visitorId)));
        List<String> args = new ArrayList<>(List.of(Integer.toString(found.size())));
        for (Callback cb : found) {
          keys.add(k.callback(cb.id()));
          keys.add(k.phone(cb.phone()));
          keys.addAll(phoneWindows(k, cb.phone()));
          args.add(cb.id());
        }
        gone.forEach(id -> {
          keys.add(k.callback(id));
          args.add(id);
        });
        return ERASE_VISITOR.run(redis, keys, args).map(r -> {
          Set<String> deleted = new HashSet<>();
          if (r != null) {
            r.forEach(id -> deleted.add(id.toString()));
          }
          found.stream().filter(cb -> deleted.contains(cb.id())).forEach(erased::add);
          return deleted.size();
        });
      });
    }, 0, 0).map(n -> erased);
  }

  /** The phone's request windows that can still count (current and previous), for its erasure. */
  private List<String> phoneWindows(CallbackKeys k, String e164) {
    long window = limits.window().toMillis();
    long start = clock.millis() / window * window;
    return List.of(k.phoneWindow(e164, start), k.phoneWindow(e164, start - window));
  }

  /**
   * Erases the callbacks an index lists ({@code eraseOnce} deletes the ids given and their index
   * entries, answering how many it deleted), again when a request added one while it ran.
   */
  private Future<Integer> eraseIndexed(String index, Function<List<String>, Future<Integer>> eraseOnce, int done,
      int rounds) {
    return redis.smembers(index).compose(members -> {
      List<String> ids = new ArrayList<>();
      if (members != null) {
        members.forEach(m -> ids.add(m.toString()));
      }
      return eraseOnce.apply(ids).compose(deleted -> {
        int n = done + deleted;
        // a request that came between reading the index and erasing: erase again (a few times at most)
        return redis.exists(List.of(index)).compose(e -> e != null && e.toLong() > 0 && rounds < ERASE_ROUNDS
            ? eraseIndexed(index, eraseOnce, n, rounds + 1)
            : Future.succeededFuture(n));
      });
    });
  }
}
