package io.calltrack.launcher;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.dni.DniServer;
import io.calltrack.sip.demo.AnsweringEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What {@code ./calltrack demo} adds to a normal run: a demo property with a paid-search pool and a
 * pool for everything else, a static number for print, a demo website (on its own origin, so CORS is
 * real) that embeds the snippet, a business line that answers calls, and one sample visit from a
 * Google ad so the printed SIPp command has a tracking number to call.
 */
final class Demo {
  static final String PROPERTY = "demo";
  static final PhoneNumber BUSINESS_NUMBER = PhoneNumber.parse("+15551230000");

  private Demo() {}

  static void start(Vertx vertx, Settings s, String redisUrl, DniServer dni, Clock clock,
      List<AutoCloseable> toClose, PrintStream out) throws Exception {
    int sitePort = s.httpPort() == 0 ? 0 : s.httpPort() + 1;
    int businessLinePort = s.sipPort() + 10;

    AnsweringEndpoint businessLine =
        AnsweringEndpoint.start(s.sipHost(), businessLinePort, java.time.Duration.ofMillis(500));
    toClose.add(businessLine::close);

    HttpServer site = Engine.await(vertx.createHttpServer()
        .requestHandler(req -> {
          if (req.path().equals("/") || req.path().startsWith("/plumbing")) {
            req.response().putHeader("content-type", "text/html; charset=utf-8")
                .end(page(dni.port()));
          } else if (req.path().equals("/favicon.ico")) {
            req.response().setStatusCode(204).end(); // no icon, and no 404 in the visitor's console
          } else {
            req.response().setStatusCode(404).end("not found");
          }
        })
        .listen(sitePort, "127.0.0.1"));
    toClose.add(() -> Engine.await(site.close()));

    Redis redis = RedisClientFactory.create(vertx, redisUrl);
    toClose.add(redis::close);
    RedisConfigStore config = Engine.await(RedisConfigStore.create(vertx, redis));
    toClose.add(() -> Engine.await(config.close()));
    String siteOrigin = "http://127.0.0.1:" + site.actualPort();
    Engine.await(config.putProperty(new PropertyConfig(PROPERTY, "Acme Plumbing (demo)",
        List.of(siteOrigin, "http://localhost:" + site.actualPort()), List.of(BUSINESS_NUMBER),
        BUSINESS_NUMBER, "sip:+15559990000@" + s.sipHost() + ":" + businessLinePort, "America/New_York")));
    Engine.await(config.putPool(new PoolConfig("demo-paid", PROPERTY, numbers("+1555010000", 5), 120, 1800,
        PoolConfig.OnExhausted.RECYCLE_OLDEST, new PoolConfig.Match("google", "cpc"))));
    Engine.await(config.putPool(new PoolConfig("demo-web", PROPERTY, numbers("+1555020000", 5), 120, 1800,
        PoolConfig.OnExhausted.FALLBACK, PoolConfig.Match.ANY)));
    Engine.await(config.putStaticNumber(new StaticNumberConfig(
        PhoneNumber.parse("+15550300001"), PROPERTY, "print", "offline", "spring-flyer")));

    RedisPoolEngine engine = new RedisPoolEngine(vertx, redis, config, clock);
    Assignment visit = Engine.await(engine.assign(PROPERTY, "demo-visitor", new Attribution(
        "google", "cpc", "spring-plumbing", "emergency plumber", null, "/plumbing",
        "https://www.google.com/", "demo-gclid-123", null, null, null, null)));

    String dniBase = "http://127.0.0.1:" + dni.port();
    out.println("  demo site    " + siteOrigin + "/   (Acme Plumbing; its number " + BUSINESS_NUMBER
        + " is swapped for a tracking number)");
    out.println("  business line sip:+15559990000@" + s.sipHost() + ":" + businessLinePort
        + " (answers every call)");
    out.println();
    out.println("A sample visit from a Google ad (keyword 'emergency plumber', landing page /plumbing)");
    out.println("was given tracking number " + visit.number() + ". Call it through the router:");
    out.println();
    out.println("  sipp " + s.sipHost() + ":" + s.sipPort() + " -sf sip-router/sipp/trunk-uac.xml -s "
        + visit.number().digits() + " -m 1 -d 3000 -i 127.0.0.1");
    out.println();
    out.println("then see the call and its attribution:");
    out.println("  curl -s -H 'Authorization: Bearer " + s.adminToken() + "' " + dniBase + "/v1/calls");
    out.println();
  }

  private static List<PhoneNumber> numbers(String prefix, int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> PhoneNumber.parse(prefix + i)).toList();
  }

  private static String page(int dniPort) {
    try (InputStream in = Demo.class.getResourceAsStream("/demo/index.html")) {
      if (in == null) {
        throw new IllegalStateException("demo page missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{{DNI}}", "http://127.0.0.1:" + dniPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
