package io.calltrack.sip.media;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rtpengine's {@code ng} control protocol over UDP: each request is {@code <cookie> <bencoded dict>}, and
 * the reply carries the same cookie. A request is sent again every {@code retry} until a reply comes or
 * {@code attempts} sends went unanswered; rtpengine answers a repeated cookie from its cache, so a retry
 * never runs a command twice. Never blocks: the answer completes a Future (on the socket's event loop).
 */
public final class NgClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NgClient.class);

  /** rtpengine did not answer in time, or answered {@code result: error}. */
  public static final class NgException extends RuntimeException {
    public NgException(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final DatagramSocket socket;
  private final String host;
  private final int port;
  private final Duration retry;
  private final int attempts;
  private final String prefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  private final AtomicLong counter = new AtomicLong();
  private final Map<String, Promise<Map<String, Object>>> pending = new ConcurrentHashMap<>();

  private NgClient(Vertx vertx, DatagramSocket socket, String host, int port, Duration retry, int attempts) {
    this.vertx = vertx;
    this.socket = socket;
    this.host = host;
    this.port = port;
    this.retry = retry;
    this.attempts = attempts;
    socket.handler(this::onReply);
  }

  /** A client of the rtpengine at {@code address} ({@code host:port}), on a local socket of its own. */
  public static Future<NgClient> open(Vertx vertx, String address, Duration retry, int attempts) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      return Future.failedFuture(new IllegalArgumentException(
          "CALLTRACK_RTPENGINE must be host:port (rtpengine's --listen-ng): '" + address + "'"));
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Future.failedFuture(new IllegalArgumentException(
          "CALLTRACK_RTPENGINE must be host:port with a numeric port: '" + address + "'"));
    }
    DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(host.contains(":")));
    String bind = host.contains(":") ? "::" : "0.0.0.0";
    return s.listen(0, bind).map(ok -> new NgClient(vertx, s, host, port, retry, attempts));
  }

  /** Sends {@code command} (its {@code command} key included); completes with the reply's dictionary. */
  public Future<Map<String, Object>> request(Map<String, Object> command) {
    String cookie = prefix + "_" + Long.toHexString(counter.incrementAndGet());
    byte[] body = Bencode.encode(command);
    Buffer packet = Buffer.buffer(cookie.length() + 1 + body.length)
        .appendString(cookie, "US-ASCII").appendByte((byte) ' ').appendBytes(body);
    Promise<Map<String, Object>> reply = Promise.promise();
    pending.put(cookie, reply);
    send(cookie, packet, reply, 1);
    return reply.future();
  }

  private void send(String cookie, Buffer packet, Promise<Map<String, Object>> reply, int attempt) {
    if (reply.future().isComplete()) {
      return;
    }
    socket.send(packet, port, host).onFailure(err -> LOG.debug("ng send failed: {}", err.toString()));
    vertx.setTimer(retry.toMillis(), id -> {
      if (reply.future().isComplete()) {
        return;
      }
      if (attempt >= attempts) {
        pending.remove(cookie);
        reply.tryFail(new NgException("rtpengine at " + host + ":" + port + " did not answer in "
            + retry.multipliedBy(attempts).toMillis() + " ms"));
      } else {
        send(cookie, packet, reply, attempt + 1);
      }
    });
  }

  @SuppressWarnings("unchecked")
  private void onReply(DatagramPacket packet) {
    byte[] data = packet.data().getBytes();
    int space = -1;
    for (int i = 0; i < data.length && i < 128; i++) {
      if (data[i] == ' ') {
        space = i;
        break;
      }
    }
    if (space <= 0) {
      return;
    }
    String cookie = new String(data, 0, space, StandardCharsets.US_ASCII);
    Promise<Map<String, Object>> reply = pending.remove(cookie);
    if (reply == null) {
      return; // a late answer to a request already retried and answered, or given up
    }
    try {
      Object v = Bencode.decode(data, space + 1);
      if (!(v instanceof Map<?, ?> map)) {
        reply.tryFail(new NgException("rtpengine answered something other than a dictionary"));
        return;
      }
      Map<String, Object> dict = (Map<String, Object>) map;
      Object result = dict.get("result");
      if ("ok".equals(result)) {
        reply.tryComplete(dict);
      } else {
        reply.tryFail(new NgException("rtpengine answered " + result + ": " + dict.get("error-reason")));
      }
    } catch (RuntimeException e) {
      reply.tryFail(new NgException("unreadable rtpengine answer: " + e.getMessage()));
    }
  }

  @Override
  public void close() {
    socket.close();
    pending.values().forEach(p -> p.tryFail(new NgException("closed")));
    pending.clear();
  }
}
