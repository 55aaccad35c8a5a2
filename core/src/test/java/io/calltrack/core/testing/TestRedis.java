package io.calltrack.core.testing;

import io.calltrack.localredis.EmbeddedRedis;

/**
 * Where tests get Redis, in the order docs/contract.md gives: {@code CALLTRACK_REDIS_URL}; a Testcontainers
 * Redis when a Docker engine is reachable; else the embedded redis-server. One shared instance per
 * test JVM; tests keep apart by using their own random property and pool ids, never by flushing.
 * Tests that must stop and start Redis take a {@link #dedicated()} one of their own.
 */
public final class TestRedis {
  private static String sharedUrl;

  private TestRedis() {}

  public static synchronized String url() {
    if (sharedUrl == null) {
      String env = System.getenv("CALLTRACK_REDIS_URL");
      if (env != null && !env.isBlank()) {
        sharedUrl = env;
      } else if (dockerAvailable()) {
        sharedUrl = ContainerRedis.start();
      } else {
        EmbeddedRedis redis = EmbeddedRedis.start(0, null);
        Runtime.getRuntime().addShutdownHook(new Thread(redis::stop, "test-redis-stop"));
        sharedUrl = redis.url();
      }
    }
    return sharedUrl;
  }

  /** A redis-server of the test's own, on its own port, that the test may stop and start. */
  public static EmbeddedRedis dedicated() {
    EmbeddedRedis redis = EmbeddedRedis.start(0, null);
    Runtime.getRuntime().addShutdownHook(new Thread(redis::stop, "test-redis-stop"));
    return redis;
  }

  /** Every key matching {@code pattern} (Redis glob; {@code *} for all), by SCAN: for tests that look the store over. */
  public static java.util.List<String> keys(io.vertx.redis.client.RedisAPI api, String pattern) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    String cursor = "0";
    do {
      io.vertx.redis.client.Response page =
          Await.result(api.scan(java.util.List.of(cursor, "MATCH", pattern, "COUNT", "1000")));
      cursor = page.get(0).toString();
      for (io.vertx.redis.client.Response key : page.get(1)) {
        keys.add(key.toString());
      }
    } while (!"0".equals(cursor));
    return keys;
  }

  /** A fresh id for a test's property or pool, so tests sharing one Redis never collide. */
  public static String uniqueId(String prefix) {
    return prefix + "-" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xffff));
  }

  private static boolean dockerAvailable() {
    try {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** Kept in its own class so Testcontainers is only touched when Docker is there. */
  private static final class ContainerRedis {
    static String start() {
      @SuppressWarnings("resource")
      var container = new org.testcontainers.containers.GenericContainer<>(
          org.testcontainers.utility.DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
      container.start();
      return "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
    }
  }
}
