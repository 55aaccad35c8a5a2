package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.sip.testing.Dnsmasq;
import io.calltrack.sip.testing.SipPhone;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A business line given as a hosted PBX names it: a domain without a port, whose SIP servers are in
 * DNS SRV records (RFC 3263 4.2). The router asks a real DNS server (dnsmasq) and calls go to the
 * record of lowest priority, over the line's transport, with the line's URI unchanged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BusinessLineSrvTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir Path dir;
  RouterFixture fx;
  Dnsmasq dns;
  SipRouter router;
  SipPhone caller;
  SipPhone primary;
  SipPhone backup;

  @BeforeEach
  void start() throws Exception {
    caller = SipPhone.start("caller");
    primary = SipPhone.start("primary");
    backup = SipPhone.start("backup");
    dns = Dnsmasq.start(dir, "calltrack.test", List.of(
        "--srv-host=_sip._udp.pbx.calltrack.test,primary.calltrack.test," + primary.port + ",10,100",
        "--srv-host=_sip._udp.pbx.calltrack.test,backup.calltrack.test," + backup.port + ",20,100",
        "--srv-host=_sip._tcp.pbx.calltrack.test,backup.calltrack.test," + backup.port + ",10,100",
        "--host-record=primary.calltrack.test,127.0.0.1",
        "--host-record=backup.calltrack.test,127.0.0.1",
        "--host-record=inside.calltrack.test,127.0.0.1"));
    fx = new RouterFixture(dir);
    router = fx.routerWithDns(List.of("127.0.0.0/8"), Duration.ofSeconds(10), List.of(dns.address()));
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    if (dns != null) {
      dns.close();
    }
    for (SipPhone p : new SipPhone[] {caller, primary, backup}) {
      if (p != null) {
        p.close();
      }
    }
  }

  /** A call to a property whose business line is {@code lineUri}, answered by {@code line}: its SIP Call-ID. */
  private String connected(String lineUri, SipPhone line) {
    PhoneNumber number = fx.property(lineUri, router);
    String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    assertEquals(lineUri, invite.getRequestURI().toString(), "the line's URI as configured, wherever it is served");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    return callId;
  }

  private void hungUpByTheCaller(String callId, SipPhone line) {
    caller.bye();
    line.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
  }

  /** A call to a property whose business line is {@code lineUri} is answered by {@code line}, and {@code other} never hears of it. */
  private void answeredAt(String lineUri, SipPhone line, SipPhone other) {
    hungUpByTheCaller(connected(lineUri, line), line);
    assertEquals(0, other.count(Request.INVITE));
  }

  @Test
  void aLineNamedByItsDomainGoesToItsSrvTargetOfLowestPriority() {
    answeredAt("sip:+15559990000@pbx.calltrack.test", primary, backup);
  }

  @Test
  void overTcpTheLineGoesToItsTcpSrvTarget() {
    answeredAt("sip:+15559990000@pbx.calltrack.test;transport=tcp", backup, primary);
  }

  /**
   * A line an API key set (its host public when the key set it) whose name points at the router's own
   * network now, by the DNS servers the router asks or by its system's resolver: its calls are refused
   * (503) and nothing is sent there; the same line set by the operator is called.
   */
  @Test
  void aLineAnApiKeySetIsNotCalledWhenItsNameNowPointsInside() {
    for (String host : List.of("localhost", "inside.calltrack.test")) {
      String line = "sip:+15559990000@" + host + ":" + primary.port;
      PhoneNumber keys = fx.property(io.calltrack.core.testing.TestNumbers.fresh(), line,
          p -> p.withLinesSetByKey(List.of(line)), router);
      caller.call("sip:" + keys.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
      caller.awaitResponse(Request.INVITE, Response.SERVICE_UNAVAILABLE, WAIT);
      assertEquals(0, primary.count(Request.INVITE), host + ": nothing sent to the line");
    }
    answeredAt("sip:+15559990000@localhost:" + primary.port, primary, backup);
  }

  /** A call to the SRV-named line whose first target is {@link #primary}, connected at {@link #backup}. */
  private String connectedAtTheBackup() {
    String callId = connected("sip:+15559990000@pbx.calltrack.test", backup);
    assertTrue(primary.count(Request.INVITE) >= 1, "tried first");
    return callId;
  }

  /** RFC 3263 4.3: a target out of service (503) sends the call to the line's next SRV target. */
  @Test
  void aTargetOutOfServiceSendsTheCallToTheNextSrvTarget() {
    primary.mode = SipPhone.Mode.UNAVAILABLE;
    hungUpByTheCaller(connectedAtTheBackup(), backup);
    assertEquals(0, caller.responses.stream().filter(r -> r.getStatusCode() == Response.SERVICE_UNAVAILABLE).count(),
        "the caller never hears the first target's 503");
  }

  /**
   * A target that sends nothing at all (a server down: UDP has no refusal) is left for the next after
   * two seconds, not after the stack's 32 s; if it answers after all, the router hangs it up.
   */
  @Test
  void aSilentTargetIsLeftForTheNextAndItsLateAnswerHungUp() {
    primary.silent = true;
    String callId = connectedAtTheBackup();
    primary.silent = false; // it comes back: its next copy of the INVITE, still retransmitted, gets an answer
    primary.awaitRequest(Request.BYE, WAIT);
    assertEquals(0, backup.count(Request.BYE), "the call at the backup goes on");
    hungUpByTheCaller(callId, backup);
  }

  /**
   * A target that failed a call is tried last by the next calls for a while: one call waited for the
   * silent primary, the next goes to the backup at once and the primary never hears of it.
   */
  @Test
  void aTargetThatFailedACallIsTriedLastByTheNext() {
    primary.silent = true;
    hungUpByTheCaller(connectedAtTheBackup(), backup);
    PhoneNumber number = fx.property("sip:+15559990000@pbx.calltrack.test", router);
    String second = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponseFor(second, Request.INVITE, Response.OK, WAIT);
    assertEquals(0, primary.requests.stream().filter(r -> second.equals(
        ((javax.sip.header.CallIdHeader) r.getHeader(javax.sip.header.CallIdHeader.NAME)).getCallId())).count(),
        "the second call never went to the primary");
    caller.byeFor(second);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(second).status());
  }

  /** Busy is the line's answer, wherever it is served: the caller hears it, and no other target rings. */
  @Test
  void aBusyTargetIsTheLinesAnswer() {
    primary.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = fx.property("sip:+15559990000@pbx.calltrack.test", router);
    String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    assertEquals(CallStatus.BUSY, fx.awaitFinished(callId).status());
    assertEquals(0, backup.count(Request.INVITE));
  }
}
