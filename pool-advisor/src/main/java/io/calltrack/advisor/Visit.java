package io.calltrack.advisor;

import java.time.Instant;

/**
 * One synthetic visit, the ground truth the simulator checks attribution against.
 *
 * @param visitorId the visitor (unique per visit: every simulated visit is a new visitor)
 * @param arrive when the page asked for a number
 * @param leave when the visitor stopped looking (end of the session)
 * @param pageClosed when the tab closed (later than {@code leave} for tabs left open); heartbeats stop
 * @param releaseSent whether the page's release beacon arrives at {@code pageClosed}
 * @param callAt when the visitor calls the number they were shown, or null if they don't call
 */
public record Visit(String visitorId, Instant arrive, Instant leave, Instant pageClosed, boolean releaseSent,
    Instant callAt) {}
