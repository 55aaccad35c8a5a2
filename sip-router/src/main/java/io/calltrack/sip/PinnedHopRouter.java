package io.calltrack.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.DefaultRouter;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.message.Request;

/**
 * The stack's router ({@code javax.sip.ROUTER_PATH}) for the SIP endpoints that place calls (the
 * callback dialer): a request pinned to a hop ({@link io.calltrack.sip.proxy.HopRouter#pin}, a
 * business line located by DNS SRV) goes there; any other one where RFC 3261 says (its Route set, else
 * its Request-URI), as the stack's default router sends it.
 */
public final class PinnedHopRouter extends DefaultRouter {

  public PinnedHopRouter(SipStack stack, String outboundProxy) {
    super(stack, outboundProxy); // the signature the stack instantiates routers with
  }

  @Override
  public Hop getNextHop(Request request) throws SipException {
    if (request instanceof SIPMessage m && m.getApplicationData() instanceof Hop hop) {
      return hop;
    }
    return super.getNextHop(request);
  }
}
