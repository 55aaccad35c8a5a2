package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import gov.nist.javax.sip.stack.HopImpl;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.address.Hop;
import org.junit.jupiter.api.Test;

/** A target that failed a call is tried last for 30 s, then first again (the clock injected). */
class SuspectTargetsTest {
  final AtomicLong nanos = new AtomicLong(1_000);
  final SuspectTargets suspects = new SuspectTargets(nanos::get);
  final Hop a = new HopImpl("192.0.2.1", 5060, "udp");
  final Hop b = new HopImpl("192.0.2.2", 5060, "udp");
  final Hop c = new HopImpl("192.0.2.3", 5060, "udp");

  @Test
  void aTargetThatFailedIsTriedLastForAWhile() {
    List<Hop> hops = List.of(a, b, c);
    assertSame(hops, suspects.order(hops), "none failed: as located");
    suspects.failed(a);
    assertEquals(List.of(b, c, a), suspects.order(hops));
    suspects.failed(new HopImpl("192.0.2.3", 5060, "udp")); // the same target, another Hop object
    assertEquals(List.of(b, a, c), suspects.order(hops), "the suspects last, in their own order");
    suspects.failed(b);
    assertEquals(hops, suspects.order(hops), "all failed: as located");
    nanos.addAndGet(SuspectTargets.SUSPECT_NANOS);
    assertEquals(hops, suspects.order(hops), "30 s later: first again");
    assertEquals(List.of(b, a), suspects.order(List.of(b, a)));
  }
}
