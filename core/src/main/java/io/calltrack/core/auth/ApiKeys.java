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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys scoped to one property, stored hashed in one Redis hash:
 * <pre>
 * {apikeys}:by-id   hash  key id → JSON {id, property, scope, name, createdAt, sha256}
 * </pre>
 * A key reads {@code ctk_<id>_<secret>}: the id finds the record, the secret (256 random bits) is
 * what proves it. Only the SHA-256 of the whole key is kept, compared in constant time; the key is
 * shown once, when it is created. Changes are single scripts over declared keys.
 */
public final class ApiKeys {
  public static final String KEY = "{apikeys}:by-id";
  public static final String PREFIX = "ctk_";
  private static final LuaScript CREATE = LuaScript.load("/lua/auth/create-api-key.lua");
  private static final LuaScript REVOKE = LuaScript.load("/lua/auth/revoke-api-key.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis client;
  private final RedisAPI redis;
  private final Clock clock;
  private final LuaScript.Durability writes;

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

  public Future<Issued> create(String property, ApiKey.Scope scope, String name) {
    byte[] idBytes = new byte[9];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String id = b64.encodeToString(idBytes).replace('_', 'x').replace('-', 'y');
    String key = PREFIX + id + "_" + b64.encodeToString(secret);
    ApiKey record = new ApiKey(id, property, scope, name, clock.instant(), sha256Hex(key));
    return CREATE.runReplicated(client, List.of(KEY), List.of(id, JsonMapper.write(record)), writes).compose(added ->
        added.toInteger() == 1
            ? Future.succeededFuture(new Issued(record.withoutHash(), key))
            : create(property, scope, name)); // an id clash: astronomically rare, draw again
  }

  /** The key's record if {@code key} is a live API key, empty otherwise. */
  public Future<Optional<ApiKey>> authenticate(String key) {
    if (key == null || !key.startsWith(PREFIX)) {
      return Future.succeededFuture(Optional.empty());
    }
    int sep = key.indexOf('_', PREFIX.length());
    if (sep < 0) {
      return Future.succeededFuture(Optional.empty());
    }
    String id = key.substring(PREFIX.length(), sep);
    return redis.hget(KEY, id).map(found -> {
      if (found == null) {
        return Optional.<ApiKey>empty();
      }
      ApiKey record = JsonMapper.readStored(found.toString(), ApiKey.class);
      byte[] expected = HexFormat.of().parseHex(record.sha256());
      return MessageDigest.isEqual(expected, sha256(key)) ? Optional.of(record.withoutHash()) : Optional.empty();
    });
  }

  /** Every key, or the keys of one property, without hashes, oldest first. */
  public Future<List<ApiKey>> list(String property) {
    return redis.hvals(KEY).map(values -> {
      List<ApiKey> out = new ArrayList<>();
      for (Response v : values) {
        ApiKey k = JsonMapper.readStored(v.toString(), ApiKey.class);
        if (property == null || property.equals(k.property())) {
          out.add(k.withoutHash());
        }
      }
      out.sort(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id));
      return out;
    });
  }

  /** Revokes a key; false if there was none with that id. */
  public Future<Boolean> revoke(String id) {
    return REVOKE.runReplicated(client, List.of(KEY), List.of(id), writes).map(n -> n.toInteger() == 1);
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
