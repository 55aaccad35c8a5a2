package io.calltrack.advisor;

import java.time.Instant;

/**
 * One synthetic visit, the ground truth the simulator checks attribution against.
 *
 * @param visitorId the visitor (a new one per visit, except returning callers, who come back as themselves)
 * @param arrive when the page asked for a number
 * @param leave when the visitor stopped looking (end of the session)
 * @param pageClosed when the tab closed (later than {@code leave} for tabs left open); heartbeats stop
 * @param releaseSent whether the page's release beacon arrives at {@code pageClosed}
 * @param callAt when the visitor calls the number they were shown, or null if they don't call
 * @param traits what the page and the call reveal (device, zone, caller number, taps, copies, hidden)
 */
public record Visit(String visitorId, Instant arrive, Instant leave, Instant pageClosed, boolean releaseSent,
    Instant callAt, Traits traits) {

  public Visit(String visitorId, Instant arrive, Instant leave, Instant pageClosed, boolean releaseSent,
      Instant callAt) {
    this(visitorId, arrive, leave, pageClosed, releaseSent, callAt, Traits.NONE);
  }

  /**
   * @param zone the browser's IANA time zone
   * @param caller the caller's number (E.164) if the visit calls
   * @param tapAt when the page saw a tap on the number (null: none)
   * @param copyAt when the page saw the number copied (null: none)
   * @param hiddenAt when the page reported itself hidden (null: never)
   * @param channel which channel the visit came through (0..channels-1)
   */
  public record Traits(boolean mobile, String zone, String caller, Instant tapAt, Instant copyAt, Instant hiddenAt,
      int channel) {
    public static final Traits NONE = new Traits(false, null, null, null, null, null, 0);
  }
}
