package io.calltrack.sip.demo;

import io.calltrack.sip.RequestListener;
import io.calltrack.sip.SipEndpoint;
import io.calltrack.sip.SipStacks;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionState;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's business line: a small SIP endpoint (UDP and TCP) that rings, answers every call, and
 * takes the caller's ACK and BYE (and CANCEL while ringing). {@code ./calltrack demo} starts one and
 * points the demo property's {@code businessLine} at {@link #uri(String)}.
 */
public final class AnsweringEndpoint implements RequestListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AnsweringEndpoint.class);

  private final String host;
  private final int port;
  private final Duration ringFor;
  private final SipStack stack;
  private final SipProvider provider;
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final AddressFactory addresses;
  private final ScheduledExecutorService timers;
  private final Map<String, ServerTransaction> ringing = new ConcurrentHashMap<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();

  private AnsweringEndpoint(String host, int port, Duration ringFor) throws Exception {
    this.host = host;
    this.port = port;
    this.ringFor = ringFor;
    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "calltrack-demo-line");
      t.setDaemon(true);
      return t;
    });
    // the timers exist before the stack starts, so the first INVITE finds them
    SipEndpoint endpoint = SipEndpoint.open("calltrack-demo-line", host, port, this);
    stack = endpoint.stack();
    provider = endpoint.provider();
    messages = endpoint.messages();
    headers = endpoint.headers();
    addresses = endpoint.addresses();
  }

  /**
   * Starts answering on {@code host:port} (UDP and TCP; a real port, JAIN-SIP cannot use 0), ringing
   * each call for {@code ringFor} before answering. Blocking: call it off the event loop.
   */
  public static AnsweringEndpoint start(String host, int port, Duration ringFor) {
    try {
      AnsweringEndpoint e = new AnsweringEndpoint(host, port, ringFor);
      LOG.info("demo business line answering on sip:{}:{} (UDP and TCP)", host, port);
      return e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the demo business line on " + host + ":" + port, e);
    }
  }

  /** The business line's SIP URI for a property's {@code businessLine}, e.g. {@code sip:+15559990000@127.0.0.1:5070}. */
  public String uri(String user) {
    return "sip:" + user + "@" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  /** Calls answered so far. */
  public int answeredCalls() {
    return answered.get();
  }

  /** Answered calls that have been hung up (BYE received). */
  public int endedCalls() {
    return ended.get();
  }

  @Override
  public void processRequest(RequestEvent evt) {
    Request req = evt.getRequest();
    try {
      switch (req.getMethod()) {
        case Request.INVITE -> onInvite(evt);
        case Request.ACK -> { }
        case Request.CANCEL -> onCancel(evt);
        case Request.BYE -> {
          ended.incrementAndGet();
          reply(evt, Response.OK);
        }
        default -> reply(evt, Response.OK);
      }
    } catch (Exception e) {
      LOG.warn("demo business line could not handle {}: {}", req.getMethod(), e.toString());
    }
  }

  private void onInvite(RequestEvent evt) throws Exception {
    Request req = evt.getRequest();
    ServerTransaction st = transaction(evt);
    if (st == null) {
      return;
    }
    if (((ToHeader) req.getHeader(ToHeader.NAME)).getTag() != null) {
      st.sendResponse(answer(messages.createResponse(Response.OK, req), null)); // re-INVITE
      return;
    }
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
    String callId = ((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId();
    st.sendResponse(answer(messages.createResponse(Response.RINGING, req), tag));
    ringing.put(callId, st);
    timers.schedule(() -> {
      if (ringing.remove(callId) == null) {
        return; // cancelled while ringing
      }
      try {
        st.sendResponse(answer(messages.createResponse(Response.OK, req), tag));
        answered.incrementAndGet();
      } catch (Exception e) {
        LOG.warn("demo business line could not answer: {}", e.toString());
      }
    }, ringFor.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void onCancel(RequestEvent evt) throws Exception {
    reply(evt, Response.OK);
    ServerTransaction invite = ringing.remove(((CallIdHeader) evt.getRequest().getHeader(CallIdHeader.NAME)).getCallId());
    if (invite != null && invite.getState() != TransactionState.TERMINATED) {
      Response r = messages.createResponse(Response.REQUEST_TERMINATED, invite.getRequest());
      ((ToHeader) r.getHeader(ToHeader.NAME)).setTag("cancelled");
      invite.sendResponse(r);
    }
  }

  private Response answer(Response r, String tag) throws java.text.ParseException {
    ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
    if (tag != null && to.getTag() == null) {
      to.setTag(tag);
    }
    SipURI contact = addresses.createSipURI("line", host);
    contact.setPort(port);
    r.setHeader(headers.createContactHeader(addresses.createAddress(contact)));
    return r;
  }

  private void reply(RequestEvent evt, int code) throws Exception {
    ServerTransaction st = transaction(evt);
    if (st != null) {
      st.sendResponse(messages.createResponse(code, evt.getRequest()));
    }
  }

  private ServerTransaction transaction(RequestEvent evt) throws Exception {
    if (evt.getServerTransaction() != null) {
      return evt.getServerTransaction();
    }
    try {
      return provider.getNewServerTransaction(evt.getRequest());
    } catch (TransactionAlreadyExistsException retransmission) {
      return null;
    }
  }

  @Override
  public void close() {
    timers.shutdownNow();
    SipStacks.stop(stack);
  }
}
