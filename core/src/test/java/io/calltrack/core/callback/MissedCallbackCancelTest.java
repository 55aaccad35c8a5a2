package io.calltrack.core.callback;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.TestRedis;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a missed call's callback when its caller got through: only callbacks that return a
 * missed call, only while no router is placing them, and then off the schedule. Real Redis.
 */
class MissedCallbackCancelTest extends CallbackStoreTestBase {
  static final String WHY = "the caller called again and was answered";

  private static long due(String property) {
    return result(redis.zcard(new CallbackKeys(property).due())).toLong();
  }

  @Test
  void aQueuedMissedCallsCallbackIsCancelledAndLeavesTheSchedule() {
    String property = TestRedis.uniqueId("cancel");
    Callback asked = result(store.request(
        Callback.forMissedCall(property, "+13125550151", null, "cmissed-a", clock.instant()), null));
    assertEquals(1, due(property));
    assertEquals(1, result(store.cancelMissedCallbacks(property, "+13125550151", WHY)));
    Callback cancelled = result(store.get(asked.id())).orElseThrow();
    assertEquals(CallbackState.CANCELLED, cancelled.state());
    assertEquals(WHY, cancelled.detail());
    assertEquals(clock.instant(), cancelled.endedAt());
    assertEquals(0, due(property), "no router will claim it");
    assertEquals(0, result(store.cancelMissedCallbacks(property, "+13125550151", WHY)), "once");
  }

  @Test
  void oneARouterIsPlacingGoesAheadAndALeadsOwnRequestStays() {
    String property = TestRedis.uniqueId("cancel");
    Callback missed = result(store.request(
        Callback.forMissedCall(property, "+13125550152", null, "cmissed-b", clock.instant()), null));
    assertEquals(missed.id(), result(store.claim(property, "router-1", Duration.ofSeconds(60), 1)).orElseThrow().id());
    assertEquals(0, result(store.cancelMissedCallbacks(property, "+13125550152", WHY)));
    assertEquals(CallbackState.QUEUED, result(store.get(missed.id())).orElseThrow().state(), "the router's to move on");

    Callback lead = result(store.request(Callback.requested(RedisCallbackStore.newId(property), property,
        "+13125550153", null, "about a leak", clock.instant()), "127.0.0.1"));
    assertEquals(0, result(store.cancelMissedCallbacks(property, "+13125550153", WHY)));
    assertEquals(CallbackState.QUEUED, result(store.get(lead.id())).orElseThrow().state());
  }
}
