package io.calltrack.dni.snippet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** GET /dni.js on a real dni-server: the js-snippet build's file, gzip, strong ETags, 304, caching. */
class SnippetRoutesTest extends DniTestBase {

  private Reply get(String... headers) {
    return api.request(HttpMethod.GET, "/dni.js", null, DniClient.headers(headers));
  }

  private static byte[] builtSnippet() throws IOException {
    try (InputStream in = SnippetRoutesTest.class.getClassLoader().getResourceAsStream(Snippet.RESOURCE)) {
      assertNotNull(in, "calltrack/dni.js is on dni-server's classpath (from js-snippet)");
      return in.readAllBytes();
    }
  }

  @Test
  void servesTheBuiltSnippetGzippedWithAStrongEtagAndCacheHeaders() throws IOException {
    Reply r = get("accept-encoding", "gzip, deflate, br");
    assertEquals(200, r.status(), r::toString);
    assertEquals("gzip", r.header("content-encoding"));
    assertTrue(r.header("content-type").startsWith("application/javascript"), r.header("content-type"));
    assertEquals("Accept-Encoding", r.header("vary"));
    assertTrue(r.header("cache-control").contains("max-age=300"), r.header("cache-control"));
    String etag = r.header("etag");
    assertTrue(etag.matches("\"[A-Za-z0-9_-]+-gz\""), "a strong ETag: " + etag);

    byte[] gunzipped;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body().getBytes()))) {
      gunzipped = in.readAllBytes();
    }
    byte[] built = builtSnippet();
    assertArrayEquals(built, gunzipped, "the js-snippet build's dni.js");
    assertTrue(new String(built, java.nio.charset.StandardCharsets.UTF_8).contains("calltrack"));
    assertTrue(r.body().length() <= 3968, "within the 3.875 KiB gzip budget: " + r.body().length());
  }

  @Test
  void answers304WhenTheEtagMatchesAnd200WhenItDoesNot() {
    String etag = get("accept-encoding", "gzip").header("etag");

    Reply cached = get("accept-encoding", "gzip", "if-none-match", etag);
    assertEquals(304, cached.status());
    assertEquals(0, cached.body() == null ? 0 : cached.body().length(), "no body on 304");
    assertEquals(etag, cached.header("etag"));
    assertTrue(cached.header("cache-control").contains("max-age"));

    Reply listed = get("accept-encoding", "gzip", "if-none-match", "\"old\", W/" + etag);
    assertEquals(304, listed.status(), "weak comparison, any tag of the list");

    Reply stale = get("accept-encoding", "gzip", "if-none-match", "\"an-older-build-gz\"");
    assertEquals(200, stale.status());
    assertEquals(etag, stale.header("etag"));
  }

  @Test
  void clientsWithoutGzipGetThePlainFileUnderItsOwnEtag() throws IOException {
    Reply gz = get("accept-encoding", "gzip");
    Reply plain = get();
    assertEquals(200, plain.status());
    assertNotEquals("gzip", plain.header("content-encoding"));
    assertArrayEquals(builtSnippet(), plain.body().getBytes());
    assertNotEquals(gz.header("etag"), plain.header("etag"), "two representations, two strong ETags");

    Reply refused = get("accept-encoding", "gzip;q=0, identity");
    assertNotEquals("gzip", refused.header("content-encoding"));
    assertEquals(plain.header("etag"), refused.header("etag"));
    // the gzip variant's ETag does not validate the plain one
    assertEquals(200, get("if-none-match", gz.header("etag")).status());
    assertEquals(304, get("if-none-match", plain.header("etag")).status());
  }

  @Test
  void acceptEncodingParsing() {
    assertTrue(SnippetRoutes.acceptsGzip("gzip"));
    assertTrue(SnippetRoutes.acceptsGzip("br;q=1.0, GZIP;q=0.5"));
    assertTrue(SnippetRoutes.acceptsGzip("*"));
    assertFalse(SnippetRoutes.acceptsGzip(null));
    assertFalse(SnippetRoutes.acceptsGzip("br, deflate"));
    assertFalse(SnippetRoutes.acceptsGzip("gzip;q=0"));
    assertFalse(SnippetRoutes.acceptsGzip("gzip;q=0.000"));
  }
}
