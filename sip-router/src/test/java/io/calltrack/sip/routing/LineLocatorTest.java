package io.calltrack.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
      LineLocator locator = new LineLocator(List.of(dns.address()));
      String udp = "sip:+15559990000@pbx.calltrack.test";
      String tcp = "sip:+15559990000@pbx.calltrack.test;transport=tcp";
      String elsewhere = "sip:201@elsewhere.calltrack.test";
      String noSip = "sip:201@nosip.calltrack.test";
      String plain = "sip:201@plain.calltrack.test"; // no SRV: its host, as written
      String withPort = "sip:201@pbx.calltrack.test:5060"; // a port: no lookup (RFC 3263 4.2)
      String address = "sip:201@127.0.0.1";
      locator.refresh(List.of(udp, tcp, elsewhere, noSip, plain, withPort, address), 0);

      assertEquals(new LineLocator.Target("127.0.0.12", 5073), locator.locate(udp));
      assertEquals(new LineLocator.Target("127.0.0.14", 5080), locator.locate(tcp));
      assertEquals(new LineLocator.Target("pbx.example.com", 5090), locator.locate(elsewhere));
      assertNull(locator.locate(noSip));
      assertNull(locator.locate(plain));
      assertNull(locator.locate(withPort));
      assertNull(locator.locate(address));
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
      locator = new LineLocator(List.of(dns.address()));
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
