package io.calltrack.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRM webhooks from the calls stream(s): {@code call.started}, {@code call.ended} (the record with its
 * attribution), {@code outcome.set} and {@code call.transcribed} (with the transcript), once per call: a callback dialled several times is one call
 * (its later attempts' {@code retry} entries and the ends of attempts with another due send nothing), to the property's {@link PropertySettings.Webhook}, signed and
 * retried until delivered ({@link WebhookSender}).
 *
 * <p>Delivery is at least once and in order: one dni-server at a time dispatches (a lock in Redis,
 * {@value #LOCK}), reading each stream from its cursor ({@code {webhooks}:cursor:<stream>}, the last
 * entry delivered or skipped) strictly in order, and moving the cursor only once the receiver said 2xx.
 * A receiver that is down holds up the events after it (per stream) until it recovers, so a call's
 * events never overtake each other; after {@link #MAX_ATTEMPTS} attempts the event is set aside in
 * {@value #DEAD_LETTERS} (its JSON body) so one dead receiver does not stop every property's webhooks. The cursor is written after the delivery: a crash between the two
 * sends that event again, with the same {@code Idempotency-Key} ({@code <callId>:<stream entry id>}).
 *
 * <p>The same entries go to the property's GA4 data stream and Meta pixel when it has them
 * ({@link CallEventForwarder}: at most once per call), and its recorded calls to its transcriber, read
 * with a cursor of their own ({@code {webhooks}:events-cursor:<stream>}, from the start of a stream, or
 * where the webhooks' cursor was for a stream read before these cursors existed): a CRM that is down holds up
 * neither. Each stream is read on its own: one property's CRM holds up no other property.
 *
 * <p>The streams come from one supplier (today the one calls stream; per-property streams when the
 * calls are sharded) so this follows the same streams as the rollup consumers.
 */
public final class CallWebhookDispatcher implements AutoCloseable {
  public static final String LOCK = "{webhooks}:dispatcher";
  public static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  public static final Duration LOCK_TTL = Duration.ofSeconds(15);
  public static final int BATCH = 100;
  /**
   * Attempts before an event is set aside in {@value #DEAD_LETTERS} so the events after it can go: with
   * the back-off doubling to its 5-minute cap, about an hour and a half of a receiver being down.
   */
  public static final int MAX_ATTEMPTS = 25;
  public static final String DEAD_LETTERS = "{webhooks}:dead-letters";
  private static final LuaScript HOLD_LOCK = LuaScript.load("/lua/webhooks/hold-lock.lua");
  private static final LuaScript RELEASE_LOCK = LuaScript.load("/lua/webhooks/release-lock.lua");
  private static final LuaScript INIT_EVENTS_CURSORS = LuaScript.load("/lua/webhooks/init-events-cursors.lua");
  /** Set once the streams read before the events had cursors of their own got theirs. */
  public static final String EVENTS_CURSORS = "{webhooks}:events-cursors";
  private static final Logger LOG = LoggerFactory.getLogger(CallWebhookDispatcher.class);

  private final Vertx vertx;
  private final RedisAPI api;
  private final SettingsStore settings;
  private final WebhookSender sender;
  private final CallEventForwarder platforms;
  private volatile Deliveries deliveries = (to, result) -> { };
  private io.calltrack.core.conversation.Transcriber transcriber;
  private final io.calltrack.core.conversation.Transcripts transcripts;
  private final Supplier<Future<List<String>>> streams;
  private final String me = "d-" + UUID.randomUUID();
  private final AtomicBoolean running = new AtomicBoolean();
  /** The streams being drained now (on the event loop only). */
  private final java.util.Set<String> draining = new java.util.HashSet<>();
  private volatile boolean holding;
  private long pollTimer = -1;
  private long lockTimer = -1;
  private int failedPolls; // on the event loop only
  private long ticks; // on the event loop only
  private boolean eventsCursorsReady; // on the event loop only
  /** The events reader reads each stream at every {@value}th poll. */
  static final int EVENTS_EVERY = 4;

  public CallWebhookDispatcher(Vertx vertx, Redis redis, SettingsStore settings, WebhookSender sender,
      Supplier<Future<List<String>>> streams) {
    this.vertx = vertx;
    this.api = RedisAPI.api(redis);
    this.settings = settings;
    this.sender = sender;
    this.platforms = new CallEventForwarder(api, sender);
    this.transcripts = new io.calltrack.core.conversation.Transcripts(api);
    this.streams = streams;
  }

  /**
   * What became of each delivery: {@code to} {@code crm} ({@code delivered}, {@code dead-lettered}),
   * {@code ga4} or {@code meta} ({@code sent}, {@code given-up}), any of these {@code erased} (dropped
   * before an attempt: the person was erased since the entry was written), {@code transcription} ({@code transcribed},
   * {@code given-up}). Called on the event loop.
   */
  @FunctionalInterface
  public interface Deliveries {
    void count(String to, String result);
  }

  /** Counts deliveries with {@code counter} (dni-server's metrics). */
  public CallWebhookDispatcher countedBy(Deliveries counter) {
    this.deliveries = counter;
    platforms.countedBy(counter);
    return this;
  }

  /** Offers the recorded calls to {@code transcriber} as their entries go by ({@link io.calltrack.core.conversation.Transcriber#offer}). */
  public CallWebhookDispatcher transcribedBy(io.calltrack.core.conversation.Transcriber transcriber) {
    this.transcriber = transcriber;
    return this;
  }

  public static String cursorKey(String stream) {
    return "{webhooks}:cursor:" + stream;
  }

  /**
   * Once per deployment, before the first read: the streams read before the events had a cursor of their
   * own get one where the webhooks' cursor is ({@code init-events-cursors.lua}); true if it ran now.
   */
  public Future<Boolean> initEventsCursors(List<String> streams) {
    List<String> keys = new java.util.ArrayList<>();
    keys.add(EVENTS_CURSORS);
    for (String s : streams) {
      keys.add(eventsCursorKey(s));
      keys.add(cursorKey(s));
    }
    return INIT_EVENTS_CURSORS.run(api, keys, List.of()).map(r -> r.toInteger() == 1);
  }

  /** Where the GA4 and Meta events and the transcriptions have read {@code stream} to. */
  public static String eventsCursorKey(String stream) {
    return "{webhooks}:events-cursor:" + stream;
  }

  public void start() {
    lockTimer = vertx.setPeriodic(0, LOCK_TTL.toMillis() / 3, id -> holdLock());
    pollTimer = vertx.setPeriodic(POLL_INTERVAL.toMillis(), id -> tick());
  }

  /** Takes or renews the dispatcher lock; true while this dispatcher holds it. */
  public Future<Boolean> holdLock() {
    return HOLD_LOCK.run(api, List.of(LOCK), List.of(me, Long.toString(LOCK_TTL.toMillis())))
        .map(r -> holding = r.toInteger() == 1)
        .otherwise(err -> holding = false);
  }

  /** Gives the lock up if this dispatcher holds it (at close; another server takes over). */
  public Future<Void> releaseLock() {
    holding = false;
    return RELEASE_LOCK.run(api, List.of(LOCK), List.of(me)).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * Starts draining every stream not being drained already: each property's stream on its own, so
   * one whose CRM is down (its webhook retried for an hour and more, in order) holds up only its own
   * entries, never another property's webhooks, GA4 and Meta events or transcriptions.
   */
  private void tick() {
    if (!holding || !running.compareAndSet(false, true)) {
      return;
    }
    streams.get().compose(list -> eventsCursorsReady ? Future.succeededFuture(list)
        : initEventsCursors(list).map(ran -> {
          eventsCursorsReady = true;
          return list;
        })).onComplete(ar -> {
      running.set(false);
      // once per outage, not at every poll (four a second) until the lock is lost
      if (ar.failed() && failedPolls++ == 0) {
        LOG.warn("webhook dispatcher: {}; retrying at every poll", ar.cause().toString());
      } else if (ar.succeeded() && failedPolls > 0) {
        LOG.warn("webhook dispatcher: polling again after {} failed poll(s)", failedPolls);
        failedPolls = 0;
      }
      if (ar.succeeded()) {
        // the events read a stream once a second, not four times: a second late is nothing to GA4 or
        // Meta, and an idle stream costs Redis two commands a read
        boolean events = ticks++ % EVENTS_EVERY == 0;
        for (String s : ar.result()) {
          for (Reader reader : Reader.values()) {
            if (reader == Reader.EVENTS && !events) {
              continue;
            }
            String job = reader + " " + s;
            if (draining.add(job)) {
              drain(s, reader).onComplete(done -> {
                draining.remove(job);
                if (done.failed() && holding) {
                  LOG.debug("webhook dispatcher: {}: {}", job, done.cause().toString());
                }
              });
            }
          }
        }
      }
    });
  }

  /**
   * The two readers of each stream, each with its own cursor: the CRM webhooks, strictly in order and
   * held up by a receiver that is down; and the GA4 and Meta events and the transcriptions, which are
   * at most once per call anyway and so never wait for a CRM.
   */
  enum Reader { CRM, EVENTS }

  /** The next batch of one stream for one reader, in order. */
  private Future<Void> drain(String stream, Reader reader) {
    return api.get(reader == Reader.CRM ? cursorKey(stream) : eventsCursorKey(stream)).compose(c -> {
      String start = c == null ? "-" : "(" + c;
      return api.xrange(List.of(stream, start, "+", "COUNT", Integer.toString(BATCH)));
    }).compose(entries -> {
      Future<Void> chain = Future.succeededFuture();
      for (Response e : entries) {
        chain = chain.compose(v -> !holding ? Future.failedFuture("lock lost")
            : reader == Reader.CRM ? deliver(stream, Entry.of(e)) : forward(stream, Entry.of(e)));
      }
      return chain;
    });
  }

  /** One calls-stream entry as the readers see it. */
  private record Entry(String id, String entryType, String webhookType, String property, String callId,
      JsonNode record, JsonNode outcome) {
    static Entry of(Response entry) {
      String id = entry.get(0).toString();
      Map<String, String> f = new LinkedHashMap<>();
      Response fields = entry.get(1);
      for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      String named = switch (f.getOrDefault("type", "")) {
        case "started" -> "call.started";
        case "ended" -> "call.ended";
        case "outcome" -> "outcome.set";
        case "transcript" -> "call.transcribed";
        default -> null;
      };
      JsonNode record = f.containsKey("record") ? JsonMapper.readStored(f.get("record"), JsonNode.class) : null;
      // a callback attempt that failed with another due: the call goes on (a "retry" entry, no
      // webhook), and the CRM hears call.ended once, with the outcome of the last attempt
      JsonNode retryAt = record == null ? null : record.path("attempt").path("retryAt");
      String type = "call.ended".equals(named) && retryAt != null && !retryAt.isMissingNode() && !retryAt.isNull()
          ? null : named;
      String property = record == null || record.path("property").isNull() ? null : record.path("property").asText(null);
      JsonNode outcome = f.containsKey("outcome") ? JsonMapper.readStored(f.get("outcome"), JsonNode.class) : null;
      return new Entry(id, f.get("type"), type, property, f.get("callId"), record, outcome);
    }
  }

  /** The CRM webhook of one entry (if it makes one and the property has a receiver); then the cursor moves. */
  private Future<Void> deliver(String stream, Entry e) {
    Future<Void> sent = e.property() == null || e.webhookType() == null ? Future.succeededFuture()
        : settings.get(e.property()).compose(s -> s.webhook() == null ? Future.succeededFuture()
            : body(e).compose(json -> json == null ? Future.succeededFuture()
                : post(s.webhook(), stream, e, json)));
    return sent.compose(v -> api.set(List.of(cursorKey(stream), e.id()))).mapEmpty();
  }

  /**
   * The webhook's JSON body: the event's {@code id} ({@link #key}), {@code type}, {@code property},
   * {@code callId}, {@code call} and {@code outcome}, and for {@code call.transcribed} the transcript as it
   * is now (none left, erased since: null, and nothing is sent). A transcript (up to 2 MiB) is read and
   * written on a worker, not the event loop.
   */
  private Future<String> body(Entry e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", key(e));
    body.put("type", e.webhookType());
    body.put("property", e.property());
    body.put("callId", e.callId());
    body.put("call", e.record());
    if (e.outcome() != null) {
      body.put("outcome", e.outcome());
    }
    if (!"call.transcribed".equals(e.webhookType())) {
      return Future.succeededFuture(JsonMapper.write(body));
    }
    return transcripts.json(e.property(), List.of(e.callId())).compose(found -> {
      String transcript = found.get(e.callId());
      return transcript == null ? Future.succeededFuture(null) : vertx.executeBlocking(() -> {
        body.put("transcript", JsonMapper.readStored(transcript, JsonNode.class));
        return JsonMapper.write(body);
      }, false);
    });
  }

  /** The webhook's {@code Idempotency-Key} and {@code id}: the same at every attempt and every re-read. */
  private static String key(Entry e) {
    return e.callId() + ":" + e.id();
  }

  /** The GA4 and Meta events of one entry, and its call offered for transcription; then the events' cursor moves. */
  private Future<Void> forward(String stream, Entry e) {
    // a recording comes in with the call's media entry, after its end
    boolean recorded = "media".equals(e.entryType()) || "call.ended".equals(e.webhookType());
    Future<Void> sent = e.property() == null || (e.webhookType() == null && !recorded) ? Future.succeededFuture()
        : settings.get(e.property()).compose(s -> (transcriber == null || !recorded ? Future.<Void>succeededFuture()
                : transcriber.offer(s, e.property(), e.callId(), e.record()))
            .compose(queued -> e.webhookType() == null ? Future.succeededFuture()
                : platforms.forward(s, e.property(), e.callId(), e.entryType(), e.record(), e.outcome(),
                    entryTime(e.id()), () -> stillThere(stream, e))));
    return sent.compose(v -> api.set(List.of(eventsCursorKey(stream), e.id()))).mapEmpty();
  }

  /** When a stream entry was written: its id's milliseconds. */
  static java.time.Instant entryTime(String id) {
    int dash = id.indexOf('-');
    try {
      return java.time.Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash)));
    } catch (NumberFormatException e) {
      return java.time.Instant.EPOCH;
    }
  }

  /**
   * One CRM webhook, retried until delivered or set aside in {@value #DEAD_LETTERS}; dropped when its
   * stream entry is gone before an attempt (the person was erased, {@code StreamScrub}).
   */
  private Future<Void> post(PropertySettings.Webhook webhook, String stream, Entry e, String json) {
    String key = key(e);
    return sender.post(webhook.url(), webhook.secret(), key, e.webhookType(), json, MAX_ATTEMPTS,
            () -> stillThere(stream, e))
        .onSuccess(sent -> deliveries.count("crm", sent ? "delivered" : "erased"))
        .<Void>mapEmpty()
        .recover(err -> {
          deliveries.count("crm", "dead-lettered");
          LOG.warn("webhook {} {} given up after {} attempts, kept in {}: {}", e.webhookType(), key, MAX_ATTEMPTS,
              DEAD_LETTERS, err.toString());
          return api.rpush(List.of(DEAD_LETTERS, json)).mapEmpty();
        });
  }

  /** Whether {@code e} is still in its stream: an erasure deletes the person's entries ({@code StreamScrub}). */
  private Future<Boolean> stillThere(String stream, Entry e) {
    return api.xrange(List.of(stream, e.id(), e.id())).map(r -> r != null && r.size() > 0);
  }

  /**
   * Stops polling and gives the lock up, so that another dni-server takes the webhooks over at its next
   * try instead of after the lock's {@link #LOCK_TTL}; completes once the lock is released (or the
   * release failed: then it expires).
   */
  public Future<Void> stop() {
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
      vertx.cancelTimer(lockTimer);
      pollTimer = -1;
    }
    return holding ? releaseLock() : Future.succeededFuture();
  }

  @Override
  public void close() {
    stop();
  }
}
