package io.calltrack.core.callback;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A property's callbacks not finished, listed a page at a time in the order the routers take them
 * ({@link RedisCallbackStore#pending}). Real Redis.
 */
class PendingCallbacksTest extends CallbackStoreTestBase {

  private static Callback ask(String property, int phone) {
    return result(store.request(Callback.requested(RedisCallbackStore.newId(property), property,
        "+1312555" + (1000 + phone), null, null, clock.instant()), null));
  }

  /** Every page of {@code property}'s list, {@code limit} at a time: the ids in order. */
  private static List<String> allPages(String property, int limit) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 100; pages++) {
      CallbackPage page = result(store.pending(property, limit, cursor));
      assertTrue(page.callbacks().size() <= limit);
      page.callbacks().forEach(c -> ids.add(c.id()));
      if (page.next() == null) {
        return ids;
      }
      cursor = page.next();
    }
    throw new AssertionError("no last page");
  }

  @Test
  void pagesGoInTheOrderTheRoutersTakeThemEachCallbackOnce() {
    String property = TestRedis.uniqueId("pending");
    List<String> sameInstant = new ArrayList<>(); // as many due at one instant as a page holds, and more
    for (int i = 0; i < 7; i++) {
      sameInstant.add(ask(property, i).id());
    }
    clock.advance(Duration.ofSeconds(5));
    String later = ask(property, 7).id();
    clock.advance(Duration.ofSeconds(5));
    String latest = ask(property, 8).id();

    List<String> expected = new ArrayList<>(sameInstant.stream().sorted().toList()); // ties by id
    expected.add(later);
    expected.add(latest);
    for (int limit : new int[] {1, 2, 3, 7, 9, 50}) {
      assertEquals(expected, allPages(property, limit), "pages of " + limit);
    }
    assertNull(result(store.pending(property, 9, null)).next(), "nine on a page of nine: no next page");
  }

  @Test
  void finishedAndForgottenCallbacksAreNotListedAndOneBeingPlacedIsDueAtItsHoldsEnd() {
    String property = TestRedis.uniqueId("pending");
    Callback first = ask(property, 1);
    clock.advance(Duration.ofSeconds(1));
    Callback second = ask(property, 2);
    clock.advance(Duration.ofSeconds(1));
    Callback third = ask(property, 3);
    clock.advance(Duration.ofSeconds(1));
    Callback fourth = ask(property, 4);

    // the router takes the first and holds it for a minute: next due when that hold ends, so last
    Callback held = result(store.claim(property, "router-1", Duration.ofMinutes(1), 2)).orElseThrow();
    assertEquals(first.id(), held.id());
    assertTrue(result(store.hold(held.in(CallbackState.CALLING_BUSINESS), "router-1", Duration.ofMinutes(1), true)));
    // the second placed and finished
    Callback placed = result(store.claim(property, "router-1", Duration.ofMinutes(1), 2)).orElseThrow();
    assertEquals(second.id(), placed.id());
    assertTrue(result(store.finish(placed.ended(CallbackState.COMPLETED, clock.instant(), null), "router-1")));
    // the third's record gone (its retention) while the schedule still names it
    result(redis.del(List.of(new CallbackKeys(property).callback(third.id()))));

    List<Callback> listed = result(store.pending(property, 50, null)).callbacks();
    assertEquals(List.of(fourth.id(), first.id()), listed.stream().map(Callback::id).toList());
    assertEquals(CallbackState.CALLING_BUSINESS, listed.get(1).state());
    assertEquals(List.of(), result(store.pending(TestRedis.uniqueId("pending"), 50, null)).callbacks(), "none yet");
  }

  @Test
  void aCursorNotGivenOutAndALimitOutOfRangeAreRefused() {
    String property = TestRedis.uniqueId("pending");
    for (String cursor : new String[] {"not-a-cursor!", "MTIz", "fHNob3A", "eHx5"}) { // !, "123", "|shop", "x|y"
      assertThrows(CalltrackException.Invalid.class, () -> store.pending(property, 10, cursor), cursor);
    }
    assertThrows(CalltrackException.Invalid.class, () -> store.pending(property, 0, null));
    assertThrows(CalltrackException.Invalid.class, () -> store.pending(property, RedisCallbackStore.MAX_PAGE + 1, null));
  }
}
