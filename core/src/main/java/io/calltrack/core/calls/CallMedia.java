package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the router learnt of a call's audio through the media relay (rtpengine), written once the call
 * is over (docs/metrics.md, "Conversation"). Seconds are measured on the recording, not the SIP timers.
 *
 * @param anchored          the call's media went through the relay (false: the relay did not answer, the
 *                          media flowed end to end and nothing could be recorded or measured)
 * @param recorded          the property asked for recording and a recording was made
 * @param recording         the recording's file name in the recordings folder (served by {@code GET
 *                          /v1/calls/{callId}/recording}); null when none, or when it was erased
 * @param recordingSeconds  length of the recording, first to last packet
 * @param callerTalkSeconds time the caller's side carried speech
 * @param lineTalkSeconds   time the business line's side carried speech
 * @param deadAirShare      share (0..1) of the recording in which both sides were silent
 * @param holdSeconds       time in stretches of at least 15 s where one side was silent while the other
 *                          carried sound (hold music)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallMedia(
    boolean anchored,
    boolean recorded,
    String recording,
    Double recordingSeconds,
    Double callerTalkSeconds,
    Double lineTalkSeconds,
    Double deadAirShare,
    Double holdSeconds) {

  /** The relay did not take the call: media end to end, nothing recorded. */
  public static CallMedia notAnchored() {
    return new CallMedia(false, false, null, null, null, null, null, null);
  }

  /** Relayed but not recorded (the property does not record, or the recording could not be read). */
  public static CallMedia anchoredOnly() {
    return new CallMedia(true, false, null, null, null, null, null, null);
  }

  /** The same measures without the recording itself (erased: the file goes with the next sweep). */
  public CallMedia withoutRecording() {
    return new CallMedia(anchored, recorded, null, recordingSeconds, callerTalkSeconds, lineTalkSeconds,
        deadAirShare, holdSeconds);
  }
}
