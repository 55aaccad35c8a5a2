package io.calltrack.sip.proxy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The new INVITEs the router refused lately, each with its answer, so that the caller's retransmissions
 * of one get the same answer instead of being judged again. A refusal goes without a transaction
 * (statelessly, as Kamailio's {@code sl_send_reply}), so the stack does not absorb those
 * retransmissions: they reach the proxy as new INVITEs. Judged again, one refused 503 while the router
 * was overloaded (a cold start) was routed a moment later as a new call; its caller had taken the 503
 * and gone, so the line answered, the call stayed up with no one to end it, and the line's 2xx went
 * unacknowledged (at a cold start into 1,000 calls/s on a 2-vCPU VM, 1,187 such calls in 6 s).
 *
 * <p>Kept for Timer B (64*T1, 32 s: as long as a caller sends an INVITE again), in a fixed number of
 * slots by Call-ID: a flood of refused INVITEs overwrites older refusals (their retransmissions are then
 * judged again, as before) and never grows the heap.
 */
final class RefusedInvites {
  static final long KEPT_NANOS = TimeUnit.SECONDS.toNanos(32);

  /** One refused INVITE, by its Call-ID and top-Via branch, and the answer it got. */
  record Refusal(String callId, String branch, int code, String reason, Integer retryAfterSeconds, long atNanos) {}

  private final AtomicReferenceArray<Refusal> slots;
  private final LongSupplier nanoTime;

  /** {@code slots}: a power of two. */
  RefusedInvites(int slots, LongSupplier nanoTime) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.slots = new AtomicReferenceArray<>(slots);
    this.nanoTime = nanoTime;
  }

  /** Remembers that the INVITE with this Call-ID and top-Via branch got this answer. */
  void refused(String callId, String branch, int code, String reason, Integer retryAfterSeconds) {
    if (callId == null || branch == null) {
      return; // nothing to know its retransmissions by
    }
    slots.set(slot(callId), new Refusal(callId, branch, code, reason, retryAfterSeconds, nanoTime.getAsLong()));
  }

  /**
   * The answer an INVITE with this Call-ID and top-Via branch got in the last 32 s, or null. The branch
   * is read only when a refusal has the Call-ID: every new INVITE asks, and few were refused.
   */
  Refusal answerOf(String callId, Supplier<String> branch) {
    if (callId == null) {
      return null;
    }
    Refusal r = slots.get(slot(callId));
    return r != null && r.callId.equals(callId) && nanoTime.getAsLong() - r.atNanos < KEPT_NANOS
        && r.branch.equalsIgnoreCase(branch.get()) ? r : null;
  }

  private int slot(String callId) {
    int h = callId.hashCode();
    return (h ^ (h >>> 16)) & (slots.length() - 1);
  }
}
