package io.calltrack.core.callback;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Callback requests in Redis: how dni-server hands a callback to the router, and where its state is
 * kept for {@code GET /v1/callbacks/{id}}.
 *
 * <h2>Key layout</h2>
 * All of a property's callback keys share the hash tag {@code {cb:<property>}} ({@link CallbackKeys}):
 * <pre>
 * {cb:P}:callback:ID                      string  the Callback as JSON; expires after the retention (personal data)
 * {cb:P}:queue                            list    callback ids waiting for a router (RPUSH by dni-server, LPOP by a router)
 * {cb:P}:limit:phone:E164:WINDOW_START    string  requests for that phone in the window (expires after two windows)
 * {cb:P}:limit:address:IP:WINDOW_START    string  requests from that address in the window (likewise)
 * </pre>
 * Callback ids are {@code <property>.<128 random bits, base64url>}, so a GET finds the property.
 * A callback is popped by exactly one router (LPOP); that router alone writes its state from then on.
 * Windows are cut by the injected clock, never by Redis's; key expiry only cleans up.
 */
public final class RedisCallbackStore {
  /** How long a callback (a lead's phone number) is kept. */
  public static final Duration RETENTION = Duration.ofDays(30);
  private static final LuaScript REQUEST = LuaScript.load("/lua/callback/request.lua");
  private static final Pattern ID = Pattern.compile("([A-Za-z0-9_-]{1,64})\\.[A-Za-z0-9_-]{22}");
  private static final SecureRandom RANDOM = new SecureRandom();

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
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return property + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Stores and queues the callback unless its phone, or {@code address} (null: an admin request, not
   * limited by address), has had its requests for this window: then
   * {@link CalltrackException.TooMany}, and nothing is stored.
   */
  public Future<Callback> request(Callback callback, String address) {
    CallbackKeys k = new CallbackKeys(callback.property());
    long window = limits.window().toMillis();
    long start = clock.millis() / window * window;
    String addr = address == null ? "admin" : address;
    List<String> keys = List.of(k.callback(callback.id()), k.queue(), k.phoneWindow(callback.phone(), start),
        k.addressWindow(addr, start));
    List<String> args = List.of(callback.id(), JsonMapper.write(callback), Long.toString(RETENTION.toMillis()),
        Integer.toString(limits.perPhone()), Integer.toString(address == null ? 0 : limits.perAddress()),
        Long.toString(window));
    return REQUEST.run(redis, keys, args).compose(r -> switch (r.toString()) {
      case "ok" -> Future.succeededFuture(callback);
      case "phone" -> Future.failedFuture(new CalltrackException.TooMany("too many callback requests for this phone number; try again later"));
      default -> Future.failedFuture(new CalltrackException.TooMany("too many callback requests from this address; try again later"));
    });
  }

  public Future<Optional<Callback>> get(String id) {
    Matcher m = id == null ? null : ID.matcher(id);
    if (m == null || !m.matches()) {
      return Future.succeededFuture(Optional.empty());
    }
    return redis.get(new CallbackKeys(m.group(1)).callback(id))
        .map(r -> r == null ? Optional.<Callback>empty() : Optional.of(JsonMapper.read(r.toString(), Callback.class)));
  }

  /** The next callback of {@code property} waiting for a router, taken off the queue (only this caller has it). */
  public Future<Optional<Callback>> take(String property) {
    CallbackKeys k = new CallbackKeys(property);
    return redis.lpop(List.of(k.queue())).compose(r -> r == null
        ? Future.succeededFuture(Optional.<Callback>empty())
        : get(r.toString()));
  }

  /** Writes the callback's new state (only the router that took it writes). */
  public Future<Void> save(Callback callback) {
    return redis.set(List.of(new CallbackKeys(callback.property()).callback(callback.id()),
            JsonMapper.write(callback), "PX", Long.toString(RETENTION.toMillis())))
        .mapEmpty();
  }
}
