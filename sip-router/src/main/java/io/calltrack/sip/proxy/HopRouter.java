package io.calltrack.sip.proxy;

import gov.nist.javax.sip.message.SIPMessage;
import java.util.List;
import java.util.ListIterator;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;

/**
 * The stack's router ({@code javax.sip.ROUTER_PATH}): every request the proxy sends carries the hop
 * it must go to (chosen by the proxy from the business line or the trunk side) as its application
 * data. A request without one goes nowhere, so no header a peer wrote can steer us to a third party.
 */
public final class HopRouter implements Router {

  public HopRouter(SipStack stack, String outboundProxy) {
    // the stack instantiates routers reflectively with this signature; neither argument is used
  }

  /** Pins {@code request} to {@code hop}. */
  public static void pin(Request request, Hop hop) {
    ((SIPMessage) request).setApplicationData(hop);
  }

  @Override
  public Hop getNextHop(Request request) throws SipException {
    if (request instanceof SIPMessage m && m.getApplicationData() instanceof Hop hop) {
      return hop;
    }
    throw new SipException("no pinned next hop: the proxy only sends to hops it chose");
  }

  @Override
  @Deprecated
  public ListIterator<?> getNextHops(Request request) {
    try {
      return List.of(getNextHop(request)).listIterator();
    } catch (SipException e) {
      return List.of().listIterator();
    }
  }

  @Override
  public Hop getOutboundProxy() {
    return null;
  }
}
