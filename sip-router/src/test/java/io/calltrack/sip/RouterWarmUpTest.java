package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RouterWarmUpTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void everyCallIsAnsweredAndHungUpThroughARealRouterWhichIsThenGone(@TempDir Path data) throws Exception {
    Path dir = data.resolve("warm-up");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("calls.open"), "what a warm-up stopped midway left"); // removed first
    RouterWarmUp.Outcome first = RouterWarmUp.run(vertx, 40, 8, Duration.ofSeconds(30), Clock.systemUTC(), dir,
        EmbeddedRedis.freePort());
    assertEquals(40, first.calls());
    assertEquals(40, first.completed(), "each call: INVITE, 180, 200, ACK, BYE and its 200, through the proxy");
    assertEquals(40, first.attributed(), "each call scored against the number's visits and attributed to one");
    assertTrue(first.took().compareTo(Duration.ofSeconds(30)) < 0);
    first.closed().toCompletionStage().toCompletableFuture().get();
    // its router closed: a second warm-up in the same process gets its own and carries every call too
    assertFalse(Files.exists(dir), "its spool directory is removed once its router closed");
    RouterWarmUp.Outcome second = RouterWarmUp.run(vertx, 10, 2, Duration.ofSeconds(30), Clock.systemUTC(), dir,
        EmbeddedRedis.freePort());
    assertEquals(10, second.completed());
    second.closed().toCompletionStage().toCompletableFuture().get();
    assertFalse(Files.exists(dir));
  }

  @Test
  void aWarmUpLongerThanItsTimeLimitStopsThereWithTheCallsItCarried(@TempDir Path data) throws Exception {
    RouterWarmUp.Outcome w = RouterWarmUp.run(vertx, 1_000_000, 8, Duration.ofSeconds(2), Clock.systemUTC(),
        data.resolve("warm-up"), EmbeddedRedis.freePort());
    assertTrue(w.completed() > 0 && w.completed() < 1_000_000, "carried some: " + w.completed());
    assertTrue(w.took().compareTo(Duration.ofSeconds(5)) < 0, "one limit for the start, the calls and the journal: "
        + w.took());
    w.closed().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void callsNoRouterAnswersEndTheWarmUpAtItsTimeLimitWithNoneCompleted() throws Exception {
    try (WarmUpLine line = new WarmUpLine(4)) {
      // a port nothing listens on: the INVITEs go unanswered
      java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = silent.getLocalPort();
      silent.close();
      long start = System.nanoTime();
      int completed = line.place(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), RouterWarmUp.NUMBER, 10,
          Duration.ofMillis(300));
      assertEquals(0, completed);
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "it gives up at its limit");
    }
  }

  @Test
  void aCallThatNeverEndsGivesUpItsPlaceSoTheRestArePlaced() throws Exception {
    try (WarmUpLine line = new WarmUpLine(1, Duration.ofMillis(50))) {
      java.net.DatagramSocket silent = new java.net.DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        long start = System.nanoTime();
        // one call at a time, each INVITE unanswered (the socket reads nothing): each is given up after 50 ms
        int completed = line.place((InetSocketAddress) silent.getLocalSocketAddress(), RouterWarmUp.NUMBER, 5,
            Duration.ofSeconds(20));
        assertEquals(0, completed);
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(),
            "five stale calls in turn, not the whole time limit");
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[4096], 4096);
        silent.setSoTimeout(5000);
        java.util.Set<String> callIds = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
          silent.receive(p);
          String text = new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
          assertTrue(text.startsWith("INVITE sip:" + RouterWarmUp.NUMBER + "@"), text);
          callIds.add(text.lines().filter(l -> l.startsWith("Call-ID:")).findFirst().orElseThrow());
        }
        assertEquals(5, callIds.size(), "five calls placed, each its own");
      } finally {
        silent.close();
      }
    }
  }
}
