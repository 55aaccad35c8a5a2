package io.calltrack.core.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PoolConfig.Match;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.PoolSelectorAccess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionsTest {
  @Test
  void aNumbersRegionAndAreaCodeComeFromTheNumber() {
    assertEquals(new Regions.Place("Chicago, IL", "312"), Regions.of(PhoneNumber.parse("+13125550123")));
    assertEquals(new Regions.Place("Massachusetts", "617"), Regions.of(PhoneNumber.parse("+16175550123")));
    assertEquals("London", Regions.of(PhoneNumber.parse("+442079460000")).region());
  }

  @Test
  void regionNamesCompareWithoutCaseAndCityMatchesCityAndState() {
    assertTrue(Regions.same("chicago", "Chicago, IL"));
    assertTrue(Regions.same("Chicago, IL", "CHICAGO, il"));
    assertFalse(Regions.same("Chicago", "Boston, MA"));
    assertFalse(Regions.same(null, "Boston"));
  }

  @Test
  void theVisitsRegionIsTheSitesElseItsTimeZonesElseNone() {
    Map<String, String> zones = Map.of("America/Chicago", "Chicago");
    assertEquals("Boston", Regions.ofVisit("Boston", "America/Chicago", zones));
    assertEquals("Chicago", Regions.ofVisit(null, "America/Chicago", zones));
    assertNull(Regions.ofVisit(" ", "Europe/Paris", zones));
  }

  @Test
  void theMostSpecificPoolWinsOnAnyAttributionFieldAndRegion() {
    PoolConfig general = pool("a-general", Match.ANY);
    PoolConfig chicago = pool("b-chicago", new Match(null, null, null, null, null, null, "Chicago, IL"));
    PoolConfig googleChicago = pool("c-google-chicago", new Match("google", null, null, null, null, null, "chicago"));
    PoolConfig drains = pool("d-drains", new Match(null, null, "spring", null, "google.com", "/plumbing/", null));
    PoolConfig keyword = pool("e-keyword", new Match(null, null, null, "Emergency Plumber", null, null, null));
    List<PoolConfig> pools = List.of(general, chicago, googleChicago, drains, keyword);

    assertEquals("a-general", choose(pools, visit(null, null, null, null, null, null)));
    assertEquals("a-general", choose(pools, visit(null, null, null, null, null, "Boston")));
    assertEquals("b-chicago", choose(pools, visit(null, null, null, null, null, "Chicago")));
    assertEquals("c-google-chicago", choose(pools, visit("Google", null, null, null, null, "Chicago")));
    assertEquals("d-drains", choose(pools, visit(null, "spring", null,
        "https://www.google.com/search?q=x", "/plumbing/drains?utm_source=x", null)));
    // a landing page outside the prefix, or another referrer, does not match
    assertEquals("a-general", choose(pools, visit(null, "spring", null, "https://bing.com/", "/plumbing/drains", null)));
    assertEquals("a-general", choose(pools, visit(null, "spring", null, "https://google.com/", "/heating", null)));
    assertEquals("e-keyword", choose(pools, visit(null, null, "emergency plumber", null, null, null)));
    // without a general pool, a visit no pool matches has none
    assertEquals(null, choose(List.of(chicago), visit(null, null, null, null, null, "Boston")));
  }

  private static String choose(List<PoolConfig> pools, Attribution a) {
    return PoolSelectorAccess.choose(pools, a).map(PoolConfig::id).orElse(null);
  }

  private static Attribution visit(String source, String campaign, String keyword, String referrer,
      String landingPage, String region) {
    return new Attribution(source, null, campaign, keyword, null, landingPage, referrer, null, null, null, null,
        null).withRegion(region);
  }

  private static PoolConfig pool(String id, Match m) {
    return new PoolConfig(id, "p", List.of(PhoneNumber.parse("+15550100001")), null, null, null, m);
  }
}
