package io.calltrack.sip.testing;

import io.calltrack.sip.QuietSipListener;
import io.calltrack.sip.SipEndpoint;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.SipStacks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A real SIP user agent on loopback for tests, on JAIN-SIP with its dialog layer: as a caller it
 * sends an INVITE through the router (a Route header to it), ACKs 2xx, and can CANCEL, BYE and
 * re-INVITE along the route set the router recorded; as a business line it answers (180 then 200),
 * rings forever, stays silent or answers busy, and can hang up itself.
 */
public final class SipPhone implements QuietSipListener, AutoCloseable {
  /**
   * How this phone answers: ANSWER rings then answers; BUSY says 486; UNAVAILABLE says 503 (out of
   * service); RING_FOREVER rings; ANSWER_LATE rings, answers after {@link #lateAnswerDelay} and ignores
   * CANCEL (a 200 that crosses the CANCEL).
   */
  public enum Mode { ANSWER, BUSY, UNAVAILABLE, RING_FOREVER, ANSWER_LATE }

  /** While true, an INVITE is counted in {@link #requests} and gets no response at all (a server that is down). */
  public volatile boolean silent;

  public volatile Duration lateAnswerDelay = Duration.ofSeconds(5);


  public final int port;
  private final String host = "127.0.0.1";
  private final SipStack stack;
  private final SipProvider provider;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final AddressFactory addresses;
  private final AtomicLong cseq = new AtomicLong(1);
  private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());

  public volatile Mode mode = Mode.ANSWER;
  /** What this phone answers a REFER with (202 Accepted: it takes the transfer). */
  public volatile int referAnswer = Response.ACCEPTED;
  /** When set, the SDP this phone puts in its 200 to an INVITE (an offer or an answer). */
  public volatile String answerSdp;
  /** Every request and response this phone received, in arrival order. */
  public final List<Request> requests = new CopyOnWriteArrayList<>();
  public final List<Response> responses = new CopyOnWriteArrayList<>();
  private final Map<String, ServerTransaction> pendingInvites = new ConcurrentHashMap<>();
  private volatile ClientTransaction lastInvite;
  private volatile Dialog dialog;
  private final Map<String, Dialog> dialogs = new ConcurrentHashMap<>();

  private SipPhone(String name) throws Exception {
    this.port = EmbeddedRedis.freePort();
    SipEndpoint endpoint = SipEndpoint.open(name, host, port, this);
    stack = endpoint.stack();
    provider = endpoint.provider();
    messages = endpoint.messages();
    headers = endpoint.headers();
    addresses = endpoint.addresses();
  }

  public static SipPhone start(String name) {
    try {
      return new SipPhone(name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start a test SIP phone", e);
    }
  }

  /** {@code sip:+1555...@127.0.0.1:port} — this phone as a business line. */
  public String uri(String user, String transport) {
    return "sip:" + user + "@" + host + ":" + port + ("udp".equals(transport) ? "" : ";transport=" + transport);
  }

  // ------------------------------------------------------------------ caller side

  /** Calls {@code requestUri} through the router at {@code routerPort} over {@code transport}. */
  public String call(String requestUri, int routerPort, String transport) {
    return call(requestUri, routerPort, transport, "+15557770001", null);
  }

  public String call(String requestUri, int routerPort, String transport, String fromUser, String callIdValue) {
    return call(requestUri, routerPort, transport, fromUser, callIdValue, java.util.Map.of());
  }

  /** As {@link #call(String, int, String, String, String)}, with more headers ("Privacy" → "id", say). */
  public String call(String requestUri, int routerPort, String transport, String fromUser, String callIdValue,
      java.util.Map<String, String> extraHeaders) {
    try {
      URI target = addresses.createURI(requestUri);
      SipURI fromUri = addresses.createSipURI(fromUser, host);
      Address from = addresses.createAddress(fromUri);
      CallIdHeader callId = callIdValue == null ? provider.getNewCallId() : headers.createCallIdHeader(callIdValue);
      Request invite = messages.createRequest(target, Request.INVITE, callId,
          headers.createCSeqHeader(cseq.getAndIncrement(), Request.INVITE),
          headers.createFromHeader(from, tag), headers.createToHeader(addresses.createAddress(target), null),
          new ArrayList<>(List.of(headers.createViaHeader(host, port, transport, null))),
          headers.createMaxForwardsHeader(70));
      SipURI contact = addresses.createSipURI(fromUser, host);
      contact.setPort(port);
      contact.setTransportParam(transport);
      invite.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
      SipURI route = addresses.createSipURI(null, host);
      route.setPort(routerPort);
      route.setLrParam();
      route.setTransportParam(transport);
      invite.addHeader(headers.createRouteHeader(addresses.createAddress(route)));
      for (var extra : extraHeaders.entrySet()) {
        invite.addHeader(headers.createHeader(extra.getKey(), extra.getValue()));
      }
      ClientTransaction ct = provider.getNewClientTransaction(invite);
      lastInvite = ct;
      dialog = ct.getDialog();
      ct.sendRequest();
      return callId.getCallId();
    } catch (Exception e) {
      throw new IllegalStateException("cannot place the test call", e);
    }
  }

  public void cancel() {
    try {
      Request cancel = lastInvite.createCancel();
      provider.getNewClientTransaction(cancel).sendRequest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** BYE (or another in-dialog request) on the current dialog, from whichever side this phone is. */
  public void sendInDialog(String method) {
    sendInDialog(method, java.util.Map.of());
  }

  /** As {@link #sendInDialog(String)}, with more headers ("Refer-To" → "&lt;sip:...&gt;", say). */
  public void sendInDialog(String method, java.util.Map<String, String> extraHeaders) {
    try {
      Dialog d = dialog;
      Request req = d.createRequest(method);
      for (var h : extraHeaders.entrySet()) {
        req.addHeader(headers.createHeader(h.getKey(), h.getValue()));
      }
      if (Request.INVITE.equals(method)) {
        SipURI contact = addresses.createSipURI("phone", host);
        contact.setPort(port);
        req.setHeader(headers.createContactHeader(addresses.createAddress(contact)));
      }
      ClientTransaction ct = provider.getNewClientTransaction(req);
      d.sendRequest(ct);
    } catch (Exception e) {
      throw new IllegalStateException("cannot send " + method, e);
    }
  }

  public void bye() {
    sendInDialog(Request.BYE);
  }

  /** BYE on the dialog of the call with this Call-ID (this phone being its caller). */
  public void byeFor(String callId) {
    try {
      Dialog d = dialogs.get(callId);
      if (d == null) {
        throw new AssertionError("no answered call " + callId);
      }
      d.sendRequest(provider.getNewClientTransaction(d.createRequest(Request.BYE)));
    } catch (javax.sip.SipException e) {
      throw new IllegalStateException(e);
    }
  }

  public Response awaitResponseFor(String callId, String method, int code, Duration within) {
    return await(within, () -> responses.stream()
        .filter(r -> r.getStatusCode() == code
            && callId.equals(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId())
            && method.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod()))
        .findFirst().orElse(null), method + " " + code + " of " + callId);
  }

  // ------------------------------------------------------------------ waiting

  public Response awaitResponse(String method, int code, Duration within) {
    return await(within, () -> responses.stream()
        .filter(r -> r.getStatusCode() == code && method.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod()))
        .findFirst().orElse(null), method + " " + code);
  }

  public Response awaitFinal(String method, Duration within) {
    return await(within, () -> responses.stream()
        .filter(r -> r.getStatusCode() >= 200 && method.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod()))
        .findFirst().orElse(null), "a final response to " + method);
  }

  public Request awaitRequest(String method, Duration within) {
    return await(within, () -> requests.stream().filter(r -> method.equals(r.getMethod())).findFirst().orElse(null),
        "a " + method + " request");
  }

  public long count(String method) {
    return requests.stream().filter(r -> method.equals(r.getMethod())).count();
  }

  private static <T> T await(Duration within, java.util.function.Supplier<T> probe, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + within);
      }
      try {
        Thread.sleep(10); // bounded poll for a message, not a wait for time to pass
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  // ------------------------------------------------------------------ JAIN-SIP events

  @Override
  public void processRequest(RequestEvent evt) {
    Request req = evt.getRequest();
    requests.add(req);
    try {
      switch (req.getMethod()) {
        case Request.INVITE -> onInvite(evt);
        case Request.ACK -> { }
        case Request.CANCEL -> onCancel(evt);
        case Request.REFER -> reply(evt, referAnswer);
        default -> reply(evt, Response.OK);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void onInvite(RequestEvent evt) throws Exception {
    Request req = evt.getRequest();
    if (silent && evt.getServerTransaction() == null) {
      return; // no transaction: not even the 100 Trying the stack sends for one left unanswered
    }
    ServerTransaction st = evt.getServerTransaction() != null ? evt.getServerTransaction()
        : provider.getNewServerTransaction(req);
    String toTag = ((ToHeader) req.getHeader(ToHeader.NAME)).getTag();
    if (toTag != null) { // re-INVITE
      st.sendResponse(withContact(messages.createResponse(Response.OK, req)));
      return;
    }
    dialog = st.getDialog();
    pendingInvites.put(((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId(), st);
    switch (mode) {
      case BUSY -> st.sendResponse(tagged(messages.createResponse(Response.BUSY_HERE, req)));
      case UNAVAILABLE -> st.sendResponse(tagged(messages.createResponse(Response.SERVICE_UNAVAILABLE, req)));
      case RING_FOREVER -> st.sendResponse(withContact(tagged(messages.createResponse(Response.RINGING, req))));
      case ANSWER_LATE -> {
        st.sendResponse(withContact(tagged(messages.createResponse(Response.RINGING, req))));
        Response ok = withContact(tagged(messages.createResponse(Response.OK, req)));
        java.util.concurrent.CompletableFuture.delayedExecutor(lateAnswerDelay.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> {
              try {
                st.sendResponse(ok);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
      }
      case ANSWER -> {
        st.sendResponse(withContact(tagged(messages.createResponse(Response.RINGING, req))));
        Response ok = withContact(tagged(messages.createResponse(Response.OK, req)));
        if (answerSdp != null) {
          ok.setContent(answerSdp, headers.createContentTypeHeader("application", "sdp"));
        }
        st.sendResponse(ok);
      }
    }
  }

  private void onCancel(RequestEvent evt) throws Exception {
    Request cancel = evt.getRequest();
    reply(evt, Response.OK);
    if (mode == Mode.ANSWER_LATE) {
      return; // the answer is already on its way
    }
    ServerTransaction invite = pendingInvites.get(((CallIdHeader) cancel.getHeader(CallIdHeader.NAME)).getCallId());
    if (invite != null && invite.getState() != javax.sip.TransactionState.TERMINATED) {
      invite.sendResponse(tagged(messages.createResponse(Response.REQUEST_TERMINATED, invite.getRequest())));
    }
  }

  private void reply(RequestEvent evt, int code) throws Exception {
    ServerTransaction st = evt.getServerTransaction() != null ? evt.getServerTransaction()
        : provider.getNewServerTransaction(evt.getRequest());
    st.sendResponse(messages.createResponse(code, evt.getRequest()));
  }

  private Response tagged(Response r) throws java.text.ParseException {
    ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
    if (to.getTag() == null) {
      to.setTag(tag);
    }
    return r;
  }

  private Response withContact(Response r) throws java.text.ParseException {
    SipURI contact = addresses.createSipURI("line", host);
    contact.setPort(port);
    r.setHeader(headers.createContactHeader(addresses.createAddress(contact)));
    return r;
  }

  @Override
  public void processResponse(ResponseEvent evt) {
    Response r = evt.getResponse();
    CSeqHeader cseqHeader = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
    try {
      if (r.getStatusCode() / 100 == 2 && Request.INVITE.equals(cseqHeader.getMethod())) {
        Dialog d = evt.getDialog() != null ? evt.getDialog() : evt.getClientTransaction().getDialog();
        dialog = d;
        dialogs.put(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId(), d);
        d.sendAck(d.createAck(cseqHeader.getSeqNumber()));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot ACK", e);
    } finally {
      // seen by the test only now: a test that saw the 200 and hangs up at once (byeFor) found no
      // dialog yet when the response was listed before it was stored (a CI run failed so)
      responses.add(r);
    }
  }

  /** The top Via of the last request received: lets tests see what the router put there. */
  public ViaHeader topVia(Request r) {
    return (ViaHeader) r.getHeader(ViaHeader.NAME);
  }

  @Override
  public void processTimeout(TimeoutEvent evt) {}

  @Override
  public void close() {
    SipStacks.stop(stack);
  }
}
