package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackSettings;
import io.calltrack.core.callback.CallbackState;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.callback.MissedCallCallbacks;
import io.calltrack.sip.testing.SipPhone;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missed calls called back ({@code callbacks.missedCalls}): a call the business line did not take
 * leaves a callback request for its caller, attributed as the call was and asked once. Real JAIN-SIP
 * phones through the router, real Redis; which calls are returned at all is checked on the records
 * themselves (an absence cannot be awaited).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MissedCallCallbacksTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;
  static RedisCallbackStore callbacks;
  static final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  SipPhone caller;
  SipPhone desk;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(List.of("127.0.0.0/8"), Duration.ofSeconds(10), registry);
    callbacks = new RedisCallbackStore(RedisAPI.api(fx.redis), Clock.systemUTC(), RedisCallbackStore.Limits.DEFAULT);
  }

  @AfterAll
  static void stopRouter() {
    if (fx != null) {
      fx.close();
    }
  }

  @BeforeEach
  void phones() {
    caller = SipPhone.start("caller");
    desk = SipPhone.start("desk");
  }

  @AfterEach
  void hangUpPhones() {
    caller.close();
    desk.close();
  }

  /** A property that calls back its missed calls, its business line the desk; its tracking number. */
  private PhoneNumber property() {
    return property(new String[1]);
  }

  /** As {@link #property()}, its id put in {@code id[0]}. */
  private PhoneNumber property(String[] id) {
    return fx.property(TestNumbers.fresh(), desk.uri("+15559990000", "udp"), p -> {
      id[0] = p.id();
      return p.withCallbacks(CallbackSettings.DEFAULT.withMissedCalls(true));
    }, router);
  }

  private String call(PhoneNumber number, String from) {
    return caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp", from, null);
  }

  /** {@code calltrack_sip_missed_call_callbacks_total{result}} so far. */
  private static double counted(String result) {
    var counter = registry.find("calltrack.sip.missed.call.callbacks").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The callback the router asked for {@code missed}, once it is in Redis. */
  private Callback awaitCallbackFor(CallRecord missed) {
    String id = Callback.missedCallIdOf(missed.property(), missed.callId());
    return Await.until(WAIT, () -> Await.result(callbacks.get(id)), Optional::isPresent).orElseThrow();
  }

  @Test
  void aCallerTheBusyLineTurnedAwayIsCalledBackOnce() {
    desk.mode = SipPhone.Mode.BUSY;
    String[] property = new String[1];
    PhoneNumber number = property(property);
    // a visit leases the number: the call is attributed to it
    Assignment visit = Await.result(new RedisPoolEngine(fx.vertx, fx.redis, fx.config, Clock.systemUTC())
        .assign(property[0], "v-missed-1", new Attribution("google", "cpc", "spring", "plumber", null, "/plumbing",
            null, null, null, null, null, null)));
    assertEquals(number, visit.number());
    String sipCallId = call(number, "+13125550141");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord missed = fx.awaitFinished(sipCallId);
    assertEquals(CallStatus.BUSY, missed.status());
    assertEquals(visit.sessionId(), missed.sessionId());

    Callback callback = awaitCallbackFor(missed);
    assertEquals("+13125550141", callback.phone());
    assertEquals(missed.callId(), callback.returnsCall());
    assertEquals(visit.sessionId(), callback.sessionId(), "attributed as the call was");
    assertEquals(CallbackState.QUEUED, callback.state(), "placed by the dialer as a lead's request is");

    // the same call offered again (its end replayed) asks for nothing more: the same callback
    PropertyConfig config = Await.result(fx.config.property(missed.property())).orElseThrow();
    Callback again = Await.result(callbacks.request(
        Callback.forMissedCall(missed.property(), "+13125550141", missed.sessionId(), missed.callId(), Instant.now()),
        null, null, RedisCallbackStore.retention(config), config.callbacks()));
    assertEquals(callback, again);
    // and the visitor's erasure finds it, as it finds the callbacks the visitor asked for
    assertEquals(List.of(callback.id()), Await.result(callbacks.eraseVisitor(property[0], "v-missed-1")).stream()
        .map(Callback::id).toList());
  }

  @Test
  void aCallerWhoGaveUpWhileTheLineRangIsCalledBack() {
    desk.mode = SipPhone.Mode.RING_FOREVER;
    String sipCallId = call(property(), "3125550142"); // a national number, as some trunks send it
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    desk.awaitRequest(Request.CANCEL, WAIT);
    CallRecord missed = fx.awaitFinished(sipCallId);
    assertEquals(CallStatus.ABANDONED, missed.status());
    assertEquals("+13125550142", awaitCallbackFor(missed).phone());
  }

  /** A caller who calls again and gets through before the callback is placed needs it no more. */
  @Test
  void aCallerWhoGetsThroughBeforeTheCallbackIsNotCalledBack() {
    desk.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = property();
    double asked = counted("asked");
    double cancelledBefore = counted("cancelled");
    String first = call(number, "+13125550144");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    Callback pending = awaitCallbackFor(fx.awaitFinished(first));
    assertEquals(CallbackState.QUEUED, pending.state());

    desk.mode = SipPhone.Mode.ANSWER;
    String again = call(number, "+13125550144");
    desk.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponseFor(again, Request.INVITE, Response.OK, WAIT);
    Callback cancelled = Await.until(WAIT, () -> Await.result(callbacks.get(pending.id())).orElseThrow(),
        c -> c.state() == CallbackState.CANCELLED);
    assertEquals(MissedCallCallbacks.CALLER_ANSWERED, cancelled.detail());
    Await.until(WAIT, () -> counted("asked") == asked + 1 && counted("cancelled") == cancelledBefore + 1);
    assertEquals(0L, Await.result(RedisAPI.api(fx.redis).zcard(
        new io.calltrack.core.callback.CallbackKeys(pending.property()).due())).toLong(), "off the schedule");
    caller.byeFor(again);
    desk.awaitRequest(Request.BYE, WAIT);
  }

  /** Which ended calls are returned: the rule on records, the router's own answer for each. */
  @Test
  void onlyMissedInboundCallsFromANumberOneMayDialAreReturned() {
    PhoneNumber number = PhoneNumber.parse("+15551230001");
    PropertyConfig returns = new PropertyConfig("shop", "shop", List.of(), List.of(number), number,
        "sip:desk@127.0.0.1", "UTC").withCallbacks(CallbackSettings.DEFAULT.withMissedCalls(true));
    MissedCallCallbacks rule = new MissedCallCallbacks(new io.calltrack.sip.callback.MissedCallStore() {
      @Override
      public Future<Callback> ask(Callback c, PropertyConfig p) {
        return Future.succeededFuture(c);
      }

      @Override
      public Future<Integer> cancel(PropertyConfig p, String phone, String why) {
        return Future.succeededFuture(0);
      }
    }, Clock.systemUTC(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    CallRecord missed = CallRecord.started("c1", "s1", number, "+13125550143", "shop", t)
        .ended(t.plusSeconds(30), CallStatus.MISSED, 408);
    assertEquals("+13125550143", rule.callbackFor(missed, returns).phone());
    assertNull(rule.callbackFor(missed, returns.withCallbacks(null)), "the property does not ask");
    assertNull(rule.callbackFor(CallRecord.started("c2", "s2", number, "+13125550143", "shop", t)
        .answered(t.plusSeconds(2), 200).ended(t.plusSeconds(60), CallStatus.ANSWERED, null), returns), "answered");
    assertNull(rule.callbackFor(CallRecord.started("c3", "s3", number, "+13125550143", "shop", t), returns),
        "still ringing");
    for (String withheld : new String[] {"anonymous", "+19005550143", "911", "desk-7"}) {
      assertNull(rule.callbackFor(missed.withCaller(withheld), returns), withheld + ": no number one may dial");
    }
    CallRecord callbackMissed = CallRecord.callback("c4", "s4", "+13125550143", "shop", t)
        .ended(t.plusSeconds(30), CallStatus.MISSED, 408);
    assertNull(rule.callbackFor(callbackMissed, returns), "a callback the lead missed is retried by its own rules");
  }
}
