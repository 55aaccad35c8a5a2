package io.calltrack.dni.http;

import static io.calltrack.dni.testing.DniClient.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Methods as RFC 9110 has them: every GET route answers HEAD (uptime monitors and proxies probe with
 * it), with the GET's status and headers and no body; and a 405 names the methods the path takes in
 * {@code Allow}.
 */
class HttpMethodsTest extends DniTestBase {

  @Test
  void everyGetAnswersHeadWithoutABody() throws IOException {
    Site site = site(2);
    for (String path : new String[] {"/dni.js", "/health/live", "/health/ready", "/openapi.json", "/dashboard",
        "/dashboard/dashboard.js"}) {
      Reply get = api.get(path);
      Reply head = api.request(HttpMethod.HEAD, path, null, headers());
      assertEquals(get.status(), head.status(), "HEAD " + path);
      assertEquals(200, head.status(), "HEAD " + path);
      assertEquals(get.header("content-type"), head.header("content-type"), "HEAD " + path);
      assertEquals("", head.text(), "HEAD " + path);
    }
    String pool = "/v1/pools/" + site.poolId();
    assertEquals(401, api.request(HttpMethod.HEAD, pool, null, headers()).status(), "HEAD needs the token as GET does");
    Reply admin = api.request(HttpMethod.HEAD, pool, null, headers("authorization", "Bearer " + TOKEN));
    assertEquals(200, admin.status());
    assertEquals("", admin.text());
    assertEquals(404, api.request(HttpMethod.HEAD, "/no-such-page", null, headers()).status());

    // on one socket: no body follows a HEAD's answer, so the next answer starts where it should
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("HEAD /dni.js HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertTrue(head(s.getInputStream()).startsWith("http/1.1 200"));
      String next = head(s.getInputStream());
      assertTrue(next.startsWith("http/1.1 200"), "the GET's answer came after the HEAD's: " + next);
    }
  }

  @Test
  void aWrongMethodIsToldWhichMethodsThePathTakes() {
    Site site = site(2);
    record Case(HttpMethod method, String path, String allow) {}
    for (Case c : new Case[] {
        new Case(HttpMethod.GET, "/v1/assign", "OPTIONS, POST"),
        new Case(HttpMethod.PUT, "/health/live", "GET, HEAD"),
        new Case(HttpMethod.DELETE, "/dni.js", "GET, HEAD"),
        new Case(HttpMethod.GET, "/v1/sessions/some-session/heartbeat", "OPTIONS, POST"),
        new Case(HttpMethod.POST, "/v1/pools/" + site.poolId(), "GET, HEAD, PUT"),
        new Case(HttpMethod.PATCH, "/v1/properties/" + site.property(), null),
    }) {
      Reply r = api.request(c.method(), c.path(), null, headers("authorization", "Bearer " + TOKEN));
      assertEquals(405, r.status(), c + " " + r);
      String allow = r.header("allow");
      if (c.allow() != null) {
        assertEquals(c.allow(), allow, c.toString());
      } else {
        assertTrue(allow != null && allow.contains("GET") && allow.contains("PUT") && !allow.contains("PATCH"),
            c + ": " + allow);
      }
      assertEquals("method_not_allowed", r.json().getString("error"));
      assertTrue(r.json().getString("detail").endsWith("allowed: " + allow), r::toString);
    }
  }

  /** The head of one answer on a raw socket, lower case; reads nothing past it (HttpHardeningTest reads on). */
  static String head(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.append((char) b);
    }
    return head.toString().toLowerCase(Locale.ROOT);
  }
}
