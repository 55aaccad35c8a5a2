package io.calltrack.core.calls;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.LandingPage;

/**
 * What an erasure took out of one call's record. It is kept with the record (the call hash's
 * {@code erased} field) because the router writes the whole record again at each of the call's later
 * events, from what it knew at the call's start: a call still ringing when its caller or visitor was
 * erased would otherwise get the number, the click ids or the recording back at its answer, its end
 * or its recording's arrival. {@link RedisCallStore} applies it to every later event's record.
 *
 * @param callerToken the token that stands for the caller's number from now on; null: the caller stays
 * @param recording the recording goes (the caller's voice)
 * @param clickIds the visit's click ids and referrer go, and the click ids in the landing page
 */
public record CallErasure(String callerToken, boolean recording, boolean clickIds) {

  /** A caller's erasure: the number becomes {@code token}, the recording goes. */
  public static CallErasure caller(String token) {
    return new CallErasure(token, true, false);
  }

  /** The caller's number replaced by {@code token} (its retention ran out, a lead's number). */
  public static CallErasure callerNumber(String token) {
    return new CallErasure(token, false, false);
  }

  /** A visitor's erasure of a call attributed to one of its visits. */
  public static final CallErasure CLICK_IDS = new CallErasure(null, false, true);

  /** Both erasures: the first token given stands (the record already carries it). */
  public CallErasure and(CallErasure other) {
    if (other == null) {
      return this;
    }
    return new CallErasure(callerToken != null ? callerToken : other.callerToken,
        recording || other.recording, clickIds || other.clickIds);
  }

  /** {@code r} without what this erasure took out (its outcome left as it is). */
  public CallRecord applyTo(CallRecord r) {
    CallRecord out = r;
    if (callerToken != null && r.caller() != null && !callerToken.equals(r.caller())) {
      out = r.withCaller(callerToken);
    }
    if (recording && out.media() != null && out.media().recording() != null) {
      out = out.withMedia(out.media().withoutRecording());
    }
    Attribution a = out.attribution();
    if (clickIds && a != null) {
      Attribution scrubbed = new Attribution(a.source(), a.medium(), a.campaign(), a.keyword(), a.content(),
          LandingPage.withoutClickIds(a.landingPage()), null, null, null, null, null, null, a.adGroup(), a.ad(),
          null, a.region(), a.journey()); // the journey holds channels and times only
      out = out.withAttribution(out.resolution(), out.sessionId(), scrubbed, out.candidates());
    }
    return out;
  }
}
