package io.calltrack.dni.assign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.attribution.Attribution;
import org.junit.jupiter.api.Test;

/** Pure logic: how the landing page and referrer are taken from the page the snippet runs on. */
class AssignRequestTest {
  @Test
  void pageFillsWhatTheAttributionLeavesOpen() {
    var page = new AssignRequest.Page("https://s.example/landing?utm_source=google", "https://google.com/");
    Attribution a = new AssignRequest("p", null, page,
        new Attribution("google", "cpc", null, null, null, null, null, null, null, null, null, null), null)
        .visitAttribution();
    assertEquals("/landing?utm_source=google", a.landingPage());
    assertEquals("https://google.com/", a.referrer());
    assertEquals("google", a.source());

    Attribution given = new AssignRequest("p", null, page,
        new Attribution(null, null, null, null, null, "/given", "https://ref.example/", null, null, null, null, null), null)
        .visitAttribution();
    assertEquals("/given", given.landingPage(), "the snippet's own landing page wins");
    assertEquals("https://ref.example/", given.referrer());

    assertEquals(Attribution.UNKNOWN, new AssignRequest("p", null, null, null, null).visitAttribution());
  }
}
