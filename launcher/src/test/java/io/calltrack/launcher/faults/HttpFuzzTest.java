package io.calltrack.launcher.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every HTTP endpoint of dni-server fed seeded random requests: mutated bodies (broken JSON, wrong
 * types, huge and odd values, deep nesting), odd paths, query strings and headers, with and without
 * the admin token. Never a 5xx, never an admin answer without the token, the server still serves
 * afterwards, and nothing stored changes: properties, pools, numbers, call records, spend and the
 * rollups read the same before and after (the pools' runtime keys excepted: a well-formed assign
 * may take a lease). The seed is printed; {@code -Dfuzz.seed=N} replays a run.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpFuzzTest {
  static final String TOKEN = "fuzz-admin-token-0123456789";
  static final int REQUESTS = Integer.getInteger("fuzz.requests", 1500);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String base;

  /** One endpoint: how to call it well; the fuzzer bends every part of that. */
  record Endpoint(String method, String path, String body, String query, boolean admin) {}

  @Test
  void noRequestGetsA5xxChangesAnythingOrGetsPastTheToken() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("HttpFuzzTest seed " + seed + " (-Dfuzz.seed=" + seed + " replays it)");
    Random rnd = new Random(seed);
    EmbeddedRedis redis = EmbeddedRedis.start(0, null);
    Vertx vertx = Vertx.vertx();
    DniServer dni = null;
    try {
      dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redis.url(), TOKEN)));
      base = "http://127.0.0.1:" + dni.port();
      RedisAPI api = RedisAPI.api(RedisClientFactory.create(vertx, redis.url()));

      // what there is to change: a property, a pool, a static number, spend
      String property = "fuzzprop";
      String printed = TestNumbers.fresh().e164();
      String pooled = TestNumbers.fresh().e164();
      String fixed = TestNumbers.fresh().e164();
      String day = LocalDate.now(ZoneOffset.UTC).toString();
      String propertyBody = new JsonObject().put("name", "Fuzz").put("allowedOrigins", new JsonArray().add("https://fuzz.example"))
          .put("swapNumbers", new JsonArray().add(printed)).put("defaultNumber", printed)
          .put("businessLine", "sip:+15559990000@127.0.0.1:5999").put("timezone", "UTC")
          // one test client plays many visitors from one address: no per-address assign limits here
          .put("assignLimits", new JsonObject().put("liveLeases", Integer.MAX_VALUE).put("liveLeasesHard", Integer.MAX_VALUE).put("perMinute", Integer.MAX_VALUE).put("perMinuteHard", Integer.MAX_VALUE).put("leaseToAutomatedClients", true)).encode();
      String poolBody = new JsonObject().put("property", property).put("numbers", new JsonArray().add(pooled))
          .put("leaseSeconds", 600).put("holdSeconds", 600).put("onExhausted", "fallback").encode();
      String numberBody = new JsonObject().put("property", property).put("source", "yellowpages").encode();
      String spendBody = new JsonArray().add(new JsonObject().put("date", day).put("source", "google").put("amount", "12.50")).encode();
      String assignBody = new JsonObject().put("property", property).put("visitorId", "fuzz-visitor")
          .put("page", new JsonObject().put("url", "https://fuzz.example/?utm_source=google").put("referrer", ""))
          .put("attribution", new JsonObject().put("source", "google").put("keyword", "plumber")).encode();
      assertEquals(200, send("PUT", "/v1/properties/" + property, propertyBody, Map.of(), true).statusCode());
      assertEquals(200, send("PUT", "/v1/pools/fuzzpool", poolBody, Map.of(), true).statusCode());
      assertEquals(200, send("PUT", "/v1/numbers/" + enc(fixed), numberBody, Map.of(), true).statusCode());
      assertEquals(200, send("PUT", "/v1/spend?property=" + property, spendBody, Map.of(), true).statusCode());
      JsonObject assigned = new JsonObject(send("POST", "/v1/assign", assignBody, Map.of("origin", "https://fuzz.example"), false).body());
      String session = assigned.getString("sessionId");

      String range = "property=" + property + "&from=" + day + "&to=" + day;
      List<Endpoint> endpoints = List.of(
          new Endpoint("POST", "/v1/assign", assignBody, "", false),
          new Endpoint("OPTIONS", "/v1/assign", null, "property=" + property, false),
          new Endpoint("POST", "/v1/sessions/" + session + "/heartbeat", "{}", "", false),
          new Endpoint("POST", "/v1/sessions/" + session + "/release", "{}", "", false),
          new Endpoint("GET", "/dni.js", null, "property=" + property, false),
          new Endpoint("GET", "/health/live", null, "", false),
          new Endpoint("GET", "/health/ready", null, "", false),
          new Endpoint("GET", "/metrics", null, "", false),
          new Endpoint("GET", "/dashboard", null, "", false),
          new Endpoint("GET", "/dashboard/dashboard.js", null, "", false),
          new Endpoint("PUT", "/v1/properties/" + property, propertyBody, "", true),
          new Endpoint("GET", "/v1/properties/" + property, null, "", true),
          new Endpoint("GET", "/v1/properties", null, "", true),
          new Endpoint("GET", "/v1/properties/" + property + "/pools", null, "", true),
          new Endpoint("PUT", "/v1/pools/fuzzpool", poolBody, "", true),
          new Endpoint("GET", "/v1/pools/fuzzpool", null, "", true),
          new Endpoint("GET", "/v1/pools", null, "", true),
          new Endpoint("PUT", "/v1/numbers/" + enc(fixed), numberBody, "", true),
          new Endpoint("GET", "/v1/numbers/" + enc(fixed), null, "", true),
          new Endpoint("GET", "/v1/calls", null, "from=" + day + "T00:00:00Z&limit=10", true),
          new Endpoint("GET", "/v1/calls/cnosuchcall", null, "", true),
          new Endpoint("POST", "/v1/calls/cnosuchcall/outcome", "{\"qualified\":true,\"value\":\"10\",\"currency\":\"USD\"}", "", true),
          new Endpoint("POST", "/v1/outcomes", "[{\"callId\":\"cnosuchcall\",\"qualified\":true}]", "", true),
          new Endpoint("PUT", "/v1/spend", spendBody, "property=" + property, true),
          new Endpoint("GET", "/v1/reports/roi", null, range + "&groupBy=source", true),
          new Endpoint("GET", "/v1/exports/google-ads", null, range + "&conversionName=Call", true),
          new Endpoint("GET", "/v1/exports/microsoft-ads", null, range + "&conversionName=Call", true),
          new Endpoint("GET", "/v1/exports/calls", null, range, true),
          new Endpoint("PUT", "/v1/calls/cnosuchcall/transcript",
              "{\"segments\":[{\"speaker\":\"caller\",\"start\":1.5,\"text\":\"a quote please\"}],\"source\":\"fuzz\"}", "", true),
          new Endpoint("GET", "/v1/calls/cnosuchcall/transcript", null, "", true),
          new Endpoint("GET", "/v1/reports/conversations", null, range + "&groupBy=source", true),
          new Endpoint("POST", "/v1/properties/" + property + "/marketing/test", "{\"to\":\"webhook\"}", "", true),
          new Endpoint("GET", "/v1/dashboard", null, "property=" + property, true),
          new Endpoint("GET", "/v1/dashboard/properties", null, "", true));

      String before = digest(api);
      List<String> failures = new ArrayList<>();
      int[] byClass = new int[6];
      for (int i = 0; i < REQUESTS; i++) {
        Endpoint e = endpoints.get(rnd.nextInt(endpoints.size()));
        boolean withToken = e.admin() && rnd.nextInt(3) > 0;
        String method = rnd.nextInt(12) == 0 ? pick(rnd, "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS") : e.method();
        boolean writes = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        String body = e.body() == null ? (rnd.nextBoolean() ? null : junk(rnd)) : mutateBody(rnd, e.body());
        if (withToken && writes && e.admin()) {
          body = "{\u0001" + (body == null ? "" : body); // with the token, only bodies no parser accepts: nothing may change
        }
        String path = rnd.nextInt(4) == 0 ? mutatePath(rnd, e.path()) : e.path();
        String query = rnd.nextInt(3) == 0 ? mutateQuery(rnd, e.query()) : e.query();
        Map<String, String> headers = headers(rnd, withToken);
        String what = method + " " + path + (query.isEmpty() ? "" : "?" + query) + " token=" + withToken
            + " body=" + abbreviate(body);
        HttpResponse<String> r;
        try {
          try {
            r = sendRaw(method, path + (query.isEmpty() ? "" : "?" + query), body, headers);
          } catch (IOException closedUnderUs) {
            // HTTP/1.1 keep-alive race: the client sent this request on a pooled connection the server
            // was closing after the previous answer; clients send it again on a new connection
            if (!String.valueOf(closedUnderUs.getMessage()).contains("received no bytes")) {
              throw closedUnderUs;
            }
            r = sendRaw(method, path + (query.isEmpty() ? "" : "?" + query), body, headers);
          }
        } catch (IllegalArgumentException clientRefused) {
          continue; // a URI or header the HTTP client itself will not send
        } catch (IOException ex) {
          failures.add("no answer (" + ex + ") to " + what);
          continue;
        }
        byClass[r.statusCode() / 100]++;
        if (r.statusCode() >= 500) {
          failures.add(r.statusCode() + " " + abbreviate(r.body()) + " for " + what);
        }
        if (e.admin() && !withToken && r.statusCode() / 100 == 2 && path.equals(e.path())) {
          failures.add("an admin answer without the token: " + r.statusCode() + " for " + what);
        }
      }
      assertEquals(200, send("GET", "/health/live", null, Map.of(), false).statusCode(), "the server is gone");
      HttpResponse<String> still = send("POST", "/v1/assign", assignBody, Map.of("origin", "https://fuzz.example"), false);
      assertEquals(200, still.statusCode(), still.body());
      assertFalse(new JsonObject(still.body()).getBoolean("fallback"), still.body());
      System.out.printf("HttpFuzzTest: %d requests: 2xx %d, 3xx %d, 4xx %d, 5xx %d%n", REQUESTS, byClass[2], byClass[3],
          byClass[4], byClass[5]);
      assertTrue(failures.isEmpty(), () -> failures.size() + " bad answers (seed " + seed + "), first ones:\n"
          + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
      assertEquals(before, digest(api), "something stored changed (seed " + seed + ")");
    } finally {
      if (dni != null) {
        Await.result(dni.close());
      }
      Await.result(vertx.close());
      redis.stop();
    }
  }

  // ---------------------------------------------------------------- what is stored

  /**
   * A digest of every key and its value, the pools' runtime keys, the calls streams and their readers'
   * cursors and the usage counters excepted.
   */
  static String digest(RedisAPI api) throws Exception {
    Map<String, String> all = new TreeMap<>();
    for (String key : TestRedis.keys(api, "*")) {
      // also excepted, usage counters the marketer reports read: offline imports tried (a refused upload
      // counts as a failed import) and days the dashboard was read
      // and the calls streams' readers' own state: the webhooks' and events' cursors, and the marker the
      // dispatcher sets at its first read (before or after the first snapshot, as its timer falls)
      if (key.startsWith("{pool:") || key.startsWith("{calls") && key.endsWith(":events")
          || key.startsWith("{webhooks}:cursor:") || key.startsWith("{webhooks}:events-cursor")
          || key.equals("{imports}:outcomes") || key.endsWith(":dashboard-days")) {
        continue;
      }
      Response dump = Await.result(api.dump(key));
      all.put(key, dump == null ? "-" : HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(dump.toBytes())));
    }
    return all.toString();
  }

  // ---------------------------------------------------------------- the fuzzer

  static final String[] ODD = {
      "", " ", "null", "[]", "{}", "0", "-1", "1e309", "99999999999999999999999", "-0.0", "NaN", "true", "\"\"",
      "\"=HYPERLINK(\\\"http://x\\\")\"", "\"+cmd|' /C calc'!A0\"", "\"../../etc/passwd\"", "\"\\u0000\"",
      "\"\\ud800\"", "\"<script>alert(1)</script>\"", "\"%00%ff\"", "\"+1 (555) 123-4567\"", "\"+99999999999999999\"",
      "\"2026-13-45\"", "\"9999-12-31T23:59:59Z\"", "\"sip:evil@203.0.113.1\"", "\"Europe/Nowhere\"",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}", "[\"x\",1,null,{}]"};

  static String pick(Random rnd, String... options) {
    return options[rnd.nextInt(options.length)];
  }

  static String junk(Random rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> "";
      case 1 -> pick(rnd, ODD);
      case 2 -> "x".repeat(rnd.nextInt(20_000));
      case 3 -> "[".repeat(5_000) + "]".repeat(rnd.nextInt(5_000));
      case 4 -> {
        byte[] b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
        yield new String(b, StandardCharsets.ISO_8859_1);
      }
      default -> "{\"" + "k".repeat(rnd.nextInt(100)) + "\":" + pick(rnd, ODD) + "}";
    };
  }

  /** A valid body bent one to three ways: a value swapped for an odd one, a field dropped or added, cut, garbled. */
  static String mutateBody(Random rnd, String valid) {
    String s = valid;
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(9)) {
        case 0, 1, 2 -> s = swapValue(rnd, s);
        case 3 -> s = s.replaceFirst("\"[A-Za-z]+\":", "\"" + pick(rnd, "x", "__proto__", "constructor", "", "a\u0000b") + "\":");
        case 4 -> s = s.length() < 2 ? s : s.substring(0, rnd.nextInt(s.length()));
        case 5 -> {
          if (!s.isEmpty()) {
            int at = rnd.nextInt(s.length());
            s = s.substring(0, at) + (char) rnd.nextInt(0x3000) + s.substring(at);
          }
        }
        case 6 -> s = s.startsWith("{") ? "{\"extra\":" + pick(rnd, ODD) + "," + s.substring(1) : "[" + s + "]";
        case 7 -> s = junk(rnd);
        default -> s = s.startsWith("[") ? s.substring(1, Math.max(1, s.length() - 1)) : "[" + s + "," + s + "]";
      }
    }
    return s;
  }

  static String swapValue(Random rnd, String json) {
    // values: "..." strings, numbers, true/false/null, after a colon
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile(":(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9.]+|true|false|null|\\[[^\\[\\]]*\\])").matcher(json);
    List<int[]> spots = new ArrayList<>();
    while (m.find()) {
      spots.add(new int[] {m.start(1), m.end(1)});
    }
    if (spots.isEmpty()) {
      return json;
    }
    int[] at = spots.get(rnd.nextInt(spots.size()));
    return json.substring(0, at[0]) + pick(rnd, ODD) + json.substring(at[1]);
  }

  static String mutatePath(Random rnd, String path) {
    String[] parts = path.split("/", -1);
    int i = 1 + rnd.nextInt(Math.max(1, parts.length - 1));
    if (i < parts.length) {
      parts[i] = pick(rnd, "%00", "..", "%2e%2e", "%2F", "x".repeat(3000), "%E2%80%AE", "%ff%fe", ";a=b", "%20",
          "*", "~", "%25", "a%0d%0aX-Injected:%201", "cnosuchcall", "%2B15551230000", "null");
    }
    return String.join("/", parts) + (rnd.nextInt(8) == 0 ? "/" : "");
  }

  static String mutateQuery(Random rnd, String query) {
    List<String> pairs = new ArrayList<>(query.isEmpty() ? List.of() : List.of(query.split("&")));
    String key = pick(rnd, "property", "from", "to", "limit", "cursor", "groupBy", "format", "conversionName", "currency",
        "x", "from[]", "property");
    String value = pick(rnd, "", "-1", "0", "501", "99999999999999", "2026-02-30", "2026-01-01T25:00:00Z", "not-a-date",
        "%00", "%ff", "=HYPERLINK(1)", "../", "csv", "xml", "zzzz", "AAAA", "fuzzprop", "%E2%80%AE", "x".repeat(5000));
    if (!pairs.isEmpty() && rnd.nextBoolean()) {
      pairs.set(rnd.nextInt(pairs.size()), key + "=" + value);
    } else {
      pairs.add(key + "=" + value);
    }
    return String.join("&", pairs);
  }

  static Map<String, String> headers(Random rnd, boolean withToken) {
    Map<String, String> h = new TreeMap<>();
    h.put("content-type", pick(rnd, "application/json", "application/json", "text/plain", "text/csv",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1"));
    if (rnd.nextBoolean()) {
      h.put("origin", pick(rnd, "https://fuzz.example", "https://evil.example", "null", "http://localhost", "x"));
    }
    if (withToken) {
      h.put("authorization", "Bearer " + TOKEN);
    } else if (rnd.nextBoolean()) {
      h.put("authorization", pick(rnd, "Bearer", "Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer " + TOKEN + "x",
          "bearer " + TOKEN.substring(1), "Bearer " + TOKEN.toUpperCase(), TOKEN));
    }
    if (rnd.nextInt(4) == 0) {
      h.put("x-forwarded-for", pick(rnd, "203.0.113.7", "unknown", "1.1.1.1, 2.2.2.2", "::1", "999.1.1.1", ""));
    }
    if (rnd.nextInt(6) == 0) {
      h.put("accept", pick(rnd, "text/csv", "*/*", "application/xml", ""));
    }
    return h;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(160, s.length()); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return s.length() > 160 ? b + "...(" + s.length() + ")" : b.toString();
  }

  // ---------------------------------------------------------------- HTTP

  private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers, boolean admin)
      throws IOException, InterruptedException {
    Map<String, String> h = new TreeMap<>(headers);
    h.put("content-type", "application/json");
    if (admin) {
      h.put("authorization", "Bearer " + TOKEN);
    }
    return sendRaw(method, path, body, h);
  }

  private HttpResponse<String> sendRaw(String method, String pathAndQuery, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
