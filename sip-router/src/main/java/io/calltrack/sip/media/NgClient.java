package io.calltrack.sip.media;

import io.calltrack.core.config.Ports;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
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
 * never runs a command twice. Never blocks its callers: sending a datagram does not wait, and one
 * daemon thread of its own reads the answers (whole: up to 64 KB, where Vert.x's datagram socket cuts
 * at 2 KB and a {@code delete} answer with its statistics is longer) and completes the Futures.
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
  private final DatagramChannel channel;
  private final InetSocketAddress target;
  private final String host;
  private final int port;
  private final Duration retry;
  private final int attempts;
  private final String prefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  private final AtomicLong counter = new AtomicLong();
  private final Map<String, Promise<Map<String, Object>>> pending = new ConcurrentHashMap<>();

  private NgClient(Vertx vertx, DatagramChannel channel, String host, int port, Duration retry, int attempts) {
    this.vertx = vertx;
    this.channel = channel;
    this.host = host;
    this.port = port;
    this.target = new InetSocketAddress(host, port);
    this.retry = retry;
    this.attempts = attempts;
    Thread reader = new Thread(this::readReplies, "calltrack-rtpengine-ng");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * {@code address} (CALLTRACK_RTPENGINE), stripped, if it is rtpengine's ng address, {@code host:port}
   * with a port from 1 to 65535, null when unset or blank; throws otherwise, in the setting's terms
   * (the launcher checks it as it reads its settings).
   */
  public static String checkAddress(String address) {
    if (address == null || address.isBlank()) {
      return null;
    }
    address = address.strip();
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || !Ports.isPort(address.substring(colon + 1))) {
      throw new IllegalArgumentException(
          "CALLTRACK_RTPENGINE must be host:port (rtpengine's --listen-ng, a port from 1 to 65535): '" + address + "'");
    }
    return address;
  }

  /** A client of the rtpengine at {@code address} ({@code host:port}), on a local socket of its own. */
  public static Future<NgClient> open(Vertx vertx, String address, Duration retry, int attempts) {
    try {
      address = checkAddress(address);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    try {
      DatagramChannel channel = DatagramChannel.open();
      channel.bind(null);
      return Future.succeededFuture(new NgClient(vertx, channel, host, port, retry, attempts));
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }

  /** Sends {@code command} (its {@code command} key included); completes with the reply's dictionary. */
  public Future<Map<String, Object>> request(Map<String, Object> command) {
    String cookie = prefix + "_" + Long.toHexString(counter.incrementAndGet());
    byte[] body = Bencode.encode(command);
    byte[] head = (cookie + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] packet = new byte[head.length + body.length];
    System.arraycopy(head, 0, packet, 0, head.length);
    System.arraycopy(body, 0, packet, head.length, body.length);
    Promise<Map<String, Object>> reply = Promise.promise();
    pending.put(cookie, reply);
    send(cookie, packet, reply, 1);
    return reply.future();
  }

  private void send(String cookie, byte[] packet, Promise<Map<String, Object>> reply, int attempt) {
    if (reply.future().isComplete()) {
      return;
    }
    try {
      channel.send(ByteBuffer.wrap(packet), target); // UDP: hands the datagram to the kernel, no waiting
    } catch (IOException e) {
      LOG.debug("ng send failed: {}", e.toString());
    }
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

  private void readReplies() {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    while (channel.isOpen()) {
      try {
        buf.clear();
        java.net.SocketAddress from = channel.receive(buf);
        if (!target.equals(from)) {
          continue; // only rtpengine answers for rtpengine
        }
        buf.flip();
        byte[] data = new byte[buf.remaining()];
        buf.get(data);
        onReply(data);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.debug("ng receive: {}", e.toString());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void onReply(byte[] data) {
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
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing the ng socket: {}", e.toString());
    }
    pending.values().forEach(p -> p.tryFail(new NgException("closed")));
    pending.clear();
  }
}
