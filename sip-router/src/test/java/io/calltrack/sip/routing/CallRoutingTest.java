package io.calltrack.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.BusinessLines;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.phone.PhoneNumber;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SIP-free routing decision: pure logic, tested on a routing table made by hand. */
class CallRoutingTest {
  static final PhoneNumber TRACKING = PhoneNumber.parse("+15551230001");
  static final String LINE = "sip:+15559990000@127.0.0.1:5070";
  static final PropertyConfig PLUMBER = new PropertyConfig("plumber", "Plumber", List.of(), List.of(TRACKING),
      TRACKING, LINE, "UTC");
  static final RoutingTable TABLE = new RoutingTable(Map.of("plumber", PLUMBER), Map.of(TRACKING, "pool1"), Map.of(),
      Map.of(TRACKING, "plumber"));

  final CallRouting routing = new CallRouting(TrunkAllowList.of(List.of("127.0.0.0/8", "203.0.113.7")), () -> TABLE);

  @ParameterizedTest
  @ValueSource(strings = {"+15551230001", "15551230001", "5551230001", "+1-555-123-0001", "+15551230001;npdi"})
  void knownNumbersGoToTheirBusinessLineWithOrWithoutPlus(String dialled) {
    RouteDecision d = routing.route("127.0.0.1", dialled);
    RouteDecision.Forward f = assertInstanceOf(RouteDecision.Forward.class, d);
    assertEquals(TRACKING, f.number());
    assertEquals(LINE, f.businessLine());
    assertEquals("plumber", f.property().id());
  }

  @ParameterizedTest
  @ValueSource(strings = {"+15551230002", "alice", "", "+4420794609581234", "sip:evil@attacker.example"})
  void unknownNumbersAre404(String dialled) {
    RouteDecision d = routing.route("127.0.0.1", dialled);
    assertEquals(404, assertInstanceOf(RouteDecision.Reject.class, d).status());
  }

  /** A London tracking number, dialled by a UK trunk in national format, with or without separators. */
  @ParameterizedTest
  @ValueSource(strings = {"02079460958", "020 7946 0958", "020-7946-0958", "442079460958", "+442079460958"})
  void aNationalNumberOfAnotherCountryRoutesWhereATrackingNumberIsThatNumber(String dialled) {
    PhoneNumber london = PhoneNumber.parse("+442079460958");
    PropertyConfig pub = new PropertyConfig("pub", "Pub", List.of(), List.of(london), london, LINE, "Europe/London");
    RoutingTable both = new RoutingTable(Map.of("plumber", PLUMBER, "pub", pub),
        Map.of(TRACKING, "pool1", london, "pool2"), Map.of(), Map.of(TRACKING, "plumber", london, "pub"));
    CallRouting r = new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")), () -> both);
    RouteDecision.Forward f = assertInstanceOf(RouteDecision.Forward.class, r.route("127.0.0.1", dialled.replace(" ", "")));
    assertEquals(london, f.number());
    assertEquals("pub", f.property().id());
    // the default region still reads its own national numbers first
    assertEquals(TRACKING, assertInstanceOf(RouteDecision.Forward.class, r.route("127.0.0.1", "5551230001")).number());
    // another London number, or the same digits where no tracking number is British: not ours
    assertEquals(404, assertInstanceOf(RouteDecision.Reject.class, r.route("127.0.0.1", "02079460959")).status());
    assertEquals(404, assertInstanceOf(RouteDecision.Reject.class, routing.route("127.0.0.1", "02079460958")).status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "203.0.113.8", "::1", "not-an-ip", "beef", "localhost", ""})
  void onlyTrunksMayCall(String source) {
    RouteDecision d = routing.route(source, "+15551230001");
    assertEquals(403, assertInstanceOf(RouteDecision.Reject.class, d).status());
  }

  @Test
  void aNumberDialledAgainRoutesByTheTableOfThatMoment() {
    // the parsed number is remembered; which property it belongs to is not
    java.util.concurrent.atomic.AtomicReference<RoutingTable> table = new java.util.concurrent.atomic.AtomicReference<>(TABLE);
    CallRouting r = new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")), table::get);
    assertInstanceOf(RouteDecision.Forward.class, r.route("127.0.0.1", "+1-555-123-0001"));
    table.set(new RoutingTable(Map.of(), Map.of(), Map.of(), Map.of()));
    assertEquals(404, assertInstanceOf(RouteDecision.Reject.class, r.route("127.0.0.1", "+1-555-123-0001")).status());
    table.set(TABLE);
    assertEquals(TRACKING, assertInstanceOf(RouteDecision.Forward.class, r.route("127.0.0.1", "+1-555-123-0001")).number());
    for (int i = 0; i < 2; i++) { // a number that does not parse stays refused when dialled again
      assertEquals(404, assertInstanceOf(RouteDecision.Reject.class, r.route("127.0.0.1", "alice")).status());
    }
  }

  @Test
  void aSingleAddressTrunkIsExact() {
    assertInstanceOf(RouteDecision.Forward.class, routing.route("203.0.113.7", "+15551230001"));
  }

  @Test
  void cidrMatching() {
    TrunkAllowList list = TrunkAllowList.of(List.of("192.168.4.0/22", "2001:db8::/32", "0.0.0.0/0"));
    assertTrue(list.allows("8.8.8.8"));
    TrunkAllowList narrow = TrunkAllowList.of(List.of("192.168.4.0/22", "2001:db8::/32"));
    assertTrue(narrow.allows("192.168.7.255"));
    assertFalse(narrow.allows("192.168.8.0"));
    assertTrue(narrow.allows("2001:db8:1::5"));
    assertFalse(narrow.allows("2001:db9::1"));
    assertFalse(narrow.allows("192.168.4.1.evil"));
  }

  @Test
  void anAddressAskedAgainGetsTheSameVerdict() {
    TrunkAllowList narrow = TrunkAllowList.of(List.of("192.168.4.0/22"));
    for (int i = 0; i < 3; i++) { // the verdict is remembered per address: the same, whichever way it went
      assertTrue(narrow.allows("192.168.5.1"));
      assertFalse(narrow.allows("192.168.8.1"));
      assertFalse(narrow.allows("trunk.example.com"));
    }
  }

  @Test
  void hostNamesAreRefusedInTheAllowList() {
    assertThrows(IllegalArgumentException.class, () -> TrunkAllowList.of(List.of("trunk.example.com")));
    assertThrows(IllegalArgumentException.class, () -> TrunkAllowList.of(List.of("10.0.0.0/33")));
  }

  @Test
  void aPropertyWithoutBusinessLineIsUnavailable() {
    PropertyConfig noLine = new PropertyConfig("p2", "P2", List.of(), List.of(TRACKING), TRACKING, null, "UTC");
    CallRouting r = new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")),
        () -> new RoutingTable(Map.of("p2", noLine), Map.of(), Map.of(), Map.of(TRACKING, "p2")));
    assertEquals(480, ((RouteDecision.Reject) r.route("127.0.0.1", "+15551230001")).status());
  }

  /**
   * A line an API key set goes only to a public address (where the router's own network cannot be
   * reached through it); a line the operator set, or any line where the operator lets keys point lines
   * at private hosts (CALLTRACK_SIP_LINES_PRIVATE=allow), goes where it says.
   */
  @Test
  void aLineAnApiKeySetIsRoutedOnlyToAPublicAddress() {
    LineLocator lines = new LineLocator(List.of());
    for (String inside : List.of(LINE, "sip:+15559990000@10.0.0.8", "sip:+15559990000@[::1]:5070",
        "sip:+15559990000@never.looked.up.test")) {
      PropertyConfig keys = new PropertyConfig("plumber", "Plumber", List.of(), List.of(TRACKING), TRACKING, inside,
          "UTC").withLinesSetByKey(List.of(inside));
      RoutingTable t = new RoutingTable(Map.of("plumber", keys), Map.of(), Map.of(), Map.of(TRACKING, "plumber"));
      RouteDecision refused = new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")), () -> t, lines,
          BusinessLines.PUBLIC_FOR_KEYS).route("127.0.0.1", "+15551230001");
      assertEquals(503, assertInstanceOf(RouteDecision.Reject.class, refused).status(), inside);
      RouteDecision allowed = new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")), () -> t, lines,
          BusinessLines.ANY).route("127.0.0.1", "+15551230001");
      assertEquals(inside, assertInstanceOf(RouteDecision.Forward.class, allowed).businessLine(), inside);
      RoutingTable operators = new RoutingTable(Map.of("plumber", keys.withLinesSetByKey(List.of())), Map.of(), Map.of(),
          Map.of(TRACKING, "plumber"));
      assertInstanceOf(RouteDecision.Forward.class, new CallRouting(TrunkAllowList.of(List.of("127.0.0.1")),
          () -> operators, lines, BusinessLines.PUBLIC_FOR_KEYS).route("127.0.0.1", "+15551230001"), inside);
    }
    PropertyConfig outside = new PropertyConfig("plumber", "Plumber", List.of(), List.of(TRACKING), TRACKING,
        "sip:+15559990000@203.0.113.7:5070", "UTC").withLinesSetByKey(List.of("sip:+15559990000@203.0.113.7:5070"));
    RoutingTable t = new RoutingTable(Map.of("plumber", outside), Map.of(), Map.of(), Map.of(TRACKING, "plumber"));
    RouteDecision.Forward f = assertInstanceOf(RouteDecision.Forward.class, new CallRouting(
        TrunkAllowList.of(List.of("127.0.0.1")), () -> t, lines, BusinessLines.PUBLIC_FOR_KEYS)
        .route("127.0.0.1", "+15551230001"));
    assertEquals(new LineLocator.Target("203.0.113.7", 5070), f.target(), "sent to the address checked");
  }

  /**
   * Each of a property's lines is judged on its own: a line a key set without a public address is
   * left out, the others stay in their order with their index (1.. an overflow line).
   */
  @Test
  void aKeysLineWithoutAPublicAddressIsLeftOutOfTheLinesAndTheOthersStay() {
    String inside = "sip:201@10.0.0.8";
    String outside = "sip:202@203.0.113.9";
    PropertyConfig base = new PropertyConfig("plumber", "Plumber", List.of(), List.of(TRACKING), TRACKING, LINE, "UTC")
        .withOverflow(new io.calltrack.core.config.Overflow(List.of(inside, outside), 10));
    LineLocator lines = new LineLocator(List.of());
    java.util.function.Function<PropertyConfig, RouteDecision> route = p -> new CallRouting(
        TrunkAllowList.of(List.of("127.0.0.1")),
        () -> new RoutingTable(Map.of("plumber", p), Map.of(), Map.of(), Map.of(TRACKING, "plumber")), lines,
        BusinessLines.PUBLIC_FOR_KEYS).route("127.0.0.1", "+15551230001");

    RouteDecision.Forward operators = assertInstanceOf(RouteDecision.Forward.class, route.apply(base));
    assertEquals(List.of(0, 1, 2), operators.lines().stream().map(RouteDecision.Line::index).toList());
    // a key added the private overflow line: it is left out, the operator's private business line is not
    RouteDecision.Forward keyed = assertInstanceOf(RouteDecision.Forward.class,
        route.apply(base.withLinesSetByKey(List.of(inside, outside))));
    assertEquals(List.of(LINE, outside), keyed.lines().stream().map(RouteDecision.Line::uri).toList());
    assertEquals(List.of(0, 2), keyed.lines().stream().map(RouteDecision.Line::index).toList());
    // a key set the business line too: the call begins at the overflow line
    RouteDecision.Forward fromOverflow = assertInstanceOf(RouteDecision.Forward.class,
        route.apply(base.withLinesSetByKey(List.of(LINE, inside, outside))));
    assertEquals(outside, fromOverflow.businessLine());
    assertEquals(2, fromOverflow.lines().get(0).index());
  }
}
