package io.calltrack.core.config;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A change subscription whose connection stays open but no longer delivers (a hung master, a
 * middlebox that dropped the flow): nothing closes it, so only the listener's own probe can tell. The
 * reader reaches Redis through a TCP proxy that, on demand, silently drops everything on the
 * connections that had subscribed; a change written afterwards must still reach the reader's cache,
 * and the reader must cache again on a new subscription.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SilentSubscriptionTest {

  @Test
  void aSubscriptionThatStopsDeliveringIsMadeAgain() throws Exception {
    URI target = URI.create(TestRedis.url());
    Vertx readerVertx = Vertx.vertx();
    Vertx writerVertx = Vertx.vertx();
    try (FreezingProxy proxy = new FreezingProxy(target.getHost(), target.getPort())) {
      RedisConfigStore writer = result(RedisConfigStore.create(writerVertx,
          RedisClientFactory.create(writerVertx, TestRedis.url())));
      RedisConfigStore reader = result(RedisConfigStore.create(readerVertx,
          RedisClientFactory.create(readerVertx, "redis://127.0.0.1:" + proxy.port())));
      PropertyConfig property = new PropertyConfig(TestRedis.uniqueId("prop"), null, List.of(),
          List.of(TestNumbers.fresh()), null, null, null);
      result(writer.putProperty(property));
      assertEquals(Optional.of(property), Await.until(Duration.ofSeconds(10),
          () -> result(reader.property(property.id())), Optional::isPresent));
      assertTrue(reader.listening(), "the reader caches");

      assertTrue(proxy.freezeSubscribers() > 0, "the reader's subscription went through the proxy");
      PropertyConfig renamed = new PropertyConfig(property.id(), "renamed while the subscription was silent",
          property.allowedOrigins(), property.swapNumbers(), property.defaultNumber(), null, null);
      result(writer.putProperty(renamed));
      // the probe period plus its timeout (6 s) and a resubscription, on a loaded machine
      Await.until(Duration.ofSeconds(30), () -> result(reader.property(property.id())).equals(Optional.of(renamed)));
      Await.until(Duration.ofSeconds(30), reader::listening);

      PropertyConfig again = new PropertyConfig(property.id(), "renamed again", property.allowedOrigins(),
          property.swapNumbers(), property.defaultNumber(), null, null);
      result(writer.putProperty(again));
      Await.until(Duration.ofSeconds(10), () -> result(reader.property(property.id())).equals(Optional.of(again)));
      // the new subscription delivers, and the reader caches again (a probe that went out on the frozen
      // connection's pooled socket can cost one more round of resubscription first)
      Await.until(Duration.ofSeconds(30), reader::listening);
      result(writer.close());
      result(reader.close());
    } finally {
      readerVertx.close();
      writerVertx.close();
    }
  }

  /**
   * Forwards TCP to Redis; {@link #freezeSubscribers()} makes every connection that has sent a
   * SUBSCRIBE so far drop what it carries both ways, its sockets left open.
   */
  static final class FreezingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    FreezingProxy(String host, int port) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket client = server.accept();
            Socket upstream = new Socket(host, port);
            Link link = new Link(client, upstream);
            links.add(link);
            pump(link, client, upstream, true);
            pump(link, upstream, client, false);
          } catch (IOException closed) {
            return;
          }
        }
      }, "freezing-proxy-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int freezeSubscribers() {
      int n = 0;
      for (Link l : links) {
        if (l.subscriber) {
          l.frozen = true;
          n++;
        }
      }
      return n;
    }

    private static void pump(Link link, Socket from, Socket to, boolean fromClient) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) >= 0) {
            if (fromClient && !link.subscriber
                && new String(buf, 0, n, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).contains("SUBSCRIBE")) {
              link.subscriber = true;
            }
            if (!link.frozen) {
              out.write(buf, 0, n);
              out.flush();
            }
          }
        } catch (IOException closed) {
          // either side went away
        } finally {
          link.close();
        }
      }, "freezing-proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      links.forEach(Link::close);
    }

    private static final class Link {
      final Socket client;
      final Socket upstream;
      volatile boolean subscriber;
      volatile boolean frozen;

      Link(Socket client, Socket upstream) {
        this.client = client;
        this.upstream = upstream;
      }

      void close() {
        try {
          client.close();
        } catch (IOException ignored) {
          // already closed
        }
        try {
          upstream.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }
  }
}
