package io.calltrack.sip.proxy;

import io.calltrack.sip.RouterMetrics;
import io.calltrack.sip.routing.CallPolicy;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers the router gives itself, as Kamailio's sl and tm reply functions: statelessly to what
 * it refuses (no transaction kept), in a server transaction to what it takes, and always back to
 * where the request came from, whatever its Via says. The proxy decides what to answer (with
 * {@link CallPolicy}); this class only sends it. The callback dialer answers what it refuses the same
 * way ({@link #sendBack}).
 */
public final class Answers {
  private static final Logger LOG = LoggerFactory.getLogger(Answers.class);

  private final SipProvider provider;
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final RouterMetrics metrics;
  private final RefusedInvites refused;

  Answers(SipProvider provider, MessageFactory messages, HeaderFactory headers, RouterMetrics metrics,
      RefusedInvites refused) {
    this.provider = provider;
    this.messages = messages;
    this.headers = headers;
    this.metrics = metrics;
    this.refused = refused;
  }

  /**
   * Answers a request the proxy does not take, statelessly (as Kamailio's sl_send_reply): no
   * transaction is kept for it, so a refused forgery (a CANCEL from outside the trunks, say) cannot
   * occupy the transaction the genuine request needs, and a flood leaves no state behind.
   */
  void reject(RequestEvent evt, int code, String reason, Integer retryAfterSeconds) {
    if (code >= 300) {
      metrics.rejected();
    }
    answer(evt, code, reason, retryAfterSeconds);
  }

  /**
   * A new INVITE (its Call-ID as already read) refused: answered as {@link #reject}, and its
   * retransmissions will get the same answer.
   */
  void refuse(RequestEvent evt, String callId, int code, String reason, Integer retryAfterSeconds) {
    refused.refused(callId, SipHeaders.topBranch(evt.getRequest()), code, reason, retryAfterSeconds);
    reject(evt, code, reason, retryAfterSeconds);
  }

  /** Answers a request in its transaction when it has one, else statelessly back where it came from. */
  void answer(RequestEvent evt, int code, String reason, Integer retryAfterSeconds) {
    Request req = evt.getRequest();
    try {
      sendBack(provider, evt, response(req, code, reason, retryAfterSeconds));
    } catch (Exception e) {
      LOG.debug("could not send {} for {}: {}", code, req.getMethod(), e.toString());
    }
  }

  /**
   * Sends {@code r}, the answer to a request not taken, in the request's transaction when the stack
   * made one, else statelessly back where it came from ({@link #backToSource}); either way no
   * transaction is kept for it, so the answer is never sent again (an INVITE's final response would be,
   * until its ACK: a flood of forged requests would have it reflected ten times each).
   */
  public static void sendBack(SipProvider provider, RequestEvent evt, Response r)
      throws SipException, java.text.ParseException, javax.sip.InvalidArgumentException {
    ServerTransaction st = evt.getServerTransaction();
    if (st != null) {
      st.sendResponse(r);
    } else {
      backToSource(r, evt);
      provider.sendResponse(r);
    }
    forgetTransaction(provider, st != null ? st : ((gov.nist.javax.sip.message.SIPRequest) evt.getRequest())
        .getTransaction());
  }

  /**
   * A stateless answer goes where its request came from, never where its Via says (received and
   * rport as RFC 3581, whatever the sender put there): the stack sends it to received:rport, which
   * for TCP is the connection the request came on. Were that gone, the network layer opens none to a
   * source outside the trunks ({@link TcpLimits}): the answer is dropped.
   */
  private static void backToSource(Response r, RequestEvent evt) throws java.text.ParseException {
    if (r.getHeader(ViaHeader.NAME) instanceof gov.nist.javax.sip.header.Via top) {
      pinToSource(top, evt, true);
    }
  }

  /**
   * Before anything answers a request statefully, its top Via names where it came from: received the
   * packet's source address, rport its source port when the sender asked for one (RFC 3581), no
   * maddr. The stack sends a server transaction's answers to maddr, else received, else sent-by, as
   * the sender wrote them: one datagram with a trunk's source address, forged or not, would aim the
   * answers (a call's 100 and final response, the final one resent until Timer H) at a host of the
   * sender's choosing. The Via the line sees below ours says the same.
   */
  public static void pinViaToSource(RequestEvent evt) throws java.text.ParseException {
    if (evt.getRequest().getHeader(ViaHeader.NAME) instanceof gov.nist.javax.sip.header.Via top) {
      pinToSource(top, evt, top.hasParameter(gov.nist.javax.sip.header.Via.RPORT));
    }
  }

  private static void pinToSource(gov.nist.javax.sip.header.Via via, RequestEvent evt, boolean withPort)
      throws java.text.ParseException {
    // the packet's source: the message's "remote" port is the one its Via claims
    gov.nist.javax.sip.message.SIPMessage req = (gov.nist.javax.sip.message.SIPMessage) evt.getRequest();
    java.net.InetAddress from = req.getPeerPacketSourceAddress();
    String ip = from != null ? from.getHostAddress() : SipHeaders.remoteIp(evt);
    int sourcePort = req.getPeerPacketSourcePort() > 0 ? req.getPeerPacketSourcePort() : SipHeaders.remotePort(evt);
    if (ip.isEmpty() || sourcePort <= 0) {
      throw new java.text.ParseException("no source address to answer", 0);
    }
    via.setReceived(ip);
    if (withPort) {
      via.setParameter(gov.nist.javax.sip.header.Via.RPORT, Integer.toString(sourcePort));
    }
    via.removeParameter(gov.nist.javax.sip.header.Via.MADDR);
  }

  /**
   * The stack maps every new request to a would-be server transaction before the listener sees it; a
   * request answered statelessly must not keep one, or it would leak, and the genuine request with the
   * same branch (the caller's own CANCEL after a forged one) would be taken for its retransmission.
   */
  private static void forgetTransaction(SipProvider provider, Object transaction) {
    if (transaction instanceof gov.nist.javax.sip.stack.SIPServerTransaction tx
        && provider.getSipStack() instanceof gov.nist.javax.sip.stack.SIPTransactionStack stack) {
      stack.removePendingTransaction(tx);
      stack.removeTransaction(tx);
    }
  }

  /**
   * The request's server transaction, made now if the stack has none yet; null when the request is a
   * retransmission of one already being handled (JAIN-SIP then answers it from that transaction).
   */
  ServerTransaction serverTransaction(RequestEvent evt) throws SipException {
    ServerTransaction st = evt.getServerTransaction();
    if (st != null) {
      return st;
    }
    try {
      return provider.getNewServerTransaction(evt.getRequest());
    } catch (TransactionAlreadyExistsException retransmission) {
      return null;
    }
  }

  void respond(ServerTransaction st, Request req, int code, String reason) {
    respond(st, req, code, reason, null);
  }

  void respond(ServerTransaction st, Request req, int code, String reason, Integer retryAfterSeconds) {
    try {
      st.sendResponse(response(req, code, reason, retryAfterSeconds));
    } catch (Exception e) {
      LOG.debug("could not send {} for {}: {}", code, req.getMethod(), e.toString());
    }
  }

  private Response response(Request req, int code, String reason, Integer retryAfterSeconds) throws Exception {
    Response r = messages.createResponse(code, req);
    if (reason != null) {
      r.setReasonPhrase(reason);
    }
    if (retryAfterSeconds != null) {
      r.setHeader(headers.createRetryAfterHeader(retryAfterSeconds));
    }
    if (code == Response.METHOD_NOT_ALLOWED || (code == Response.OK && Request.OPTIONS.equals(req.getMethod()))) {
      for (String method : CallPolicy.ALLOW) { // one header, the stack joins them: Allow: INVITE,ACK,...
        r.addHeader(headers.createAllowHeader(method));
      }
    }
    if (code == Response.BAD_EXTENSION) { // RFC 3261 8.2.2.3: name what is not supported
      for (var it = req.getHeaders(javax.sip.header.ProxyRequireHeader.NAME); it.hasNext(); ) {
        r.addHeader(headers.createUnsupportedHeader(((javax.sip.header.ProxyRequireHeader) it.next()).getOptionTag()));
      }
    }
    ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
    if (code >= 200 && to != null && to.getTag() == null) {
      to.setTag(Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }
    return r;
  }
}
