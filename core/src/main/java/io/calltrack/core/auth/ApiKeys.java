package io.calltrack.core.auth;

import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * API keys scoped to one property, stored hashed in one Redis hash, their last uses in another:
 * <pre>
 * {apikeys}:by-id      hash  key id → JSON {id, property, scope, name, createdAt, expiresAt, sha256}
 * {apikeys}:last-used  hash  key id → epoch milliseconds of its last use (to the minute)
 * </pre>
 * A key reads {@code ctk_<id>_<secret>}: the id finds the record, the secret (256 random bits) is
 * what proves it. Only the SHA-256 of the whole key is kept, compared in constant time; the key is
 * shown once, when it is created. A key may be given an expiry, after which it opens nothing; each
 * key's last use is kept so that an operator sees which keys are idle and can be revoked. Changes are
 * single scripts over declared keys.
 */
public final class ApiKeys {
  public static final String KEY = "{apikeys}:by-id";
  public static final String LAST_USED = "{apikeys}:last-used";
  /**
   * A key's use is written to Redis at most this often by each server: a script that polls every second
   * would otherwise write at every request; "last used" to the minute is what an operator needs.
   */
  public static final Duration USE_RECORDED_EVERY = Duration.ofMinutes(1);
  private static final LuaScript TOUCH = LuaScript.load("/lua/auth/touch-api-key.lua");
  public static final String PREFIX = "ctk_";
  private static final LuaScript CREATE = LuaScript.load("/lua/auth/create-api-key.lua");
  private static final LuaScript REVOKE = LuaScript.load("/lua/auth/revoke-api-key.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis client;
  private final RedisAPI redis;
  private final Clock clock;
  private final LuaScript.Durability writes;
  /** When this server last recorded each key's use (ids of keys it saw; cleared if it grows past 10,000). */
  private final java.util.concurrent.ConcurrentHashMap<String, Instant> recorded = new java.util.concurrent.ConcurrentHashMap<>();

  public ApiKeys(Redis redis, Clock clock) {
    this(redis, clock, LuaScript.Durability.NONE);
  }

  /**
   * Keys whose creation and revocation answer only once {@code writes} replicas have them: a key
   * handed out, or a revocation confirmed, is not undone by a failover right after. Fewer in time:
   * {@link LuaScript.NotReplicated}: revoking again is harmless, and a create that failed so leaves at
   * most a record whose key was never shown (creating again issues another key).
   */
  public ApiKeys(Redis redis, Clock clock, LuaScript.Durability writes) {
    this.client = redis;
    this.redis = RedisAPI.api(redis);
    this.clock = clock;
    this.writes = writes;
  }

  /** A key and its record; {@code key} exists only here, never in Redis. */
  public record Issued(ApiKey record, String key) {}

  /** A key that never expires (until revoked). */
  public Future<Issued> create(String property, ApiKey.Scope scope, String name) {
    return create(property, scope, name, null);
  }

  /** A key that stops working at {@code expiresAt} (null: never). */
  public Future<Issued> create(String property, ApiKey.Scope scope, String name, Instant expiresAt) {
    byte[] idBytes = new byte[9];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String id = b64.encodeToString(idBytes).replace('_', 'x').replace('-', 'y');
    String key = PREFIX + id + "_" + b64.encodeToString(secret);
    ApiKey record = new ApiKey(id, property, scope, name, clock.instant(), expiresAt, null, sha256Hex(key));
    return CREATE.runReplicated(client, List.of(KEY), List.of(id, JsonMapper.write(record)), writes).compose(added ->
        added.toInteger() == 1
            ? Future.succeededFuture(new Issued(record.withoutHash(), key))
            : create(property, scope, name, expiresAt)); // an id clash: astronomically rare, draw again
  }

  /** What a presented key turned out to be. */
  public sealed interface Verdict permits Valid, Expired, Unknown {}

  /** A live key: its record (without its hash). */
  public record Valid(ApiKey key) implements Verdict {}

  /** A key that was issued and has expired (its holder may be told when). */
  public record Expired(Instant at) implements Verdict {}

  /** Not a key issued here, or revoked. */
  public record Unknown() implements Verdict {}

  /**
   * What {@code key} is; a live key's use is recorded ({@value #LAST_USED}, at most once per
   * {@link #USE_RECORDED_EVERY} by this server; a failure to record it is ignored).
   */
  public Future<Verdict> authenticate(String key) {
    if (key == null || !key.startsWith(PREFIX)) {
      return Future.succeededFuture(new Unknown());
    }
    int sep = key.indexOf('_', PREFIX.length());
    if (sep < 0) {
      return Future.succeededFuture(new Unknown());
    }
    String id = key.substring(PREFIX.length(), sep);
    return redis.hget(KEY, id).compose(found -> {
      if (found == null) {
        return Future.succeededFuture(new Unknown());
      }
      ApiKey record = JsonMapper.readStored(found.toString(), ApiKey.class);
      byte[] expected = HexFormat.of().parseHex(record.sha256());
      if (!MessageDigest.isEqual(expected, sha256(key))) {
        return Future.succeededFuture(new Unknown());
      }
      Instant now = clock.instant();
      if (record.expired(now)) {
        return Future.succeededFuture(new Expired(record.expiresAt()));
      }
      return recordUse(id, now).map(new Valid(record.withoutHash()));
    });
  }

  /** Records a use of key {@code id} unless this server did less than {@link #USE_RECORDED_EVERY} ago. */
  private Future<Void> recordUse(String id, Instant now) {
    Instant last = recorded.get(id);
    if (last != null && now.isBefore(last.plus(USE_RECORDED_EVERY))) {
      return Future.succeededFuture();
    }
    if (recorded.size() > 10_000) {
      recorded.clear();
    }
    recorded.put(id, now);
    return TOUCH.run(redis, List.of(KEY, LAST_USED), List.of(id, Long.toString(now.toEpochMilli())))
        .<Void>mapEmpty().otherwiseEmpty();
  }

  /** Every key, or the keys of one property, without hashes, oldest first. */
  public Future<List<ApiKey>> list(String property) {
    Future<Response> records = redis.hvals(KEY);
    Future<Response> uses = redis.hgetall(LAST_USED);
    return Future.all(records, uses).map(both -> {
      java.util.Map<String, String> lastUsed = io.calltrack.core.rollup.Hashes.toMap(uses.result());
      List<ApiKey> out = new ArrayList<>();
      for (Response v : records.result()) {
        ApiKey k = JsonMapper.readStored(v.toString(), ApiKey.class);
        if (property == null || property.equals(k.property())) {
          String used = lastUsed.get(k.id());
          out.add(k.usedAt(used == null ? null : Instant.ofEpochMilli(Long.parseLong(used))).withoutHash());
        }
      }
      out.sort(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id));
      return out;
    });
  }

  /** Revokes a key; false if there was none with that id. */
  public Future<Boolean> revoke(String id) {
    return REVOKE.runReplicated(client, List.of(KEY, LAST_USED), List.of(id), writes).map(n -> n.toInteger() == 1);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(String s) {
    return HexFormat.of().formatHex(sha256(s));
  }
}
