package io.calltrack.sip.routing;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.sip.RouterLimits;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The routing script: everything the router decides about a call, free of SIP types, in the order a
 * call meets it. Read this file to know how calls are routed; {@code proxy.Proxy} only carries out
 * its answers (transactions, Via, Record-Route, relaying).
 */
public final class CallPolicy {

  /** Which side of a call a request comes from. */
  public enum Side { CALLER, BUSINESS_LINE }

  /** Why the router gives up a call towards the caller, and what the caller and the record are told. */
  public enum GiveUp {
    NO_ANSWER(408, "No answer", CallStatus.MISSED),
    CALLER_CANCELLED(487, null, CallStatus.ABANDONED),
    LINE_SILENT(408, "Business line did not respond", CallStatus.MISSED),
    LINE_UNREACHABLE(503, "Business line unreachable", CallStatus.FAILED);

    public final int code;
    public final String reason;
    public final CallStatus status;

    GiveUp(int code, String reason, CallStatus status) {
      this.code = code;
      this.reason = reason;
      this.status = status;
    }
  }

  /** How busy the router is: how long call work waited for a thread lately, and how many calls are in progress. */
  public interface Load {
    Duration callWorkDelay();

    int callsInProgress();
  }

  private final CallRouting routing;
  private final RouterLimits limits;
  private final Duration answerTimeout;
  private final Load load;
  private final TokenBucket perSource;
  private final TokenBucket total;
  private final int maxCalls;
  private final LongSupplier nanoTime;
  private volatile boolean draining;

  public CallPolicy(CallRouting routing, RouterLimits limits, Duration answerTimeout, Load load, LongSupplier nanoTime) {
    this.routing = routing;
    this.limits = limits;
    this.answerTimeout = answerTimeout;
    this.load = load;
    this.nanoTime = nanoTime;
    this.perSource = new TokenBucket(limits.invitesPerSecondPerSource(), nanoTime);
    this.total = new TokenBucket(limits.invitesPerSecond(), nanoTime);
    this.maxCalls = limits.maxCallsInProgress(Runtime.getRuntime().maxMemory());
  }

  // ------------------------------------------------------------ new calls

  /**
   * A new INVITE from {@code source} to {@code dialled}, with {@code maxForwards} hops left (loops are
   * the machinery's to find: they need the Via headers).
   */
  public RouteDecision admitInvite(String source, String dialled, int maxForwards) {
    if (!perSource.tryTake(source)) {
      return busy("Too many calls from your address"); // pike: a flood from one address, trunk or not
    }
    if (!routing.isTrunk(source)) {
      return new RouteDecision.Reject(403, "Forbidden: not a trunk");
    }
    if (maxForwards <= 0) {
      return new RouteDecision.Reject(483, "Too Many Hops");
    }
    if (draining) {
      return busy("Shutting down");
    }
    if (load.callWorkDelay().compareTo(limits.maxQueueDelay()) > 0) {
      return busy("Overloaded");
    }
    if (load.callsInProgress() >= maxCalls) {
      return busy("Too many calls in progress");
    }
    if (!total.tryTake(TokenBucket.ALL)) {
      return busy("Call rate limit");
    }
    return routing.route(source, dialled); // our number? to which business line?
  }

  private RouteDecision busy(String reason) {
    return new RouteDecision.Reject(503, "Service Unavailable: " + reason, limits.retryAfterSeconds());
  }

  // ------------------------------------------------------------ requests inside a call

  /**
   * CANCEL of a call being set up: only the caller's side sends it, so it must come from a trunk. (The
   * business line may CANCEL a re-INVITE it sent inside a call: that CANCEL is admitted as the line's
   * other requests there are, {@link #admitInDialog}.)
   */
  public boolean admitCancel(String source) {
    return routing.isTrunk(source);
  }

  /** Whether {@code address} is one of the trunks (requests towards the caller may go to its Contact there). */
  public boolean isTrunk(String address) {
    return routing.isTrunk(address);
  }

  /**
   * A request inside a call (ACK, BYE, re-INVITE, ...): the caller's side speaks from a trunk, the
   * business line's side from the business line's own address.
   */
  public boolean admitInDialog(Side from, String source, boolean sourceIsBusinessLine) {
    return from == Side.CALLER ? routing.isTrunk(source) : sourceIsBusinessLine;
  }

  /** Requests one side of a call may send inside it a second, past a burst of two seconds' worth. */
  static final int IN_DIALOG_PER_SECOND = 20;
  /** How long a side that spent its budget is told to wait (Retry-After). */
  public static final int IN_DIALOG_RETRY_AFTER_SECONDS = 1;

  /** A new budget for one side of a call ({@link #admitsInDialogRequest}). */
  public RequestBudget inDialogBudget() {
    return new RequestBudget(IN_DIALOG_PER_SECOND, 2 * IN_DIALOG_PER_SECOND, nanoTime.getAsLong());
  }

  /**
   * Whether a request ({@code method}) of the side whose budget is {@code budget} may go through its
   * call now: each side sends at most {@value #IN_DIALOG_PER_SECOND} a second past a burst of twice that,
   * far above what a call needs (DTMF digits as INFO, a hold, a session refresh, a transfer's NOTIFYs),
   * so neither end can make the router relay a flood to the other (as Kamailio's pike would stop it);
   * past it, 503 with Retry-After. A BYE always goes: a call must be able to end.
   */
  public boolean admitsInDialogRequest(RequestBudget budget, String method) {
    return "BYE".equals(method) || budget.tryTake(nanoTime.getAsLong());
  }

  /**
   * What a trunk may send the router, in the Allow header of its OPTIONS answers and of every 405
   * (RFC 3261 8.2.1: a 405 must carry one): new calls and their CANCEL and ACK, BYE, and OPTIONS.
   * Other requests inside a call are relayed between its two ends, whatever their method.
   */
  public static final List<String> ALLOW = List.of("INVITE", "ACK", "CANCEL", "BYE", "OPTIONS");

  /** Methods that only ever live inside a dialog: out of one, there is no dialog they could mean. */
  private static final java.util.Set<String> IN_DIALOG_ONLY = java.util.Set.of("BYE", "PRACK", "UPDATE", "INFO",
      "REFER", "NOTIFY");

  /**
   * Requests outside any call: trunks may ping with OPTIONS (200); a request that belongs in a dialog
   * has none (481, RFC 3261 12.2.2, not a 405 whose Allow names BYE); nothing else is served (405).
   */
  public int answerOutOfDialog(String source, String method) {
    if (!routing.isTrunk(source)) {
      return 403;
    }
    return "OPTIONS".equals(method) ? 200 : IN_DIALOG_ONLY.contains(method) ? 481 : 405;
  }

  /**
   * The business line's final failure as the caller is told it: as it came, but for a 503, which says
   * the router itself is out of service and makes a carrier fail every call over to another route; the
   * line's own trouble is a 500 (RFC 3261 16.7 step 6). The record keeps the line's code.
   */
  public int upstreamCode(int finalCode) {
    return finalCode == 503 ? 500 : finalCode;
  }

  // ------------------------------------------------------------ how calls end

  /** The business line's final failure, as the call's status. */
  public CallStatus statusOf(int finalCode) {
    return switch (finalCode) {
      case 486, 600, 603 -> CallStatus.BUSY;  // Busy Here, Busy Everywhere, Decline
      case 408, 480 -> CallStatus.MISSED;    // Request Timeout, Temporarily Unavailable
      // Request Terminated, not by the router's CANCEL (a given-up call takes no final code): the
      // caller's BYE before the answer did it (the caller's CANCEL is answered by the router itself)
      case 487 -> CallStatus.ABANDONED;
      default -> CallStatus.FAILED;
    };
  }

  /**
   * A final failure after which the caller sends the INVITE again, changed as the line asked: with
   * credentials (401, 407; RFC 3261 22.2), without or with an extension (420, 421; 8.1.3.5), with a
   * longer session interval (422; RFC 4028 6), with a security agreement (494; RFC 3329). The retry is
   * the same call attempt: its record waits for it while the call lingers, and is closed with this
   * code only if none comes.
   */
  public boolean invitesRetry(int finalCode) {
    return switch (finalCode) {
      case 401, 407, 420, 421, 422, 494 -> true;
      default -> false;
    };
  }

  /**
   * Whether {@code property} takes a call from {@code caller} (E.164, or {@code anonymous} for a
   * withheld or absent caller ID): not when its {@code blockedCallers} name it, then 603 Decline. The
   * trunk's caller ID is what is judged (P-Asserted-Identity, else From): trunks are the only peers.
   */
  public boolean admitsCaller(io.calltrack.core.config.PropertyConfig property, String caller) {
    return !property.blocks(caller);
  }

  /**
   * A final failure after which the call goes to the line's next target, when its DNS records give it
   * one (RFC 3263 4.3): 503, the target is out of service. Busy, declined or not found are the line's
   * answer, wherever it is served: the caller hears them.
   */
  public boolean triesNextTarget(int finalCode) {
    return finalCode == 503;
  }

  /**
   * A final failure of a line after which the call goes on to the property's next overflow line, when
   * it has one: the line is busy (486, 600), declined (603), unavailable (480), timed out (408) or
   * failed as a server (5xx). A challenge, a request the line could not take as sent or a number it
   * does not know is the caller's to hear.
   */
  public boolean overflowsOn(int finalCode) {
    return switch (finalCode) {
      case 408, 480, 486, 600, 603 -> true;
      default -> finalCode >= 500 && finalCode < 600;
    };
  }

  /**
   * How long a target of the line may send nothing at all (not even 100 Trying) before the call goes to
   * the next one (or the call to the next overflow line), when there is one: a live SIP server answers an INVITE within milliseconds, and the
   * stack's own limit (Timer B, 32 s) is past the answer timeout. Three transmissions of the INVITE over UDP.
   */
  public Duration silentTargetWait() {
    return SILENT_TARGET_WAIT;
  }

  public static final Duration SILENT_TARGET_WAIT = Duration.ofSeconds(2);

  /** How long a refused call's record waits for the caller's retry ({@link #invitesRetry}). */
  public Duration retryWait() {
    return limits.retryWait();
  }

  /** How long the business line may ring before the call is given up as missed. */
  public Duration answerTimeout() {
    return answerTimeout;
  }

  /** An answered call whose BYE never came (a peer crashed) is closed after this long. */
  public Duration maxCallDuration() {
    return limits.maxCallDuration();
  }

  /**
   * An answered call whose caller has not ACKed the answer after this long (64*T1) is ended on both
   * sides, as at {@link #maxCallDuration}: RFC 3261 13.3.1.4 has the line end it then, and a line that
   * does not would keep it, a record still answered and a slot of {@link #maxCalls}, for hours (a flood
   * of INVITEs never ACKed, from a trunk or with a trunk's forged address, would fill the cap).
   */
  public Duration ackWait() {
    return limits.ackWait();
  }

  /**
   * The business line answered where the caller will never hear it: the call was already given up
   * (the answer timeout, or the caller's CANCEL crossed the 200), or the line forked and a second
   * branch answered after the first: hang that answer up, so no phone stays off-hook for nobody.
   */
  public boolean hangUpUnheardAnswer() {
    return true;
  }

  // ------------------------------------------------------------ drain

  /** From now on new calls get 503; calls in progress go on until they end. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  public Duration drainTime() {
    return limits.drainTime();
  }

  /** Calls in progress past which new ones are refused (see {@link RouterLimits#maxCallsInProgress}). */
  public int maxCalls() {
    return maxCalls;
  }
}
