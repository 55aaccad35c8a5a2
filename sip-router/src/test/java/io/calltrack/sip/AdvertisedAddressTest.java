package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CALLTRACK_SIP_ADVERTISE: the router bound to one address tells peers another (here the name
 * {@code localhost} and the bound port) in Record-Route and Via, and the in-dialog requests that come
 * back by that Route still reach it and go through.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdvertisedAddressTest {
  @TempDir Path spool;

  @Test
  void recordRouteAndViaCarryTheAdvertisedAddressAndTheDialogFollowsIt() {
    try (RouterFixture fx = new RouterFixture(spool);
        SipPhone caller = SipPhone.start("caller");
        SipPhone line = SipPhone.start("line")) {
      int port = EmbeddedRedis.freePort();
      SipRouter router = fx.router(port, List.of("127.0.0.0/8"), Duration.ofSeconds(5), new SimpleMeterRegistry(),
          spool.resolve("spool"), "localhost:" + port);
      PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
      String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + port, port, "udp");
      caller.awaitResponse(Request.INVITE, Response.OK, RouterFixture.WAIT);
      Request invite = line.awaitRequest(Request.INVITE, RouterFixture.WAIT);
      ViaHeader via = (ViaHeader) invite.getHeader(ViaHeader.NAME);
      assertEquals("localhost", via.getHost());
      assertEquals(port, via.getPort());
      SipURI rr = (SipURI) ((RecordRouteHeader) invite.getHeader(RecordRouteHeader.NAME)).getAddress().getURI();
      assertEquals("localhost", rr.getHost());
      assertEquals(port, rr.getPort());
      // the ACK and BYE come with Route: <sip:localhost:port;lr>: the router knows it as its own
      line.awaitRequest(Request.ACK, RouterFixture.WAIT);
      caller.bye();
      line.awaitRequest(Request.BYE, RouterFixture.WAIT);
      caller.awaitResponse(Request.BYE, Response.OK, RouterFixture.WAIT);
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
    }
  }

  @Test
  void optionsReadHostAndPort() {
    Path dir = spool;
    SipRouterOptions plain = new SipRouterOptions("127.0.0.1", 5060, null, "redis://x:1", dir, null, null, null);
    assertEquals("127.0.0.1", plain.advertisedHost());
    assertEquals(5060, plain.advertisedPort());
    SipRouterOptions named = new SipRouterOptions("0.0.0.0", 5060, null, "redis://x:1", dir, null, null, null,
        "sip.example.com:5080");
    assertEquals("sip.example.com", named.advertisedHost());
    assertEquals(5080, named.advertisedPort());
    SipRouterOptions hostOnly = new SipRouterOptions("0.0.0.0", 5070, null, "redis://x:1", dir, null, null, null,
        "203.0.113.7");
    assertEquals("203.0.113.7", hostOnly.advertisedHost());
    assertEquals(5070, hostOnly.advertisedPort());
    SipRouterOptions v6 = new SipRouterOptions("::", 5060, null, "redis://x:1", dir, null, null, null, "[2001:db8::1]:5062");
    assertEquals("[2001:db8::1]", v6.advertisedHost());
    assertEquals(5062, v6.advertisedPort());
    assertThrows(IllegalArgumentException.class,
        () -> new SipRouterOptions("0.0.0.0", 5060, null, "redis://x:1", dir, null, null, null, "host:99999"));
  }
}
