package io.calltrack.sip.proxy;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import javax.sip.SipStack;
import javax.sip.message.Response;

/**
 * The router stack's message valve ({@link ProxyStack} installs it): drops a response that
 * did not come from the hop its request was sent to, or that is not of that request (another Call-ID
 * or CSeq), before the stack matches it to a transaction — so a forged 200 can neither answer a call
 * nor end the client transaction the real answer needs.
 */
public final class ResponseGate implements SIPMessageValve {
  private SipStackImpl stack;

  @Override
  public void init(SipStack stack) {
    this.stack = (SipStackImpl) stack;
  }

  @Override
  public boolean processRequest(SIPRequest request, MessageChannel channel) {
    return true;
  }

  @Override
  public boolean processResponse(Response response, MessageChannel channel) {
    if (!(stack.getSipListener() instanceof Proxy proxy)) {
      return true;
    }
    return proxy.admitsResponse(response, SipHeaders.source(channel), stack);
  }

  @Override
  public void destroy() {}
}
