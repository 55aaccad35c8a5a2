package io.calltrack.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which business lines a property may have, and which an API key may set (see {@link BusinessLines}). */
class BusinessLinesTest {

  @Test
  void aLineMayNotRingAPremiumRateSharedCostOrEmergencyNumber() {
    for (String[] bad : List.of(
        new String[] {"sip:+19005550123@trunk.example.com", "premium-rate"},     // US 900
        new String[] {"sip:+449098790000@trunk.example.com", "premium-rate"},   // UK 09
        new String[] {"sip:0908.799.0000@trunk.example.com;user=phone", "premium-rate"},
        new String[] {"sip:911@pbx.example.com", "emergency"},
        new String[] {"sip:+33112@trunk.example.com", "emergency"},
        new String[] {"sips:999@trunk.example.com", "emergency"})) {
      String region = bad[0].contains("0908") || bad[0].contains("999") ? "GB" : "US";
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
          () -> BusinessLines.requireCallableNumber(bad[0], region), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]) && e.getMessage().contains(bad[0]), e.getMessage());
    }
  }

  /** Every premium-rate and shared-cost example number of libphonenumber's tables, in a few countries. */
  @Test
  void noPremiumRateOrSharedCostNumberOfTheTablesIsALine() {
    var util = com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance();
    int checked = 0;
    for (String region : List.of("US", "GB", "FR", "DE", "ES", "IT", "AU", "BR", "IN", "JP")) {
      for (var type : List.of(com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE,
          com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType.SHARED_COST)) {
        var example = util.getExampleNumberForType(region, type);
        if (example == null) {
          continue;
        }
        String line = "sip:" + util.format(example, com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat.E164)
            + "@trunk.example.com";
        CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
            () -> BusinessLines.requireCallableNumber(line, "US"), line);
        assertTrue(e.getMessage().contains(type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')), e.getMessage());
        checked++;
      }
    }
    assertTrue(checked >= 12, "examples checked: " + checked);
  }

  /** A line goes into every INVITE the router forwards: a URI of sane length, a host name DNS can hold. */
  @Test
  void aLineIsAUriOfSaneLengthWhoseHostDnsCanHold() {
    String longest = "sip:+13125550123@" + "a".repeat(63) + "." + "b".repeat(63) + ".example.com:5060;transport=tcp";
    BusinessLines.requireSipUri(longest);
    for (String[] bad : List.of(
        new String[] {"sip:a@" + "x".repeat(5000), "businessLine must be at most 512 characters long"},
        new String[] {"sip:a@" + "x".repeat(64) + ".example.com", "businessLine's host is not a name DNS can hold"},
        new String[] {"sip:a@" + ("y".repeat(60) + ".").repeat(5) + "com", "businessLine's host is not a name DNS can hold"},
        new String[] {"sip:" + "7".repeat(600) + "@pbx.example.com", "businessLine must be at most 512"})) {
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
          () -> BusinessLines.requireSipUri(bad[0]), bad[0].substring(0, 40));
      assertTrue(e.getMessage().startsWith(bad[1]), e.getMessage());
      assertTrue(e.getMessage().length() < 300, "the detail does not echo a 5,000-character line");
    }
    BusinessLines.requireSipUri("sip:+13125550123@[2001:db8::1]:5060"); // an IPv6 literal is no name
  }

  @Test
  void ordinaryLinesExtensionsAndNamesAreLines() {
    for (String good : List.of("sip:+13125550123@pbx.example.com:5060", "sip:+15559990000@127.0.0.1:5070",
        "sip:+18005550199@trunk.example.com", "sip:+442079460958@trunk.example.com", "sip:201@pbx.example.com",
        "sip:reception@pbx.example.com", "sip:pbx.example.com@10.0.0.5", "sip:+1-312-555-0123@pbx.example.com")) {
      BusinessLines.requireCallableNumber(good, "US");
      BusinessLines.requireCallableNumber(good, "GB");
    }
    BusinessLines.requireCallableNumber(null, "US");
  }

  @Test
  void anApiKeyPointsALineOnlyAtPublicHosts() {
    BusinessLines keys = BusinessLines.parse(null);
    for (String inside : List.of("sip:+13125550123@127.0.0.1:5060", "sip:x@10.1.2.3", "sip:x@192.168.0.10;transport=tcp",
        "sip:x@169.254.169.254", "sip:x@[::1]:5060", "sip:x@[fd00::5]", "sip:x@localhost", "sip:x@100.64.0.1")) {
      String why = keys.refusalForKey(inside);
      assertTrue(why != null && why.contains("not a public address") && why.contains(BusinessLines.VARIABLE), inside + ": " + why);
    }
    assertTrue(keys.refusalForKey("sip:x@no-such-host.invalid").contains("does not resolve"));
    assertNull(keys.refusalForKey("sip:+13125550123@203.0.113.7:5060"));
    assertNull(keys.refusalForKey("sip:x@[2001:4860::8888]"));
    assertNull(BusinessLines.parse("allow").refusalForKey("sip:x@10.1.2.3"));
    assertEquals(BusinessLines.PUBLIC_FOR_KEYS, BusinessLines.parse(" Deny "));
  }

  @Test
  void theHostIsReadAsTheRouterReadsIt() {
    assertEquals("pbx.example.com", BusinessLines.host("sip:+1@pbx.example.com:5060;transport=tcp"));
    assertEquals("::1", BusinessLines.host("sip:a@[::1]:5060"));
    assertEquals("10.0.0.5", BusinessLines.host("sip:a@b@10.0.0.5"));
    assertNull(BusinessLines.host("sip:nohost"));
  }
}
