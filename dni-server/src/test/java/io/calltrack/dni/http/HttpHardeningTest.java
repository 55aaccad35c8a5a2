package io.calltrack.dni.http;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server's own defences over real sockets: slow-loris headers and trickled bodies cut off,
 * uploads refused before their body is read, security headers, /metrics behind its own token or on
 * its own address. Deadlines are set short here and waited for with bounds, never slept through.
 */
class HttpHardeningTest extends DniTestBase {
  static final Duration SHORT = Duration.ofMillis(400);

  DniServer hardened(ServerHardening h) {
    return await(DniServer.start(vertx, options(TestRedis.url()).withHardening(h)));
  }

  /** Writes {@code first}, then one header byte every 100 ms until the server closes the connection. */
  static long secondsUntilClosed(int port, String first, String trickle) throws IOException {
    long start = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(100);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(first.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (int i = 0; i < 300; i++) { // at most ~30 s, then the test fails
        try {
          out.write(trickle.charAt(i % trickle.length()));
          out.flush();
        } catch (IOException closed) {
          return (System.nanoTime() - start) / 1_000_000_000L;
        }
        try {
          if (in.read() == -1) {
            return (System.nanoTime() - start) / 1_000_000_000L;
          }
        } catch (SocketTimeoutException stillOpen) {
          // nothing yet: keep trickling
        } catch (IOException reset) {
          return (System.nanoTime() - start) / 1_000_000_000L;
        }
      }
    }
    throw new AssertionError("the server kept a trickling connection open for 30 s");
  }

  @Test
  void silentConnectionsAndTrickledBodiesAreCutOff() throws IOException {
    DniServer s = hardened(ServerHardening.DEFAULTS.withTimeouts(SHORT, Duration.ofMillis(600), Duration.ofMillis(800)));
    try {
      // connected, nothing sent: the idle timeout
      long start = System.nanoTime();
      try (Socket silent = new Socket("127.0.0.1", s.port())) {
        silent.setSoTimeout(20_000);
        assertEquals(-1, silent.getInputStream().read());
      }
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "idle timeout took too long");
      // complete headers, a body announced and trickled
      long body = secondsUntilClosed(s.port(),
          "POST /v1/assign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n", "{");
      assertTrue(body < 10, "request deadline took " + body + " s");
      // an ordinary request on a fresh connection is unaffected
      DniClient c = new DniClient(vertx, s.port(), TOKEN);
      assertEquals(200, c.get("/health/live").status());
      c.close();
    } finally {
      await(s.close());
    }
  }

  /** Writes {@code head}, then the bytes of {@code trickle} one a second; answers when the server closed, in ms. */
  static long millisUntilClosedTrickling(int port, String head, String trickle, StringBuilder answer) throws IOException {
    long start = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(1_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (int i = 0; i <= trickle.length(); i++) {
        try {
          int b = in.read(); // waits up to a second: the trickle's pace
          if (b == -1) {
            return (System.nanoTime() - start) / 1_000_000L;
          }
          answer.append((char) b).append(new String(in.readNBytes(in.available()), StandardCharsets.US_ASCII));
          return -1; // answered
        } catch (SocketTimeoutException stillOpen) {
          // nothing yet
        } catch (IOException reset) {
          return (System.nanoTime() - start) / 1_000_000L;
        }
        if (i < trickle.length()) {
          try {
            out.write(trickle.charAt(i));
            out.flush();
          } catch (IOException closed) {
            return (System.nanoTime() - start) / 1_000_000L;
          }
        }
      }
      // the whole trickle sent: wait (bounded) for the answer
      s.setSoTimeout(30_000);
      int b = in.read();
      if (b == -1) {
        return (System.nanoTime() - start) / 1_000_000L;
      }
      answer.append((char) b).append(new String(in.readNBytes(in.available()), StandardCharsets.US_ASCII));
      return -1;
    }
  }

  @Test
  void headersTrickledAByteASecondAreCutAtTheHeaderTimeoutWhileASlowBodyIsServed() throws IOException {
    // header timeout 2 s; idle and request timeouts a minute, so only the header timeout can cut
    DniServer s = hardened(ServerHardening.DEFAULTS.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60),
        Duration.ofSeconds(60)));
    try {
      // a request line and headers, one byte a second, never finished: each byte resets the idle timeout
      StringBuilder none = new StringBuilder();
      long closedAfter = millisUntilClosedTrickling(s.port(), "G",
          "ET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", none);
      assertTrue(closedAfter >= 0, "answered instead of closed: " + none);
      assertTrue(closedAfter >= 1_500, "closed before the header timeout: " + closedAfter + " ms");
      assertTrue(closedAfter < 15_000, "header timeout not enforced: closed after " + closedAfter + " ms");
      // connected, nothing sent at all: the header timeout too, not the minute of the idle timeout
      long start = System.nanoTime();
      try (Socket silent = new Socket("127.0.0.1", s.port())) {
        silent.setSoTimeout(30_000);
        assertEquals(-1, silent.getInputStream().read());
      }
      long silentMs = (System.nanoTime() - start) / 1_000_000L;
      assertTrue(silentMs >= 1_500 && silentMs < 15_000, "silent connection closed after " + silentMs + " ms");

      // headers at once, then a small body one byte a second for ~6 s (past the header timeout): served
      String json = "{\"a\":1}";
      StringBuilder answer = new StringBuilder();
      long slowBody = millisUntilClosedTrickling(s.port(),
          "POST /v1/assign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + json.length() + "\r\n\r\n", json, answer);
      assertEquals(-1, slowBody, "a slow body within the request timeout was cut after " + slowBody + " ms");
      assertTrue(answer.toString().startsWith("HTTP/1.1 4"), answer.toString()); // answered (a 4xx: no property)
    } finally {
      await(s.close());
    }
  }

  @Test
  void uploadsAreRefusedBeforeTheirBodyIsRead() throws IOException {
    for (String path : new String[] {"POST /v1/outcomes", "PUT /v1/spend?property=x"}) {
      for (String auth : new String[] {"", "Authorization: Bearer wrong-token\r\n"}) {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
          s.setSoTimeout(20_000);
          // 8 MB announced, not one byte of it sent: the answer must come anyway
          String head = path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 8000000\r\n" + auth + "\r\n";
          s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          byte[] buf = new byte[12];
          int n = s.getInputStream().readNBytes(buf, 0, 12);
          String status = new String(buf, 0, n, StandardCharsets.US_ASCII);
          assertEquals("HTTP/1.1 401", status, path + " with '" + auth.strip() + "'");
        }
      }
    }
  }

  /** One answer read off a kept-alive socket: its head (lower case) and, by its Content-Length, its body (none after 204/304). */
  static String readAnswer(InputStream in) throws IOException {
    String lower = HttpMethodsTest.head(in);
    Matcher length = Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(lower);
    boolean noBody = lower.startsWith("http/1.1 204") || lower.startsWith("http/1.1 304");
    assertTrue(noBody || length.find(), "an answer without a Content-Length: " + lower);
    int n = noBody ? 0 : Integer.parseInt(length.group(1));
    assertEquals(n, in.readNBytes(n).length, "body of " + lower);
    return lower;
  }

  @Test
  void aVisitsRequestsShareOneConnection() throws IOException {
    Site site = site(3);
    String body = assignBody(site.property(), "keep-alive-visitor").encode();
    String[] requests = {
        "GET /dni.js HTTP/1.1\r\nHost: x\r\n\r\n",
        "OPTIONS /v1/assign HTTP/1.1\r\nHost: x\r\nOrigin: " + ORIGIN
            + "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n",
        "POST /v1/assign HTTP/1.1\r\nHost: x\r\nOrigin: " + ORIGIN + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body,
        "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /dashboard HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "GET /no-such-page HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    String[] statuses = {"200", "204", "200", "200", "200", "404"};
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(20_000);
      for (int i = 0; i < requests.length; i++) {
        s.getOutputStream().write(requests[i].getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        String answer = readAnswer(s.getInputStream());
        assertTrue(answer.startsWith("http/1.1 " + statuses[i]), requests[i] + " -> " + answer);
        assertFalse(answer.contains("\r\nconnection: close"), "closed after " + requests[i] + " -> " + answer);
      }
      // a request whose announced body the server refuses unread still says its connection ends
      s.getOutputStream().write("POST /v1/outcomes HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 8000000\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String refused = readAnswer(s.getInputStream());
      assertTrue(refused.startsWith("http/1.1 401") && refused.contains("\r\nconnection: close"), refused);
    }
  }

  /** RFC 9110 6.6.1: an origin server with a clock dates its 2xx, 3xx and 4xx answers (IMF-fixdate). */
  @Test
  void everyAnswerIsDated() {
    for (Reply r : new Reply[] {api.get("/health/live"), api.get("/dni.js"), api.get("/no-such-page"),
        api.request(HttpMethod.PUT, "/health/live", null, DniClient.headers()), api.get("/v1/pools")}) {
      String date = r.header("date");
      assertTrue(date != null && date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
          r.status() + ": " + date);
      java.time.Instant at = java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant();
      long off = Math.abs(java.time.Duration.between(at, java.time.Instant.now()).toSeconds());
      assertTrue(off <= 60, "the date is the server's wall clock: " + date);
    }
  }

  @Test
  void dashboardCarriesSecurityHeadersAndEveryAnswerNosniff() {
    for (String path : new String[] {"/dashboard", "/dashboard/dashboard.js", "/dashboard/dashboard.css"}) {
      Reply r = api.get(path);
      assertEquals(200, r.status(), path);
      assertEquals(HttpHardening.DASHBOARD_CSP, r.header("content-security-policy"), path);
      assertEquals("DENY", r.header("x-frame-options"), path);
      assertEquals("nosniff", r.header("x-content-type-options"), path);
    }
    Reply health = api.get("/health/live");
    assertEquals("nosniff", health.header("x-content-type-options"));
    assertNull(health.header("content-security-policy"));
    Reply badQuery = api.adminGet("/v1/calls?cursor=%zz");
    assertEquals(400, badQuery.status(), badQuery::toString);
  }

  /**
   * {@code curl -d} labels a JSON body {@code application/x-www-form-urlencoded}, and bodies are read as
   * JSON whatever their label (docs/api.md); but Vert.x's body handler decoded such a body as a form
   * first, so a '%' that is no escape ("50% off", a page URL's {@code ?q=50%}) failed it with a bare
   * "bad request", and a multipart body was swallowed ("request body is empty").
   */
  @Test
  void aBodyIsReadAsJsonWhateverFormItsLabelNames() {
    Site site = site(1);
    String path = "/v1/properties/" + site.property();
    io.vertx.core.json.JsonObject body = propertyBody(site.defaultNumber(), ORIGIN).put("name", "50% off");
    Reply form = api.request(HttpMethod.PUT, path, body.toBuffer(),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "application/x-www-form-urlencoded"));
    assertEquals(200, form.status(), form::toString);
    assertEquals("50% off", api.adminGet(path).json().getString("name"));

    Reply assign = api.request(HttpMethod.POST, "/v1/assign", new io.vertx.core.json.JsonObject()
        .put("property", site.property()).put("page", new io.vertx.core.json.JsonObject().put("url", "https://shop.example/?q=50%"))
        .toBuffer(), DniClient.headers("content-type", "application/x-www-form-urlencoded"));
    assertEquals(200, assign.status(), assign::toString);

    Reply multipart = api.request(HttpMethod.PUT, path, Buffer.buffer("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
        + body.put("name", "Multipart").encode() + "\r\n--b--\r\n"),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "multipart/form-data; boundary=b"));
    assertEquals(400, multipart.status(), multipart::toString);
    assertEquals("malformed JSON: the body is not valid JSON", multipart.json().getString("detail"));
    assertEquals("50% off", api.adminGet(path).json().getString("name"), "nothing was changed");
  }

  /** A path that is not valid percent-encoding is answered as every error is: JSON saying what is wrong. */
  @Test
  void aPathThatIsNotPercentEncodingIsAJsonError() {
    for (String path : new String[] {"/v1/properties/%zz", "/v1/properties/a%", "/v1/pools/%G0", "/v1/calls/x%2"}) {
      Reply r = api.request(HttpMethod.GET, path, null, api.admin());
      assertEquals(400, r.status(), () -> path + " -> " + r);
      assertEquals("invalid_request", r.error(), () -> path + " -> " + r);
      assertEquals("the path is not valid percent-encoding (a '%' must be followed by two hex digits)",
          r.json().getString("detail"), path);
    }
  }

  @Test
  void metricsBehindTheirOwnToken() {
    DniServer s = hardened(ServerHardening.DEFAULTS.withMetrics("scrape-token-123", -1, null));
    DniClient c = new DniClient(vertx, s.port(), TOKEN);
    try {
      assertEquals(401, c.get("/metrics").status());
      assertEquals(401, c.request(HttpMethod.GET, "/metrics", null, DniClient.headers("authorization", "Bearer " + TOKEN)).status());
      Reply ok = c.request(HttpMethod.GET, "/metrics", null, DniClient.headers("authorization", "Bearer scrape-token-123"));
      assertEquals(200, ok.status());
      assertTrue(ok.text().contains("# TYPE"), ok::toString);
    } finally {
      c.close();
      await(s.close());
    }
  }

  @Test
  void metricsOnASeparateAddressOnly() {
    DniServer s = hardened(ServerHardening.DEFAULTS.withMetrics(null, 0, "127.0.0.1"));
    DniClient main = new DniClient(vertx, s.port(), TOKEN);
    DniClient metrics = new DniClient(vertx, s.metricsPort(), TOKEN);
    try {
      assertTrue(s.metricsPort() > 0 && s.metricsPort() != s.port());
      assertEquals(404, main.get("/metrics").status());
      assertEquals(200, main.get("/health/live").status());
      Reply ok = metrics.get("/metrics");
      assertEquals(200, ok.status());
      assertTrue(ok.text().contains("# TYPE"), ok::toString);
      assertEquals(404, metrics.get("/v1/pools").status());
    } finally {
      main.close();
      metrics.close();
      await(s.close());
    }
  }
}
