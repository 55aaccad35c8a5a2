package io.calltrack.sip;

import io.calltrack.core.calls.CallStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The router's meters: {@code calltrack_sip_calls_total{status}} (each call counted once, when it
 * ends), {@code calltrack_sip_active_calls}, {@code calltrack_sip_post_dial_delay_seconds} (INVITE in →
 * first 18x out), {@code calltrack_sip_spool_depth} (call events waiting on disk for Redis) and
 * {@code calltrack_sip_unheard_answers_total{why}} (answers the router hung up itself).
 */
public final class RouterMetrics {
  private final Map<CallStatus, Counter> calls = new EnumMap<>(CallStatus.class);
  private final AtomicInteger active = new AtomicInteger();
  private final Timer postDialDelay;
  private final Counter rejected;
  private final Counter lateAnswers;
  private final Counter secondAnswers;
  private final Counter leftTargetAnswers;
  private final Counter lineFailovers;
  private final Counter overflows;
  private final Counter afterHoursCalls;
  private final Counter blockedCalls;
  private final MeterRegistry registry;

  public RouterMetrics(MeterRegistry registry, IntSupplier spoolDepth) {
    this.registry = registry;
    for (CallStatus s : CallStatus.values()) {
      if (s != CallStatus.RINGING) {
        calls.put(s, Counter.builder("calltrack.sip.calls").tag("status", s.json())
            .description("Calls by how they ended").register(registry));
      }
    }
    // strong references: Micrometer holds gauge state weakly, and a lambda has no other owner
    Gauge.builder("calltrack.sip.active.calls", active, AtomicInteger::get).strongReference(true)
        .description("Calls being set up or in progress").register(registry);
    postDialDelay = Timer.builder("calltrack.sip.post.dial.delay")
        .description("INVITE received to first 18x relayed").publishPercentileHistogram()
        .register(registry);
    Gauge.builder("calltrack.sip.spool.depth", spoolDepth, s -> s.getAsInt()).strongReference(true)
        .description("Call events kept on disk until Redis takes them").register(registry);
    rejected = Counter.builder("calltrack.sip.rejected")
        .description("INVITEs refused (untrusted source, unknown number, loops)").register(registry);
    lateAnswers = unheard(registry, "late");
    secondAnswers = unheard(registry, "second_branch");
    leftTargetAnswers = unheard(registry, "left_target");
    lineFailovers = Counter.builder("calltrack.sip.line.failovers")
        .description("Calls sent on to the next of their business line's targets (DNS SRV records, addresses): the"
            + " last one was unreachable, sent nothing, or answered 503").register(registry);
    overflows = Counter.builder("calltrack.sip.overflows")
        .description("Calls sent on to their property's next overflow line: the line before was busy, unavailable,"
            + " unanswered for the overflow's ring time, or none of its targets answered").register(registry);
    afterHoursCalls = Counter.builder("calltrack.sip.after.hours.calls")
        .description("Calls that started while their property was closed (its afterHours.hours), sent to its"
            + " after-hours line").register(registry);
    blockedCalls = Counter.builder("calltrack.sip.blocked.calls")
        .description("Calls refused (603 Decline) because their property blocks the caller (its blockedCallers)")
        .register(registry);
  }

  private static Counter unheard(MeterRegistry registry, String why) {
    return Counter.builder("calltrack.sip.unheard.answers").tag("why", why)
        .description("Answers from the business line the router hung up itself: late (the call was given up), "
            + "second_branch (a forking line answered twice), left_target (a target the call had left for the next)")
        .register(registry);
  }

  /** {@code calltrack_sip_max_calls}: the calls in progress past which new ones get 503 (utilization: active / max). */
  public void maxCalls(int max) {
    Gauge.builder("calltrack.sip.max.calls", () -> max).strongReference(true)
        .description("Calls in progress past which new calls are refused").register(registry);
  }

  public void callStarted() {
    active.incrementAndGet();
  }

  public void callEnded(CallStatus status) {
    active.decrementAndGet();
    count(status);
  }

  /**
   * A call over for the caller whose count waits, as its record does, for the caller's retry (the line
   * challenged it): the retry's end counts the call, or {@link #count} if none comes. One call, once.
   */
  public void callAwaitingRetry() {
    active.decrementAndGet();
  }

  public void count(CallStatus status) {
    Counter c = calls.get(status);
    if (c != null) {
      c.increment();
    }
  }

  public void postDialDelay(Duration d) {
    postDialDelay.record(d);
  }

  public void rejected() {
    rejected.increment();
  }

  /** A call went to the next of its business line's targets: the last one was unreachable, silent or out of service. */
  public void lineFailover() {
    lineFailovers.increment();
  }

  /** A call refused: its property blocks the caller. */
  public void blockedCall() {
    blockedCalls.increment();
  }

  /** A call started while its property was closed: it goes to the after-hours line. */
  public void afterHoursCall() {
    afterHoursCalls.increment();
  }

  /** A call went on to its property's next overflow line. */
  public void overflow() {
    overflows.increment();
  }

  /** The router hung up an answer the caller never heard: late, or a forking line's second ({@code late} false). */
  public void unheardAnswer(boolean late) {
    (late ? lateAnswers : secondAnswers).increment();
  }

  /** The router hung up an answer from a target of the business line the call had left for the next. */
  public void unheardAnswerOfLeftTarget() {
    leftTargetAnswers.increment();
  }
}
