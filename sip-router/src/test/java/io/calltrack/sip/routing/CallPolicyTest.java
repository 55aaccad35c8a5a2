package io.calltrack.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.sip.RouterLimits;
import io.calltrack.sip.routing.CallPolicy.Side;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The routing script as pure logic: a hand-made routing table, a settable load and a settable clock. */
class CallPolicyTest {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();
  final CallPolicy.Load load = new CallPolicy.Load() {
    @Override
    public Duration callWorkDelay() {
      return delay.get();
    }

    @Override
    public int callsInProgress() {
      return inProgress.get();
    }
  };
  final CallRouting routing = new CallRouting(TrunkAllowList.of(List.of("203.0.113.0/24")), () -> CallRoutingTest.TABLE);

  CallPolicy policy(RouterLimits limits) {
    return new CallPolicy(routing, limits, Duration.ofSeconds(30), load, nanos::get);
  }

  static int status(RouteDecision d) {
    return d instanceof RouteDecision.Reject r ? r.status() : 0;
  }

  /**
   * Inside a call each side sends a burst of 40 requests, then 20 a second; a BYE always goes, and the
   * other side's budget is its own.
   */
  @Test
  void eachSideOfACallSendsAtMostItsBudgetOfRequestsButAByeAlwaysGoes() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    RequestBudget caller = p.inDialogBudget();
    RequestBudget line = p.inDialogBudget();
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += p.admitsInDialogRequest(caller, "INFO") ? 1 : 0;
    }
    assertEquals(40, admitted, "the burst");
    assertTrue(p.admitsInDialogRequest(caller, "BYE"));
    assertTrue(p.admitsInDialogRequest(line, "INFO"), "the other side's budget");
    nanos.addAndGet(500_000_000L); // half a second: ten more
    admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += p.admitsInDialogRequest(caller, "INVITE") ? 1 : 0;
    }
    assertEquals(10, admitted);
  }

  @Test
  void aNewInviteMeetsPikeTrunkMaxForwardsDrainOverloadRateThenTheNumber() {
    CallPolicy p = policy(RouterLimits.DEFAULTS.withInviteRates(2, 3));
    assertEquals(403, status(p.admitInvite("198.51.100.1", "+15551230001", 70)));
    assertEquals(483, status(p.admitInvite("203.0.113.5", "+15551230001", 0)));
    // pike: a third INVITE from one address within the second (the first from it above used one)
    assertEquals(403, status(p.admitInvite("198.51.100.1", "+15551230001", 70)));
    assertEquals(403, status(p.admitInvite("198.51.100.1", "+15551230001", 70)));
    RouteDecision.Reject piked = assertInstanceOf(RouteDecision.Reject.class, p.admitInvite("198.51.100.1", "x", 70));
    assertEquals(503, piked.status());
    assertEquals(5, piked.retryAfterSeconds());
    // the total rate: 2 per second admitted, the third 503
    assertInstanceOf(RouteDecision.Forward.class, p.admitInvite("203.0.113.6", "+15551230001", 70));
    assertEquals(404, status(p.admitInvite("203.0.113.7", "+15550000000", 70)));
    assertEquals(503, status(p.admitInvite("203.0.113.8", "+15551230001", 70)));
    nanos.addAndGet(1_000_000_000L); // a second later the allowance is back
    assertInstanceOf(RouteDecision.Forward.class, p.admitInvite("203.0.113.8", "+15551230001", 70));
  }

  @Test
  void atTheCapOfCallsInProgressNewCallsAreTurnedAwayUntilOneEnds() {
    CallPolicy p = policy(RouterLimits.DEFAULTS.withMaxCalls(3));
    assertEquals(3, p.maxCalls());
    inProgress.set(2);
    assertInstanceOf(RouteDecision.Forward.class, p.admitInvite("203.0.113.5", "+15551230001", 70));
    inProgress.set(3);
    RouteDecision.Reject r = assertInstanceOf(RouteDecision.Reject.class, p.admitInvite("203.0.113.5", "+15551230001", 70));
    assertEquals(503, r.status());
    assertEquals(5, r.retryAfterSeconds());
    assertTrue(r.reason().contains("Too many calls in progress"), r.reason());
    // not a trunk, or no hops left: those answers come first, as before
    assertEquals(403, status(p.admitInvite("198.51.100.1", "+15551230001", 70)));
    inProgress.set(2);
    assertInstanceOf(RouteDecision.Forward.class, p.admitInvite("203.0.113.5", "+15551230001", 70));
  }

  @Test
  void withoutAConfiguredCapTheHeapSetsIt() {
    assertEquals(32_768, RouterLimits.DEFAULTS.maxCallsInProgress(512L * 1024 * 1024));
    assertEquals(1, RouterLimits.DEFAULTS.maxCallsInProgress(1024));
    assertEquals(7, RouterLimits.DEFAULTS.withMaxCalls(7).maxCallsInProgress(512L * 1024 * 1024));
    assertEquals(RouterLimits.DEFAULTS.maxCallsInProgress(Runtime.getRuntime().maxMemory()),
        policy(RouterLimits.DEFAULTS).maxCalls());
  }

  @Test
  void callWorkWaitingTooLongTurnsNewCallsAwayUntilItDoesNot() {
    CallPolicy p = policy(RouterLimits.DEFAULTS.withMaxQueueDelay(Duration.ofMillis(200)));
    delay.set(Duration.ofMillis(800));
    RouteDecision.Reject r = assertInstanceOf(RouteDecision.Reject.class, p.admitInvite("203.0.113.5", "+15551230001", 70));
    assertEquals(503, r.status());
    assertTrue(r.reason().contains("Overloaded"), r.reason());
    delay.set(Duration.ofMillis(10));
    assertInstanceOf(RouteDecision.Forward.class, p.admitInvite("203.0.113.5", "+15551230001", 70));
  }

  @Test
  void drainingRefusesNewCallsButNotRequestsInsideCalls() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    p.startDraining();
    assertEquals(503, status(p.admitInvite("203.0.113.5", "+15551230001", 70)));
    assertTrue(p.admitInDialog(Side.CALLER, "203.0.113.5", false));
    assertTrue(p.admitCancel("203.0.113.5"));
  }

  @Test
  void requestsInsideACallComeFromTheirOwnSide() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    assertTrue(p.admitInDialog(Side.CALLER, "203.0.113.5", false));
    assertFalse(p.admitInDialog(Side.CALLER, "198.51.100.1", true), "the caller's side speaks from a trunk");
    assertTrue(p.admitInDialog(Side.BUSINESS_LINE, "198.51.100.1", true));
    assertFalse(p.admitInDialog(Side.BUSINESS_LINE, "203.0.113.5", false), "a trunk is not the business line");
    assertFalse(p.admitCancel("198.51.100.1"));
  }

  @Test
  void optionsFromTrunksOnlyAndNothingElseOutsideCalls() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    assertEquals(200, p.answerOutOfDialog("203.0.113.5", "OPTIONS"));
    assertEquals(405, p.answerOutOfDialog("203.0.113.5", "MESSAGE"));
    assertEquals(481, p.answerOutOfDialog("203.0.113.5", "BYE"), "a BYE without a dialog has none to end");
    assertEquals(481, p.answerOutOfDialog("203.0.113.5", "PRACK"));
    assertEquals(403, p.answerOutOfDialog("198.51.100.1", "OPTIONS"));
  }

  @Test
  void finalCodesMapToCallStatuses() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    assertEquals(CallStatus.BUSY, p.statusOf(486));
    assertEquals(500, p.upstreamCode(503), "a line's 503 must not tell the carrier the router is down");
    assertEquals(486, p.upstreamCode(486));
    assertEquals(CallStatus.BUSY, p.statusOf(603));
    assertEquals(CallStatus.MISSED, p.statusOf(480));
    assertEquals(CallStatus.MISSED, p.statusOf(408));
    assertEquals(CallStatus.ABANDONED, p.statusOf(487), "the caller's BYE before the answer");
    assertEquals(CallStatus.FAILED, p.statusOf(500));
    assertEquals(CallStatus.FAILED, p.statusOf(404));
    assertEquals(Duration.ofSeconds(30), p.answerTimeout());
    assertEquals(Duration.ofHours(6), p.maxCallDuration());
    assertTrue(p.hangUpUnheardAnswer());
  }

  @Test
  void refusalsThatAskForTheInviteAgainAreWaitedForAtMostWhileTheCallLingers() {
    CallPolicy p = policy(RouterLimits.DEFAULTS);
    for (int code : new int[] {401, 407, 420, 421, 422, 494}) {
      assertTrue(p.invitesRetry(code), Integer.toString(code));
      assertEquals(CallStatus.FAILED, p.statusOf(code), "recorded failed when no retry comes");
    }
    for (int code : new int[] {302, 403, 404, 486, 488, 491, 500, 503, 603}) {
      assertFalse(p.invitesRetry(code), Integer.toString(code));
    }
    assertEquals(Duration.ofSeconds(8), p.retryWait());
    assertEquals(Duration.ofSeconds(1), policy(RouterLimits.DEFAULTS.withRetryWait(Duration.ofSeconds(1))).retryWait());
    assertEquals(Duration.ofSeconds(1),
        RouterLimits.DEFAULTS.withRetryWait(Duration.ofSeconds(1)).withDrainTime(Duration.ofSeconds(5)).retryWait(),
        "kept by the other with* methods");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RouterLimits.DEFAULTS.withRetryWait(Duration.ofSeconds(9)));
    assertEquals("retryWait must be at most 8 s", e.getMessage());
  }

  @Test
  void aBucketRefillsWithTimeAndForgetsNoKey() {
    TokenBucket b = new TokenBucket(2, nanos::get);
    assertTrue(b.tryTake("a"));
    assertTrue(b.tryTake("a"));
    assertFalse(b.tryTake("a"));
    assertTrue(b.tryTake("b"), "each key has its own allowance");
    nanos.addAndGet(500_000_000L);
    assertTrue(b.tryTake("a"), "half a second gives one back");
    assertFalse(b.tryTake("a"));
    assertTrue(new TokenBucket(0, nanos::get).tryTake("a"), "rate 0: no limit");
  }

  /**
   * A spray of source addresses (spoofed datagrams, an IPv6 prefix) keeps the buckets to about one
   * second's worth of sources, and walks them at most once a second: a walk per request past the
   * threshold, which drops nothing while every bucket is younger than a second, made the spray cost
   * the square of its size on the stack's message thread.
   */
  @Test
  void aSprayOfSourcesWalksTheBucketsAtMostOnceASecond() {
    TokenBucket b = new TokenBucket(5, nanos::get);
    for (int i = 0; i < 30_000; i++) {
      b.tryTake("2001:db8::" + Integer.toHexString(i));
      nanos.addAndGet(10_000); // 30,000 sources in 0.3 s
    }
    assertEquals(0, b.prunes(), "within the first second there is nothing to drop");
    for (int second = 1; second <= 3; second++) {
      nanos.addAndGet(1_000_000_000L);
      for (int i = 0; i < 20_000; i++) {
        b.tryTake("198.51." + second + "." + i);
      }
      assertEquals(second, b.prunes(), "one walk in second " + second);
      assertTrue(b.size() <= 20_001, "only the last second's sources are kept: " + b.size());
    }
    assertFalse(b.tryTake("198.51.3.7") && b.tryTake("198.51.3.7") && b.tryTake("198.51.3.7")
        && b.tryTake("198.51.3.7") && b.tryTake("198.51.3.7"), "a kept source still has its limit");
  }
}
