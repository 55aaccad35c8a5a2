package io.calltrack.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.sip.testing.Dnsmasq;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Business lines located by SRV (RFC 3263 4.2), against a real DNS server (dnsmasq) on loopback. */
class LineLocatorTest {
  @TempDir Path dir;

  static final List<String> RECORDS = List.of(
      // two servers: the lower priority first; among equal priorities, the heavier
      "--srv-host=_sip._udp.pbx.calltrack.test,backup.calltrack.test,5072,20,100",
      "--srv-host=_sip._udp.pbx.calltrack.test,main.calltrack.test,5071,10,10",
      "--srv-host=_sip._udp.pbx.calltrack.test,main2.calltrack.test,5073,10,90",
      "--srv-host=_sip._tcp.pbx.calltrack.test,tcp.calltrack.test,5080,10,100",
      // a target this DNS server does not know: left to the SIP stack's resolver, with the SRV's port
      "--srv-host=_sip._udp.elsewhere.calltrack.test,pbx.example.com,5090,10,100",
      // "no SIP here" (RFC 2782: a target of ".")
      "--srv-host=_sip._udp.nosip.calltrack.test",
      "--host-record=main.calltrack.test,127.0.0.11",
      "--host-record=main2.calltrack.test,127.0.0.12",
      "--host-record=backup.calltrack.test,127.0.0.13",
      "--host-record=tcp.calltrack.test,127.0.0.14",
      "--host-record=plain.calltrack.test,127.0.0.15");

  @Test
  void aNamedLineWithoutAPortGoesWhereItsSrvRecordsSay() throws Exception {
    try (Dnsmasq dns = Dnsmasq.start(dir, "calltrack.test", RECORDS)) {
      // the draw among records of one priority always picks its first pick: the heaviest first
      LineLocator locator = new LineLocator(List.of(dns.address()), bound -> 0);
      String udp = "sip:+15559990000@pbx.calltrack.test";
      String tcp = "sip:+15559990000@pbx.calltrack.test;transport=tcp";
      String elsewhere = "sip:201@elsewhere.calltrack.test";
      String noSip = "sip:201@nosip.calltrack.test";
      String plain = "sip:201@plain.calltrack.test"; // no SRV: its host, as written
      String withPort = "sip:201@plain.calltrack.test:5070"; // a port: no SRV (RFC 3263 4.2), the host's address
      String address = "sip:201@127.0.0.1";
      locator.refresh(List.of(udp, tcp, elsewhere, noSip, plain, withPort, address), 0);

      assertEquals(new LineLocator.Target("127.0.0.12", 5073), locator.locate(udp));
      // every target, in the order a call tries them when one fails (RFC 3263 4.3)
      assertEquals(List.of(new LineLocator.Target("127.0.0.12", 5073), new LineLocator.Target("127.0.0.11", 5071),
          new LineLocator.Target("127.0.0.13", 5072)), locator.targets(udp, false));
      assertEquals(new LineLocator.Target("127.0.0.14", 5080), locator.locate(tcp));
      // a name no DNS server knows: the name, for the SIP stack's resolver
      assertEquals(new LineLocator.Target("pbx.example.com", 5090), locator.locate(elsewhere));
      assertEquals(new LineLocator.Target("nosip.calltrack.test", 5060), locator.locate(noSip));
      assertEquals(new LineLocator.Target("127.0.0.15", 5060), locator.locate(plain));
      assertEquals(new LineLocator.Target("127.0.0.15", 5070), locator.locate(withPort));
      assertNull(locator.locate(address), "an address is where the line says");
    }
  }

  /**
   * An API key's line goes only to a public address, checked at each lookup: the name it had when the
   * key set it may be pointed at the operator's own network since (DNS rebinding), or have SRV records
   * or more addresses that point there. A call goes to the address checked, never to the name.
   */
  @Test
  void aLineThatMustBePublicGoesOnlyToAPublicAddressAsDnsSaysNow() throws Exception {
    String line = "sip:+15559990000@rebind.calltrack.test";
    String mixed = "sip:+15559990000@mixed.calltrack.test:5070";
    String srv = "sip:+15559990000@srv.calltrack.test";
    LineLocator locator;
    int port;
    try (Dnsmasq dns = Dnsmasq.start(dir, "calltrack.test", List.of(
        "--host-record=rebind.calltrack.test,203.0.113.5",
        "--host-record=mixed.calltrack.test,10.1.2.3",
        "--host-record=mixed.calltrack.test,203.0.113.9",
        "--srv-host=_sip._udp.srv.calltrack.test,inside.calltrack.test,5071,10,100",
        "--host-record=srv.calltrack.test,203.0.113.10", // public itself, its SIP server not
        "--host-record=inside.calltrack.test,192.168.7.7"))) {
      port = dns.port;
      // the draw among records of one priority picks its first pick, so each locate names one target
      locator = new LineLocator(List.of(dns.address()), bound -> 0);
      locator.refresh(List.of(line, mixed, srv), 0);
      assertEquals(new LineLocator.Target("203.0.113.5", 5060, true), locator.locate(line, true));
      assertEquals(new LineLocator.Target("203.0.113.9", 5070, true), locator.locate(mixed, true));
      assertNull(locator.locate(srv, true), "its SRV target is private");
      assertEquals(new LineLocator.Target("192.168.7.7", 5071, false), locator.locate(srv, false));
    }
    // the name now points at the router's own host
    try (Dnsmasq rebound = Dnsmasq.start(dir, "calltrack.test", List.of(
        "--host-record=rebind.calltrack.test,127.0.0.1"), port)) {
      locator.refresh(List.of(line), LineLocator.REFRESH_MS);
      assertNull(locator.locate(line, true), "no public address any more");
      assertEquals(new LineLocator.Target("127.0.0.1", 5060, false), locator.locate(line, false));
    }
  }

  /** A line written with an address is not looked up; one that must be public goes there only if it is. */
  @Test
  void aLineWrittenWithAnAddressMustBePublicAsWritten() {
    LineLocator locator = new LineLocator(List.of());
    assertEquals(new LineLocator.Target("203.0.113.7", 5070, true), locator.locate("sip:201@203.0.113.7:5070", true));
    assertEquals(new LineLocator.Target("[2001:4860::8]", 5060, true), locator.locate("sip:201@[2001:4860::8]", true));
    for (String inside : List.of("sip:201@127.0.0.1:5070", "sip:201@10.0.0.8", "sip:201@[::1]:5060",
        "sip:201@169.254.169.254", "sip:201@[fd00::1]")) {
      assertNull(locator.locate(inside, true), inside);
      assertNull(locator.locate(inside, false), inside + ": as written");
    }
    assertNull(locator.locate("sip:201@never.looked.up.test", true), "not looked up yet: nowhere");
  }

  /**
   * Among SRV records of one priority each call draws its order by weight (RFC 2782): with weights 1
   * and 3, the heavier comes first for about three calls in four; the lower priority always last.
   */
  @Test
  void callsSpreadOverRecordsOfOnePriorityByWeight() throws Exception {
    try (Dnsmasq dns = Dnsmasq.start(dir, "calltrack.test", List.of(
        "--srv-host=_sip._udp.pbx.calltrack.test,light.calltrack.test,5071,10,1",
        "--srv-host=_sip._udp.pbx.calltrack.test,heavy.calltrack.test,5072,10,3",
        "--srv-host=_sip._udp.pbx.calltrack.test,spare.calltrack.test,5073,20,100",
        "--host-record=light.calltrack.test,127.0.0.21",
        "--host-record=heavy.calltrack.test,127.0.0.22",
        "--host-record=spare.calltrack.test,127.0.0.23"))) {
      java.util.Random seeded = new java.util.Random(7);
      LineLocator locator = new LineLocator(List.of(dns.address()), seeded::nextInt);
      String line = "sip:+15559990000@pbx.calltrack.test";
      locator.refresh(List.of(line), 0);
      int heavyFirst = 0;
      for (int i = 0; i < 4000; i++) {
        List<LineLocator.Target> order = locator.targets(line, false);
        assertEquals(3, order.size());
        assertEquals(new LineLocator.Target("127.0.0.23", 5073), order.get(2), "the lower priority last");
        heavyFirst += order.get(0).address().equals("127.0.0.22") ? 1 : 0;
      }
      assertTrue(heavyFirst > 2800 && heavyFirst < 3200, "heavy first in " + heavyFirst + " of 4000");
    }
  }

  /**
   * A DNS server that stops answering does not take a line's last answer away, and a failed lookup is
   * tried again a minute later, not at every round; a line nobody has any more goes.
   */
  @Test
  void aFailedLookupKeepsTheLastAnswerAndIsTriedAgainAMinuteLater() throws Exception {
    String line = "sip:+15559990000@pbx.calltrack.test";
    LineLocator locator;
    int port;
    try (Dnsmasq dns = Dnsmasq.start(dir, "calltrack.test", RECORDS)) {
      port = dns.port;
      // the draw among records of one priority picks its first pick, so each locate names one target
      locator = new LineLocator(List.of(dns.address()), bound -> 0);
      locator.refresh(List.of(line), 0);
    }
    LineLocator.Target before = locator.locate(line);
    assertEquals(new LineLocator.Target("127.0.0.12", 5073), before);
    long failedAt = LineLocator.REFRESH_MS;
    locator.refresh(List.of(line), failedAt); // asked again: no answer now
    assertEquals(before, locator.locate(line));
    // the server is back, with the line moved: not asked again until a minute after the failure
    try (Dnsmasq moved = Dnsmasq.start(dir, "calltrack.test", List.of(
        "--srv-host=_sip._udp.pbx.calltrack.test,moved.calltrack.test,5099,10,100",
        "--host-record=moved.calltrack.test,127.0.0.19"), port)) {
      locator.refresh(List.of(line), failedAt + 1);
      assertEquals(before, locator.locate(line), "not at every round after a failure");
      locator.refresh(List.of(line), failedAt + LineLocator.REFRESH_MS);
      assertEquals(new LineLocator.Target("127.0.0.19", 5099), locator.locate(line));
    }
    locator.refresh(List.of(), failedAt + LineLocator.REFRESH_MS + 1);
    assertNull(locator.locate(line), "no property has that line any more");
  }
}
