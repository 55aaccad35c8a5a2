package io.calltrack.advisor;

/**
 * What the page and the call tell the engine about who called, as the simulator draws it. Every
 * default is an assumption with a source or a reason in {@code pool-advisor/README.md} ("The evidence
 * model"); a site that knows its own shares should set them.
 *
 * @param mobileShare share of visits from phones
 * @param tapShare share of phone visitors who call during their visit by tapping the number / tel: link
 *     (the rest dial by hand, from another phone, or later)
 * @param falseTapShare share of phone visits that tap the number and do not call (cancelled dialer)
 * @param copyShare share of desktop callers who copy the number before calling (softphone, phone link)
 * @param falseCopyShare share of non-calling visits that copy the number
 * @param hiddenShare share of tabs left open whose page reports itself hidden when the visitor leaves
 *     (switched tab, app or screen off)
 * @param localShare share of visitors in the site's own time zone; the rest spread over the US zones by
 *     population
 * @param callerZoneMatchShare share of callers whose phone number's area code lies in the time zone
 *     their browser reports (the rest kept a number from elsewhere)
 * @param returningCallerShare share of calling visits made by a visitor who called before (same browser,
 *     same phone), within the simulated days
 * @param channels visits spread evenly over this many channels (source/medium/campaign)
 */
public record EvidenceParams(
    double mobileShare,
    double tapShare,
    double falseTapShare,
    double copyShare,
    double falseCopyShare,
    double hiddenShare,
    double localShare,
    double callerZoneMatchShare,
    double returningCallerShare,
    int channels) {

  public EvidenceParams {
    for (double v : new double[] {mobileShare, tapShare, falseTapShare, copyShare, falseCopyShare, hiddenShare,
        localShare, callerZoneMatchShare, returningCallerShare}) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("evidence shares must be between 0 and 1");
      }
    }
    if (channels < 1 || channels > 100) {
      throw new IllegalArgumentException("channels must be between 1 and 100");
    }
  }

  public static EvidenceParams defaults() {
    return new EvidenceParams(0.6, 0.7, 0.01, 0.15, 0.005, 0.7, 0.6, 0.85, 0.15, 4);
  }
}
