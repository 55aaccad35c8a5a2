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
}
