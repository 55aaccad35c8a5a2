package io.calltrack.dni.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP client (Vert.x WebClient) for one dni-server, with blocking helpers for readable tests
 * and {@link #send} for tests that fire many requests at once. Lives in the test-jar so other
 * engineers' dni-server tests can use it.
 */
public final class DniClient implements AutoCloseable {
  public static final long WAIT_SECONDS = 60;

  private final WebClient web;
  private final int port;
  private final String adminToken;
  private final ContractCheck contract;

  public DniClient(Vertx vertx, int port, String adminToken) {
    this(vertx, port, adminToken, 8);
  }

  public DniClient(Vertx vertx, int port, String adminToken, int connections) {
    this.web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    this.port = port;
    this.adminToken = adminToken;
    this.contract = ContractCheck.get(vertx);
  }

  public int port() {
    return port;
  }

  /** What came back: status, headers and body. */
  public record Reply(int status, MultiMap headers, Buffer body) {
    public JsonObject json() {
      return body == null || body.length() == 0 ? null : new JsonObject(body);
    }

    public JsonArray jsonArray() {
      return new JsonArray(body);
    }

    public String text() {
      return body == null ? "" : body.toString();
    }

    public String header(String name) {
      return headers.get(name);
    }

    /** The error code of an error body ({@code {error, detail}}, docs/contract.md). */
    public String error() {
      return json().getString("error");
    }

    public String detail() {
      return json().getString("detail");
    }

    @Override
    public String toString() {
      return status + " " + text();
    }
  }

  // --- admin calls (with the bearer token) ---

  public Reply adminPut(String path, Object json) {
    return await(send(HttpMethod.PUT, path, body(json), admin()));
  }

  public Reply adminGet(String path) {
    return await(send(HttpMethod.GET, path, null, admin()));
  }

  // --- public calls ---

  public Reply get(String path) {
    return await(send(HttpMethod.GET, path, null, MultiMap.caseInsensitiveMultiMap()));
  }

  public Reply post(String path, Object json) {
    return await(send(HttpMethod.POST, path, json == null ? null : body(json), jsonType()));
  }

  public Reply post(String path, Object json, MultiMap headers) {
    return await(send(HttpMethod.POST, path, json == null ? null : body(json), headers));
  }

  public Reply assign(JsonObject body) {
    return post("/v1/assign", body);
  }

  public Future<Reply> assignAsync(JsonObject body) {
    return send(HttpMethod.POST, "/v1/assign", body(body), jsonType());
  }

  public Reply request(HttpMethod method, String path, Buffer body, MultiMap headers) {
    return await(send(method, path, body, headers));
  }

  /** Sends a request; every answer is checked against openapi.json ({@link ContractCheck}) on its way back. */
  public Future<Reply> send(HttpMethod method, String path, Buffer body, MultiMap headers) {
    HttpRequest<Buffer> request = web.request(method, path).putHeaders(headers);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent =
        body == null ? request.send() : request.sendBuffer(body);
    return sent.map(r -> {
      contract.check(method, path, r.statusCode(), r.getHeader("content-type"), r.body());
      return new Reply(r.statusCode(), r.headers(), r.body());
    });
  }

  public MultiMap admin() {
    return jsonType().add("authorization", "Bearer " + adminToken);
  }

  public static MultiMap jsonType() {
    return MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
  }

  public static MultiMap headers(String... namesAndValues) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  public static Buffer body(Object json) {
    if (json instanceof Buffer b) {
      return b;
    }
    if (json instanceof String s) {
      return Buffer.buffer(s);
    }
    if (json instanceof JsonObject o) {
      return o.toBuffer();
    }
    if (json instanceof JsonArray a) {
      return a.toBuffer();
    }
    return Buffer.buffer(io.calltrack.core.json.JsonMapper.write(json));
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", e);
    }
  }

  @Override
  public void close() {
    web.close();
  }
}
