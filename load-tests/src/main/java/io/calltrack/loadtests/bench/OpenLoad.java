package io.calltrack.loadtests.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-model load generator for bench-assign's fixed-rate phases: requests start at Poisson
 * arrival times at a given rate, whatever the answers do, and each latency runs from the request's
 * <em>intended</em> start, so a stall of the server (or of this generator) counts in full for every
 * request it delays (no coordinated omission). wrk has no open mode: paced connections all start with
 * a burst, and a connection waiting on a slow answer sends nothing meanwhile.
 *
 * <p>{@code OpenLoad BASE_URL RATE SECONDS WARMUP_SECONDS CONNECTIONS MIX PROPERTY ORIGIN}; MIX as in
 * wrk/assign-mix.lua ({@code new=40,returning=20,heartbeat=30,release=10}). The warm-up runs at the
 * same rate and is not counted (this JVM's own JIT settles meanwhile). Prints the same
 * {@code RESULT} and {@code COUNT} lines as assign-mix.lua, and a {@code SECOND} line per second of
 * the measured run (requests, p99) so a periodic stall shows.
 */
public final class OpenLoad {
  private static final int RING = 5000;

  private final HttpClient client;
  private final String host;
  private final int port;
  private final String property;
  private final String origin;
  private final String[] kinds;
  private final int[] upto;
  private final String[] sessions = new String[RING];
  private final String[] visitors = new String[RING];
  private int ns;
  private int nv;

  private volatile boolean measuring;
  private long measureStartNanos;
  private long[] latencies;
  private int[] seconds;
  private final AtomicInteger recorded = new AtomicInteger();
  private final Map<String, Integer> counts = new TreeMap<>();
  private int socketErrors;
  private int timeouts;

  private OpenLoad(Vertx vertx, URI base, int connections, String mix, String property, String origin) {
    this.host = base.getHost();
    this.port = base.getPort();
    this.property = property;
    this.origin = origin;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    List<String> k = new ArrayList<>();
    List<Integer> u = new ArrayList<>();
    int total = 0;
    for (String part : mix.split(",")) {
      String[] kv = part.split("=");
      total += Integer.parseInt(kv[1].trim());
      k.add(kv[0].trim());
      u.add(total);
    }
    this.kinds = k.toArray(String[]::new);
    this.upto = u.stream().mapToInt(Integer::intValue).toArray();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 8) {
      System.err.println("usage: OpenLoad BASE_URL RATE SECONDS WARMUP_SECONDS CONNECTIONS MIX PROPERTY ORIGIN");
      System.exit(2);
    }
    URI base = URI.create(args[0]);
    double rate = Double.parseDouble(args[1]);
    int secs = Integer.parseInt(args[2]);
    int warm = Integer.parseInt(args[3]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    OpenLoad load = new OpenLoad(vertx, base, Integer.parseInt(args[4]), args[5], args[6], args[7]);
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    load.run(ctx, rate, secs, warm);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void run(io.vertx.core.Context ctx, double rate, int secs, int warm) throws InterruptedException {
    int capacity = (int) (rate * secs * 1.5) + 1000;
    latencies = new long[capacity];
    seconds = new int[capacity];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long meanGapNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    long warmEnd = start + TimeUnit.SECONDS.toNanos(warm);
    long end = warmEnd + TimeUnit.SECONDS.toNanos(secs);
    AtomicInteger inFlight = new AtomicInteger();
    long next = start;
    int sent = 0;
    while (true) {
      next += (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
      if (next >= end) {
        break;
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!measuring && next >= warmEnd) {
        measureStartNanos = warmEnd;
        ctx.runOnContext(v -> counts.clear());
        measuring = true;
      }
      long intended = next;
      boolean counted = measuring;
      if (counted) {
        sent++;
      }
      inFlight.incrementAndGet();
      ctx.runOnContext(v -> send(intended, counted, inFlight));
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    CountDownLatch printed = new CountDownLatch(1);
    int intendedRequests = sent;
    ctx.runOnContext(v -> {
      report(secs, intendedRequests, inFlight.get());
      printed.countDown();
    });
    printed.await(10, TimeUnit.SECONDS);
  }

  private String nextKind() {
    if (ns == 0 && !"live".equals(kinds[0])) {
      return "new";
    }
    int r = ThreadLocalRandom.current().nextInt(upto[upto.length - 1]) + 1;
    for (int i = 0; i < upto.length; i++) {
      if (r <= upto[i]) {
        return kinds[i];
      }
    }
    return "new";
  }

  private String assignBody(String visitor) {
    String v = visitor == null ? "" : "\"visitorId\":\"" + visitor + "\",";
    return "{\"property\":\"" + property + "\"," + v
        + "\"page\":{\"url\":\"https://bench.example/landing?utm_source=google&utm_medium=cpc\",\"referrer\":\"https://www.google.com/\"},"
        + "\"attribution\":{\"source\":\"google\",\"medium\":\"cpc\",\"campaign\":\"bench\",\"keyword\":\"plumber near me\",\"gclid\":\"EAIaIQobChMI\"}}";
  }

  /** Runs on the client's event loop: picks the request, sends it, records the answer. */
  private void send(long intended, boolean counted, AtomicInteger inFlight) {
    String kind = nextKind();
    String uri;
    String body;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if ("live".equals(kind)) {
      client.request(HttpMethod.GET, port, host, "/health/live")
          .compose(req -> req.send().compose(resp -> resp.body()))
          .onComplete(ar -> done(ar.failed() ? ar.cause() : null, intended, counted, inFlight));
      return;
    }
    if ("heartbeat".equals(kind) || "release".equals(kind)) {
      uri = "/v1/sessions/" + sessions[random.nextInt(Math.min(ns, RING))] + "/" + kind;
      body = "";
    } else if ("returning".equals(kind) && nv > 0) {
      uri = "/v1/assign";
      body = assignBody(visitors[random.nextInt(Math.min(nv, RING))]);
    } else {
      uri = "/v1/assign";
      body = assignBody(null);
    }
    client.request(HttpMethod.POST, port, host, uri)
        .compose(req -> req.putHeader("Content-Type", "application/json").putHeader("Origin", origin)
            .send(Buffer.buffer(body))
            .compose(resp -> resp.body().map(b -> {
              answered(resp.statusCode(), b.toString());
              return b;
            })))
        .onComplete(ar -> done(ar.failed() ? ar.cause() : null, intended, counted, inFlight));
  }

  private void done(Throwable failure, long intended, boolean counted, AtomicInteger inFlight) {
          inFlight.decrementAndGet();
          if (failure != null) {
            String m = String.valueOf(failure.getMessage());
            if (m.toLowerCase().contains("timeout")) {
              timeouts++;
            } else {
              socketErrors++;
            }
            return;
          }
          if (counted) {
            long now = System.nanoTime();
            int i = recorded.getAndIncrement();
            if (i < latencies.length) {
              latencies[i] = now - intended;
              seconds[i] = (int) ((intended - measureStartNanos) / 1_000_000_000L);
            }
          }
  }

  private void answered(int status, String body) {
    String kind = "other";
    String sid = field(body, "sessionId");
    if (sid != null) {
      kind = body.contains("\"fallback\":true") ? "assign-fallback" : "assign";
      sessions[ns++ % RING] = sid;
      String vid = field(body, "visitorId");
      if (vid != null) {
        visitors[nv++ % RING] = vid;
      }
    } else if (body.contains("\"leaseExpiresAt\"")) {
      kind = "heartbeat";
    } else if (status == 204) {
      kind = "release";
    } else if (field(body, "error") != null) {
      kind = "error:" + field(body, "error");
    }
    counts.merge(kind + " " + status, 1, Integer::sum);
  }

  private static String field(String body, String name) {
    String key = "\"" + name + "\":\"";
    int i = body.indexOf(key);
    if (i < 0) {
      return null;
    }
    int from = i + key.length();
    int to = body.indexOf('"', from);
    return to < 0 ? null : body.substring(from, to);
  }

  private void report(int secs, int intendedRequests, int unanswered) {
    int n = Math.min(recorded.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    int gone = 0;
    int bad = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int status = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf(' ') + 1));
      if (status == 410) {
        gone += e.getValue();
      } else if (status >= 400) {
        bad += e.getValue();
      }
      System.out.println("COUNT " + e.getKey() + " " + e.getValue());
    }
    System.out.printf("RESULT requests=%d seconds=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
            + " socket_errors=%d timeouts=%d non2xx=%d gone=%d intended=%d unanswered=%d%n",
        n, secs, n / (double) secs, ms(pct(sorted, 0.50)), ms(pct(sorted, 0.99)), ms(pct(sorted, 0.999)),
        ms(n == 0 ? 0 : sorted[n - 1]), socketErrors, timeouts + unanswered, bad, gone, intendedRequests, unanswered);
    for (int s = 0; s < secs; s++) {
      List<Long> in = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (seconds[i] == s) {
          in.add(latencies[i]);
        }
      }
      long[] a = in.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("SECOND %d requests=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f%n",
          s, a.length, ms(pct(a, 0.5)), ms(pct(a, 0.99)), ms(a.length == 0 ? 0 : a[a.length - 1]));
    }
  }

  private static long pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
