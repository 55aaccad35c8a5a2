package io.calltrack.core.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LandingPageTest {
  @Test
  void aPageIsItsPathAndQuery() {
    assertEquals("/a/b?utm_source=x", LandingPage.pathAndQuery("https://site.example/a/b?utm_source=x#top"));
    assertEquals("/", LandingPage.pathAndQuery("https://site.example"));
    assertEquals("/?gclid=1", LandingPage.pathAndQuery("https://site.example?gclid=1"));
    assertEquals("/x", LandingPage.pathAndQuery("http://site.example:8080/x"));
    assertEquals("/only/path", LandingPage.pathAndQuery("/only/path"));
    assertEquals("/bad%zz/ü?q=a b", LandingPage.pathAndQuery("https://s.example/bad%zz/ü?q=a b"), "lenient");
    assertNull(LandingPage.pathAndQuery(" "));
    assertNull(LandingPage.pathAndQuery(null));
  }

  @Test
  void theParametersOfAClickAreNotPartOfThePage() {
    assertEquals("/boilers", LandingPage.forReports("/boilers?utm_source=google&utm_medium=cpc&gclid=CjTEST1"));
    assertEquals("/boilers", LandingPage.forReports("/boilers?GCLID=x&fbclid=y&msclkid=z&hsa_cam=1&_gl=1*abc#top"));
    assertEquals("/", LandingPage.forReports("/?utm_campaign=spring"));
    assertEquals("/", LandingPage.forReports("?gclid=x"));
  }

  /** What an erased visit keeps: the page and its campaign, not the ids of one person's click. */
  @Test
  void withoutClickIdsKeepsThePageAndItsCampaign() {
    assertEquals("/boilers?utm_source=google&page=2",
        LandingPage.withoutClickIds("/boilers?GCLID=x&utm_source=google&fbclid=y&page=2&_gl=1*abc"));
    assertEquals("/boilers", LandingPage.withoutClickIds("/boilers?msclkid=z"));
    assertEquals("/", LandingPage.withoutClickIds("?gclid=x"));
    assertEquals("/boilers", LandingPage.withoutClickIds("/boilers"));
    assertNull(LandingPage.withoutClickIds(null));
  }

  @Test
  void parametersThatChooseThePageStayInTheirOrder() {
    assertEquals("/index.php?page=boilers&lang=en",
        LandingPage.forReports("/index.php?utm_source=bing&page=boilers&gclid=x&lang=en"));
    assertEquals("/search?q=boiler+repair&utmost=1", LandingPage.forReports("/search?q=boiler+repair&utmost=1"));
  }

  @Test
  void aWholeUrlBecomesItsPathAndQuery() {
    assertEquals("/boilers", LandingPage.forReports("https://shop.example/boilers?utm_source=x"));
    assertEquals("/", LandingPage.forReports("https://shop.example"));
    assertEquals("/?page=2", LandingPage.forReports("https://shop.example?page=2&gclid=x"));
  }

  @Test
  void itIsIdempotentAndKeepsNull() {
    String once = LandingPage.forReports("/a/b?x=1&utm_term=plumber&y=&z");
    assertEquals("/a/b?x=1&y=&z", once);
    assertEquals(once, LandingPage.forReports(once));
    assertNull(LandingPage.forReports(null));
    assertEquals("/", LandingPage.forReports(""));
  }
}
