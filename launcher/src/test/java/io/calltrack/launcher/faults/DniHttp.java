package io.calltrack.launcher.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The fault tests' client of a dni-server: admin calls with the token, public ones from the site's origin. */
final class DniHttp {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;
  private final String origin;

  DniHttp(int port, String token, String origin) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
    this.origin = origin;
  }

  /** An admin request that must answer 200. */
  void admin(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpResponse<String> r = send(method, path, body.encode(), true);
    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
  }

  HttpResponse<String> send(String method, String path, String body, boolean admin)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .header("origin", origin)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (admin) {
      b.header("authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
