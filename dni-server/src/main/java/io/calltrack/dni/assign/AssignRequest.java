package io.calltrack.dni.assign;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.LandingPage;
import io.calltrack.core.config.Ids;
import io.calltrack.core.region.Regions;
import java.util.Map;

/**
 * The body of {@code POST /v1/assign}: {@code {property, visitorId?, sessionId?, page: {url, referrer},
 * attribution?: {source, medium, campaign, keyword, content, landingPage?, referrer?, gclid, ...},
 * region?, timeZone?}}: {@code region} is the site's region of the visit ({@code data-region},
 * {@code calltrack.region(...)}); {@code timeZone} the browser's IANA zone, mapped to a region by the
 * property's {@code timeZoneRegions} when the site names none, and kept on the session as evidence for
 * attribution (an unreadable zone is ignored); {@code sessionId} the session the snippet was last given,
 * a hint the engine checks (see {@code PoolEngine#assign}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssignRequest(String property, String visitorId, String sessionId, Page page, Attribution attribution,
    String region, String timeZone) {
  /** Without region and time zone. */
  public AssignRequest(String property, String visitorId, Page page, Attribution attribution) {
    this(property, visitorId, null, page, attribution, null, null);
  }

  /** Without region. */
  public AssignRequest(String property, String visitorId, Page page, Attribution attribution, String timeZone) {
    this(property, visitorId, null, page, attribution, null, timeZone);
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Page(String url, String referrer) {}

  public AssignRequest {
    Ids.require("property", property);
    if (visitorId != null && visitorId.isBlank()) {
      visitorId = null;
    }
    if (visitorId != null) {
      Ids.requireVisitor(visitorId); // they end up in Redis keys: kept short and plain
    }
    // a hint only (the engine checks it against the visitor's live session): one it cannot use is dropped
    sessionId = sessionId == null || sessionId.isBlank() || sessionId.length() > 128 ? null : sessionId;
    attribution = attribution == null ? Attribution.UNKNOWN : attribution;
    region = region == null || region.isBlank() ? null : region.strip();
    if (region != null && region.length() > Attribution.MAX_REGION_LENGTH) {
      throw new CalltrackException.Invalid("region is at most " + Attribution.MAX_REGION_LENGTH + " characters");
    }
    // a zone we cannot read is ignored, not refused: browsers differ, and the visit still gets a number
    timeZone = timeZone == null || timeZone.isBlank() || timeZone.length() > 64 ? null : timeZone.strip();
  }

  /** {@link #visitAttribution()} in the visit's region (the site's, else its time zone's, else none). */
  public Attribution visitAttribution(Map<String, String> timeZoneRegions) {
    return visitAttribution().withRegion(Regions.ofVisit(region, timeZone, timeZoneRegions));
  }

  /**
   * The visit's attribution: what the snippet sent, with the landing page (path and query of
   * {@code page.url}) and referrer ({@code page.referrer}) filled in where the snippet gave none.
   */
  public Attribution visitAttribution() {
    if (page == null) {
      return attribution;
    }
    return attribution.withPage(LandingPage.pathAndQuery(page.url()), page.referrer());
  }
}
