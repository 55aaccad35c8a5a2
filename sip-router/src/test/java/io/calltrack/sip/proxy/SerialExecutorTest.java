package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SerialExecutorTest {

  @Test
  void runsOneCallsTasksInOrderAndReportsHowLongTheyWaited() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      AtomicLong waited = new AtomicLong(-1);
      SerialExecutor exec = new SerialExecutor(pool, waited::set);
      List<Integer> seen = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(1);
      for (int i = 0; i < 1000; i++) {
        int n = i;
        exec.execute(() -> seen.add(n));
      }
      exec.execute(done::countDown);
      assertTrue(done.await(20, TimeUnit.SECONDS));
      for (int i = 0; i < 1000; i++) {
        assertEquals(i, seen.get(i));
      }
      assertTrue(waited.get() >= 0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void workGivenAfterThePoolStoppedIsDroppedWithoutThrowing() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    pool.shutdown();
    SerialExecutor exec = new SerialExecutor(pool);
    List<String> ran = new CopyOnWriteArrayList<>();
    exec.execute(() -> ran.add("late timer")); // threw RejectedExecutionException before
    exec.execute(() -> ran.add("later"));
    assertEquals(List.of(), ran);
  }

  @Test
  void workGivenHereRunsOnTheCallersThreadWhenTheCallIsIdle() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      SerialExecutor exec = new SerialExecutor(pool);
      List<Thread> ran = new CopyOnWriteArrayList<>();
      exec.executeHere(() -> ran.add(Thread.currentThread()));
      assertEquals(List.of(Thread.currentThread()), ran); // no hand-off: done when executeHere returns
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void workGivenHereWhileTheCallIsBusyWaitsItsTurnInOrder() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ExecutorService stack = Executors.newFixedThreadPool(2);
    try {
      SerialExecutor exec = new SerialExecutor(pool);
      List<Integer> seen = new CopyOnWriteArrayList<>();
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      exec.execute(() -> {
        busy.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        seen.add(0);
      });
      assertTrue(busy.await(10, TimeUnit.SECONDS));
      // the stack's thread gives work while a pool thread runs the call: it must not run it alongside
      stack.submit(() -> exec.executeHere(() -> seen.add(1))).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(), seen);
      CountDownLatch done = new CountDownLatch(1);
      exec.execute(() -> seen.add(2));
      stack.submit(() -> exec.executeHere(done::countDown)).get(10, TimeUnit.SECONDS);
      release.countDown();
      assertTrue(done.await(10, TimeUnit.SECONDS));
      assertEquals(List.of(0, 1, 2), seen);
      // mixed hand-offs from several threads keep one call's tasks one at a time
      java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
      CountDownLatch all = new CountDownLatch(2000);
      Runnable task = () -> {
        if (inside.incrementAndGet() > 1) {
          overlaps.incrementAndGet();
        }
        inside.decrementAndGet();
        all.countDown();
      };
      for (int i = 0; i < 1000; i++) {
        stack.execute(() -> exec.executeHere(task));
        exec.execute(task);
      }
      assertTrue(all.await(20, TimeUnit.SECONDS));
      assertEquals(0, overlaps.get());
    } finally {
      pool.shutdownNow();
      stack.shutdownNow();
    }
  }
}
