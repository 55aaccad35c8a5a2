package io.calltrack.sip.proxy;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.ServerResponseInterface;
import java.util.Locale;
import java.util.Properties;
import javax.sip.PeerUnavailableException;

/**
 * The JAIN-SIP stack with two table walks replaced by lookups. For a request whose branch has the
 * RFC 3261 magic cookie, the transaction key is the branch (CANCEL: branch + ":cancel"), so:
 * <ul>
 *   <li>a response that matches no client transaction by its key matches none at all; the stock
 *       stack nevertheless compares it with every client transaction (lower-casing two strings each
 *       time) before handing it to the listener. Every retransmitted 2xx of an answered call took
 *       that walk, and under load (more retransmissions, more live transactions) it ate the router's
 *       only message thread: a profile at 200 calls/s showed a quarter of the CPU there.</li>
 *   <li>the INVITE a CANCEL cancels is the server (or client) transaction keyed by the CANCEL's
 *       branch; the stock stack compared the CANCEL with every transaction.</li>
 * </ul>
 * Requests and responses without the magic cookie (RFC 2543 peers) still take the stock walk. And its
 * server transactions hold less once over ({@link ReleasingServerTransaction}), and neither they nor its
 * client transactions parse their request again at their end ({@link ReleasingClientTransaction}).
 */
public final class ProxyStack extends SipStackImpl {
  private static final String MAGIC_COOKIE = "z9hG4bK";

  /** Whether {@code branch} starts with RFC 3261's magic cookie (any case): its transaction is keyed by it alone. */
  static boolean isRfc3261Branch(String branch) {
    return branch != null && branch.regionMatches(true, 0, MAGIC_COOKIE, 0, MAGIC_COOKIE.length());
  }

  public ProxyStack(Properties properties) throws PeerUnavailableException {
    super(properties);
    // the response gate is installed here, not named in SIP_MESSAGE_VALVE: the stock constructor
    // sleeps 100 ms before it initializes a named valve, at every router start (twice: the warm-up's)
    if (properties.getProperty(VALVE_PROPERTY) == null) {
      ResponseGate gate = new ResponseGate();
      gate.init(this);
      sipMessageValves.add(gate);
    }
  }

  /** The stack setting that names other message valves; when it is set, they replace the response gate. */
  static final String VALVE_PROPERTY = "gov.nist.javax.sip.SIP_MESSAGE_VALVE";

  /** The listening points' processors (the stack keeps the accessor protected). */
  public java.util.List<gov.nist.javax.sip.stack.MessageProcessor> processors() {
    return java.util.List.of(getMessageProcessors());
  }

  /** Whether the server transaction of an RFC 3261 {@code branch} is still in the stack's table. */
  public boolean hasServerTransaction(String branch) {
    return findTransaction(branch.toLowerCase(Locale.ROOT), true) != null;
  }

  /**
   * Server transactions that hold less once over ({@link ReleasingServerTransaction}): an ended
   * INVITE's keeps its request as bytes only, and none parses its request again at its end.
   * With MAX_SERVER_TRANSACTIONS set, the stock transactions, so the stock table limit still applies.
   */
  @Override
  public gov.nist.javax.sip.stack.SIPServerTransaction createServerTransaction(MessageChannel channel) {
    return unlimitedServerTransactionTableSize ? new ReleasingServerTransaction(this, channel)
        : super.createServerTransaction(channel);
  }

  /** Client transactions whose end parses nothing ({@link ReleasingClientTransaction}). */
  @Override
  public gov.nist.javax.sip.stack.SIPClientTransaction createClientTransaction(SIPRequest request,
      MessageChannel channel) {
    var ct = new ReleasingClientTransaction(this, channel);
    ct.setOriginalRequest(request);
    return ct;
  }

  @Override
  public ServerResponseInterface newSIPServerResponse(SIPResponse response, MessageChannel channel) {
    String key = response.getTransactionId();
    if (!isRfc3261Branch(key) || findTransaction(key, false) != null) {
      return super.newSIPServerResponse(response, channel);
    }
    // a stray response (a 2xx retransmission, say): the valves, then straight to the listener
    for (SIPMessageValve valve : sipMessageValves) {
      try {
        if (!valve.processResponse(response, channel)) {
          return null;
        }
      } catch (RuntimeException e) {
        return null; // as the stock stack: a failing valve drops the message
      }
    }
    return sipMessageFactory.newSIPServerResponse(response, channel);
  }

  @Override
  public SIPTransaction findCancelTransaction(SIPRequest cancel, boolean isServer) {
    Via via = cancel.getTopmostVia();
    String branch = via == null ? null : via.getBranch();
    if (!isRfc3261Branch(branch)) {
      return super.findCancelTransaction(cancel, isServer);
    }
    SIPTransaction tx = findTransaction(branch.toLowerCase(Locale.ROOT), isServer);
    return tx != null && tx.doesCancelMatchTransaction(cancel) ? tx : null;
  }
}
