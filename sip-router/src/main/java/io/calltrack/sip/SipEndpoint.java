package io.calltrack.sip;

import gov.nist.javax.sip.SipStackImpl;
import io.calltrack.sip.proxy.SipHeaders;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;

/**
 * A JAIN-SIP user agent's stack on one address, UDP and TCP on one provider, with the factories to
 * build messages: what the demo business line and the tests' SIP phones are made of. (The router
 * builds its own stack: it is a proxy, with other settings.) One message thread keeps each
 * endpoint's messages in arrival order; {@link #close()} stops the stack, whose threads would
 * otherwise keep the JVM alive.
 */
public record SipEndpoint(
    SipStack stack,
    SipProvider provider,
    MessageFactory messages,
    HeaderFactory headers,
    AddressFactory addresses) implements AutoCloseable {

  private static final AtomicInteger STACKS = new AtomicInteger();

  /**
   * A listener that says which requests its stack takes at all, asked before the stack's dialog layer
   * sees one: a request in a dialog from a host that is not the dialog's peer, once taken, has ended
   * the call or moved the dialog's CSeq past the genuine peer's next request (refused then, 500).
   */
  public interface RequestGate {
    /** Whether {@code request}, from {@code source} (the packet's IP), may be taken; if not: 403, an ACK dropped. */
    boolean admits(javax.sip.message.Request request, String source);
  }

  /** Opens and starts a stack named {@code name} on {@code host:port} (a real port: JAIN-SIP refuses 0). */
  public static SipEndpoint open(String name, String host, int port, SipListener listener) throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", name + "-" + port + "-" + STACKS.incrementAndGet());
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1"); // messages in arrival order
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(SipStacks.MAX_MESSAGE_SIZE));
    // TCP connections limited as the router's are (two threads each): its defaults, every source counted
    // as one the endpoint does not serve (no proxy's trunks here)
    p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", io.calltrack.sip.proxy.TcpLimits.class.getName());
    // requests go where RFC 3261 says, unless pinned to a hop (a business line located by SRV)
    p.setProperty("javax.sip.ROUTER_PATH", PinnedHopRouter.class.getName());
    // the router's UDP loop: the stack's own can throw when the stack is stopped right after it started
    p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
        gov.nist.javax.sip.stack.CompactUdpMessageProcessorFactory.class.getName());
    SipStackImpl stack = new SipStackImpl(p);
    if (listener instanceof RequestGate) {
      // added here, not named in SIP_MESSAGE_VALVE: the stock constructor sleeps 100 ms before a named one
      RequestValve valve = new RequestValve();
      valve.init(stack);
      stack.sipMessageValves.add(valve);
    }
    SipFactory f = SipFactory.getInstance();
    f.setPathName("gov.nist");
    try {
      ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
      ListeningPoint tcp = stack.createListeningPoint(host, port, ListeningPoint.TCP);
      SipProvider provider = stack.createSipProvider(udp);
      provider.addListeningPoint(tcp);
      provider.addSipListener(listener);
      stack.start();
      return new SipEndpoint(stack, provider, f.createMessageFactory(), f.createHeaderFactory(),
          f.createAddressFactory());
    } catch (Exception e) {
      SipStacks.stopAfter(e, stack);
      throw e;
    }
  }

  @Override
  public void close() {
    SipStacks.stop(stack);
  }

  /**
   * Asks the stack's {@link RequestGate} listener about each request before the stack handles it, and
   * takes responses only from where their requests went.
   */
  private static final class RequestValve implements gov.nist.javax.sip.stack.SIPMessageValve {
    private SipStackImpl stack;

    @Override
    public void init(SipStack stack) {
      this.stack = (SipStackImpl) stack;
    }

    @Override
    public boolean processRequest(gov.nist.javax.sip.message.SIPRequest request,
        gov.nist.javax.sip.stack.MessageChannel channel) {
      if (!(stack.getSipListener() instanceof RequestGate gate) || gate.admits(request, SipHeaders.source(channel))) {
        return true;
      }
      if (!javax.sip.message.Request.ACK.equals(request.getMethod())) {
        try { // on the channel it came on: back to the packet's source, whatever its Via says
          channel.sendMessage(request.createResponse(javax.sip.message.Response.FORBIDDEN));
        } catch (java.io.IOException e) {
          // the refusal is a courtesy: the request is dropped either way
        }
      }
      return false;
    }

    /**
     * A response is taken only from where its request went (its client transaction's peer) and only with
     * that request's Call-ID: else a host that saw or guessed a branch could answer, refuse or end a
     * leg (a forged 486 made the dialer give up a business line that was ringing). A response of no
     * transaction (a 2xx sent again) is the listener's to judge, as the router's proxy does.
     */
    @Override
    public boolean processResponse(javax.sip.message.Response response, gov.nist.javax.sip.stack.MessageChannel channel) {
      gov.nist.javax.sip.stack.SIPTransaction tx =
          stack.findTransaction((gov.nist.javax.sip.message.SIPMessage) response, false);
      if (tx == null) {
        return true;
      }
      javax.sip.message.Request request = tx.getOriginalRequest();
      return SipHeaders.sameHost(tx.getPeerAddress(), SipHeaders.source(channel))
          && (request == null || java.util.Objects.equals(request.getHeader(javax.sip.header.CallIdHeader.NAME),
              response.getHeader(javax.sip.header.CallIdHeader.NAME)));
    }

    @Override
    public void destroy() {}
  }
}
