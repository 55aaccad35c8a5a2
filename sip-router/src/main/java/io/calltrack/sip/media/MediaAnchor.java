package io.calltrack.sip.media;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.nio.file.Path;

/**
 * Media anchoring through rtpengine (its {@code ng} protocol, {@link NgClient}): each call's SDP offer
 * and answer go through rtpengine, which relays the call's RTP and, for properties that record, records
 * it. One {@link MediaLeg} per call does the offer/answer/delete of that call.
 *
 * <p>Without a relay configured ({@link #OFF}), calls keep their SDP as sent, media end to end. When the
 * relay does not answer, the call goes on unanchored too (its SDP untouched) and
 * {@code calltrack_sip_media_relay_unanswered_total} counts it: the relay is never a reason to drop a call.
 */
public final class MediaAnchor {
  /** No relay: every call's media goes end to end. */
  public static final MediaAnchor OFF = new MediaAnchor(null, null, null);

  private final NgClient ng;
  private final Counter unanswered;
  private final Counter anchored;

  public MediaAnchor(NgClient ng, MeterRegistry registry) {
    this(ng, Counter.builder("calltrack.sip.media.relay.unanswered")
            .description("Calls whose media went end to end because rtpengine did not answer").register(registry),
        Counter.builder("calltrack.sip.media.relay.anchored")
            .description("Calls whose media went through rtpengine").register(registry));
  }

  private MediaAnchor(NgClient ng, Counter unanswered, Counter anchored) {
    this.ng = ng;
    this.unanswered = unanswered;
    this.anchored = anchored;
  }

  public boolean enabled() {
    return ng != null;
  }

  /**
   * The media of one call; {@code record}: its property records calls; {@code callExecutor}: the
   * call's serial executor, where the leg's work and its Futures' completions run.
   */
  public MediaLeg leg(String sipCallId, String callerTag, boolean record, java.util.concurrent.Executor callExecutor) {
    return new MediaLeg(this, sipCallId, callerTag, record, callExecutor);
  }

  Future<java.util.Map<String, Object>> request(java.util.Map<String, Object> command) {
    return ng.request(command);
  }

  void countUnanswered() {
    unanswered.increment();
  }

  void countAnchored() {
    anchored.increment();
  }

  /**
   * What became of a call's media once it ended: whether it was relayed, and where rtpengine wrote its
   * recording; {@code callerPort} / {@code linePort} are rtpengine's ports that the caller and the
   * business line sent to (they tell the two sides apart in the recording).
   */
  public record Outcome(boolean anchored, boolean recordAsked, Path pcap, int callerPort, int linePort) {
    public static final Outcome NOT_ANCHORED = new Outcome(false, false, null, -1, -1);
  }
}
