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
 * @param recordingAsked    the property asked for the call to be recorded, whether or not it was (the
 *                          relay did not answer, or wrote no readable recording); null in records written
 *                          before this was kept, where {@code recorded} alone says it was asked
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
    Double holdSeconds,
    Boolean recordingAsked) {
  /** What {@code recording} may be: {@code <callId>.wav} in the recordings folder, never a path. */
  public static final java.util.regex.Pattern RECORDING_FILE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,200}\\.wav");

  /** The recording's file name when it is one a reader may open in the recordings folder, else null. */
  public String recordingFile() {
    return recording != null && RECORDING_FILE.matcher(recording).matches() ? recording : null;
  }


  /** A recording with its measures (the property asked for it). */
  public CallMedia(boolean anchored, boolean recorded, String recording, Double recordingSeconds,
      Double callerTalkSeconds, Double lineTalkSeconds, Double deadAirShare, Double holdSeconds) {
    this(anchored, recorded, recording, recordingSeconds, callerTalkSeconds, lineTalkSeconds, deadAirShare,
        holdSeconds, recorded ? Boolean.TRUE : null);
  }

  /** The relay did not take the call: media end to end, nothing recorded. */
  public static CallMedia notAnchored() {
    return notAnchored(false);
  }

  /** The relay did not take the call, whose property asked for a recording ({@code recordingAsked}) or not. */
  public static CallMedia notAnchored(boolean recordingAsked) {
    return new CallMedia(false, false, null, null, null, null, null, null, recordingAsked);
  }

  /** Relayed, and not recorded: the property does not record. */
  public static CallMedia anchoredOnly() {
    return new CallMedia(true, false, null, null, null, null, null, null, false);
  }

  /** Relayed, the property asked for a recording, and none could be made or read. */
  public static CallMedia recordingLost() {
    return new CallMedia(true, false, null, null, null, null, null, null, true);
  }

  /** Whether the property asked for this call's recording (records written before {@code recordingAsked}: if one was made). */
  public boolean recordingWasAsked() {
    return recorded || Boolean.TRUE.equals(recordingAsked);
  }

  /** The same measures without the recording itself (erased: the file goes with the next sweep). */
  public CallMedia withoutRecording() {
    return new CallMedia(anchored, recorded, null, recordingSeconds, callerTalkSeconds, lineTalkSeconds,
        deadAirShare, holdSeconds, recordingAsked);
  }
}
