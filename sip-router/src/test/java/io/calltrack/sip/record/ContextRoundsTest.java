package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Work given to the router's context from other threads, run there in rounds. */
@Timeout(30)
class ContextRoundsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void tasksFromOtherThreadsRunOnTheContextsEventLoopInTheOrderGiven() throws Exception {
    Context context = vertx.getOrCreateContext();
    ContextRounds rounds = ContextRounds.of(context);
    assertSame(rounds, ContextRounds.of(context), "one per context, shared by whatever uses it");
    Thread[] loop = new Thread[1];
    context.runOnContext(v -> loop[0] = Thread.currentThread());
    Await.until(Duration.ofSeconds(10), () -> loop[0] != null);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    List<Boolean> onContext = new CopyOnWriteArrayList<>();
    Thread giver = new Thread(() -> IntStream.range(0, 500).forEach(i -> rounds.submit(() -> {
      onContext.add(Thread.currentThread() == loop[0]);
      ran.add(i);
    })));
    giver.start();
    giver.join();
    Await.until(Duration.ofSeconds(10), () -> ran.size() == 500);
    assertEquals(IntStream.range(0, 500).boxed().toList(), new ArrayList<>(ran));
    assertTrue(onContext.stream().allMatch(b -> b), "every task ran on the context's event loop");
  }

  @Test
  void theRoundsStopWhenIdleAndTheNextTaskStartsThemAgain() {
    ContextRounds rounds = new ContextRounds(vertx.getOrCreateContext(), 1, 1, 2);
    List<String> ran = new CopyOnWriteArrayList<>();
    rounds.submit(() -> ran.add("first"));
    Await.until(Duration.ofSeconds(10), () -> ran.size() == 1);
    Await.until(Duration.ofSeconds(10), () -> !rounds.ticking()); // two rounds with nothing: stopped
    rounds.submit(() -> ran.add("after the stop"));
    Await.until(Duration.ofSeconds(10), () -> ran.size() == 2);
    assertEquals(List.of("first", "after the stop"), ran);
  }

  @Test
  void theNextRoundComesAsManyTasksLaterAsARoundHoldsAtTheLastRoundsRateWithinItsBounds() {
    int n = ContextRounds.TASKS_PER_ROUND;
    assertEquals(50, ContextRounds.nextPeriod(100, 2 * n, 20, 100), "twice the tasks: half the wait");
    assertEquals(20, ContextRounds.nextPeriod(20, 10 * n, 20, 100), "never sooner than the least wait");
    assertEquals(100, ContextRounds.nextPeriod(100, 1, 20, 100), "never later than the longest");
    assertEquals(100, ContextRounds.nextPeriod(20, n / 5, 20, 100), "a fifth of the tasks: five times the wait");
    assertEquals(100, ContextRounds.nextPeriod(40, 0, 20, 100), "nothing ran: the longest");
  }

  @Test
  void aFailingTaskDoesNotStopTheOnesAfterIt() {
    ContextRounds rounds = new ContextRounds(vertx.getOrCreateContext(), 1, 1, 2);
    List<String> ran = new CopyOnWriteArrayList<>();
    rounds.submit(() -> {
      throw new IllegalStateException("a task's own failure");
    });
    rounds.submit(() -> ran.add("next"));
    Await.until(Duration.ofSeconds(10), () -> ran.size() == 1);
  }
}
