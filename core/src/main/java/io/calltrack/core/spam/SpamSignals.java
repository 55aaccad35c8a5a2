package io.calltrack.core.spam;

import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a call looks like spam: the one place that says so. A call is suspected when any signal holds;
 * it is only marked, never refused (a real customer refused costs more than a robocall taken; a
 * property refuses numbers it names in {@code blockedCallers}). How well the signals do is measured
 * against what the business says of its calls ({@code disposition} {@code spam}): the reports'
 * {@code spamDetectionPrecision}, {@code spamDetectionRecall} and {@code spamDetectionAccuracy}.
 *
 * <ul>
 *   <li>{@value #FAILED_VERIFICATION}: the trunk's STIR/SHAKEN verification of the caller's number
 *       failed ({@code verstat=TN-Validation-Failed}): the number is spoofed.
 *   <li>{@value #INVALID_CALLER_ID}: the caller's number is no phone number (not E.164 once read in the
 *       tracking number's country: too short, letters, a national form that is no number). A withheld
 *       number ({@code anonymous}) is not one: many customers withhold theirs.
 *   <li>{@value #CALLER_ID_IS_THE_NUMBER}: the caller's number is the tracking number itself, the
 *       spoofing robodialers use to look local.
 *   <li>{@value #DIALER_SWEEP}: the caller had dialled {@value #SWEEP_NUMBERS} or more different tracking
 *       numbers through the router within 10 minutes, this one included (robodialers walk blocks of
 *       numbers; a customer looking for one business does not).
 *   <li>{@value #SILENT_CALLER}: an answered call of at least {@value #SILENT_MIN_SECONDS} s recorded in
 *       which the caller never spoke (an autodialer waiting for a human, or a dead line).
 * </ul>
 */
public final class SpamSignals {
  public static final String FAILED_VERIFICATION = "failed-caller-id-verification";
  public static final String INVALID_CALLER_ID = "invalid-caller-id";
  public static final String CALLER_ID_IS_THE_NUMBER = "caller-id-is-the-tracking-number";
  public static final String DIALER_SWEEP = "dialer-sweep";
  public static final String SILENT_CALLER = "silent-caller";
  /** Different tracking numbers a caller rings within 10 minutes that make a sweep. */
  public static final int SWEEP_NUMBERS = 3;
  /** Shortest recording in which a caller's silence says anything (a caller may listen to a greeting). */
  public static final int SILENT_MIN_SECONDS = 15;
  /** Caller talk below this, in seconds, is silence (noise the voice detection took for speech). */
  static final double SILENCE_SECONDS = 0.5;

  private SpamSignals() {}

  /** The signals {@code call} shows, in the order above; empty when it shows none. */
  public static List<String> of(CallRecord call) {
    List<String> signals = null;
    if (CallRecord.VERIFICATION_FAILED.equals(call.callerVerification())) {
      signals = add(signals, FAILED_VERIFICATION);
    }
    String caller = call.caller();
    if (CallRecord.INBOUND.equals(call.direction()) && caller != null && !"anonymous".equals(caller)) {
      if (!isPhoneNumber(caller)) {
        signals = add(signals, INVALID_CALLER_ID);
      } else if (call.number() != null && caller.equals(call.number().e164())) {
        signals = add(signals, CALLER_ID_IS_THE_NUMBER);
      }
    }
    if (call.callerSweep() != null && call.callerSweep() >= SWEEP_NUMBERS) {
      signals = add(signals, DIALER_SWEEP);
    }
    if (silentCaller(call)) {
      signals = add(signals, SILENT_CALLER);
    }
    return signals == null ? List.of() : signals;
  }

  public static boolean suspected(CallRecord call) {
    return !of(call).isEmpty();
  }

  private static boolean silentCaller(CallRecord call) {
    CallMedia m = call.media();
    return call.status() == CallStatus.ANSWERED && m != null && m.recorded() && m.recordingSeconds() != null
        && m.recordingSeconds() >= SILENT_MIN_SECONDS && m.callerTalkSeconds() != null
        && m.callerTalkSeconds() < SILENCE_SECONDS;
  }

  /**
   * The router records a caller it could read as a number ({@link PhoneNumber#fromDialled}) in E.164,
   * else what the trunk sent as it was: E.164's shape is the test, no parse (every record written is
   * judged). An erased caller is a token ({@code erased:...}): nothing to judge, nothing held against it.
   */
  private static boolean isPhoneNumber(String caller) {
    if (caller.startsWith("erased:")) {
      return true;
    }
    int n = caller.length();
    if (n < 8 || n > 16 || caller.charAt(0) != '+' || caller.charAt(1) == '0') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      if (caller.charAt(i) < '0' || caller.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static List<String> add(List<String> signals, String signal) {
    List<String> out = signals == null ? new ArrayList<>(2) : signals;
    out.add(signal);
    return out;
  }
}
