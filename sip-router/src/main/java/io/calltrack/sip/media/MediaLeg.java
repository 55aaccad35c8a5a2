package io.calltrack.sip.media;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's media through rtpengine: the INVITE's SDP is offered, the business line's answer (in an
 * 18x or the 2xx) answered, and the call deleted when it ends; each rewrites the message's SDP to point
 * at rtpengine. Everything here runs on the call's serial executor (replies are handed back to it);
 * the ng requests run one after another (a chain), so a later message's rewrite never overtakes an
 * earlier one, and the delete comes last.
 *
 * <p>An INVITE without SDP (offer in the 200, answer in the ACK) leaves the call unanchored. Re-INVITEs
 * of an anchored call (hold, a new codec) are offered and answered through rtpengine too, from the side
 * that sent them.
 */
public final class MediaLeg {
  private static final Logger LOG = LoggerFactory.getLogger(MediaLeg.class);
  private static final Pattern AUDIO_PORT = Pattern.compile("(?m)^m=audio (\\d+) ");

  /** Where the call's media stands. */
  public enum State { OFF, OFFERING, ANCHORED, UNANCHORED, ENDED }

  private final MediaAnchor anchor;
  private final String callId;
  private final String callerTag;
  private final boolean record;
  private final java.util.concurrent.Executor exec;
  private State state;
  /** Every ng request of this call, in order; completes when the last one has. */
  private Future<Void> chain = Future.succeededFuture();
  private int pending;
  private byte[] answeredFrom;
  private byte[] answeredTo;
  private Path pcap;
  private int callerPort = -1;
  private int linePort = -1;
  /** Set once {@link #end} is asked (on the call's executor), read by a later attempt's leg ({@link #after}). */
  private volatile Future<MediaAnchor.Outcome> ended;

  MediaLeg(MediaAnchor anchor, String callId, String callerTag, boolean record, java.util.concurrent.Executor exec) {
    this.anchor = anchor;
    this.exec = exec;
    this.callId = callId;
    this.callerTag = callerTag;
    this.record = record;
    this.state = anchor.enabled() ? State.UNANCHORED : State.OFF;
  }

  public State state() {
    return state;
  }

  /**
   * This call is the caller's retry of {@code previous} (after a challenge: the same Call-ID and From
   * tag), whose media was ended: this leg's first request waits until rtpengine has answered its delete.
   * Both legs are one call to rtpengine, so a delete that reached it after this leg's offer (two calls'
   * threads, a busy host) took this leg's media with it: unanchored, or anchored and never recorded.
   */
  public void after(MediaLeg previous) {
    Future<MediaAnchor.Outcome> gone = previous == null ? null : previous.ended;
    if (gone != null) {
      chain = gone.mapEmpty();
    }
  }

  /**
   * Offers the INVITE's SDP to rtpengine and puts rtpengine's in its place; completes (never fails) when
   * the INVITE may go on: rewritten, or untouched when rtpengine did not answer or there is no SDP.
   */
  public Future<Void> offer(Message invite) {
    byte[] sdp = sdpOf(invite);
    if (state != State.UNANCHORED || sdp == null) {
      return Future.succeededFuture();
    }
    state = State.OFFERING;
    Map<String, Object> cmd = command("offer");
    cmd.put("sdp", sdp);
    cmd.put("replace", List.of("origin", "session-connection"));
    cmd.put("ICE", "remove");
    if (record) {
      cmd.put("record call", "yes");
    }
    return enqueue(cmd, reply -> {
      if (reply == null) {
        anchor.countUnanswered();
        state = State.UNANCHORED;
        return;
      }
      byte[] rewritten = sdpBytes(reply);
      if (rewritten == null) {
        state = State.UNANCHORED;
        return;
      }
      state = State.ANCHORED;
      anchor.countAnchored();
      linePort = audioPort(rewritten);
      notePcap(reply);
      setSdp(invite, rewritten);
    });
  }

  /**
   * Whether {@code response} must wait for the chain: it carries SDP to answer while the call is
   * anchored, or an earlier message's rewrite is still under way (it must not overtake it).
   */
  public boolean mustWait(Message response) {
    return pending > 0 || (state == State.ANCHORED && sdpOf(response) != null
        && !Arrays.equals(sdpOf(response), answeredFrom));
  }

  /**
   * Answers the business line's SDP in {@code response} (18x or 2xx) and rewrites it; completes (never
   * fails) when the response may be relayed, after every earlier rewrite.
   */
  public Future<Void> answer(Message response, String lineTag) {
    byte[] sdp = sdpOf(response);
    if (state != State.ANCHORED || sdp == null) {
      return enqueue(null, r -> { });
    }
    if (Arrays.equals(sdp, answeredFrom)) {
      return enqueue(null, r -> setSdp(response, answeredTo));
    }
    Map<String, Object> cmd = command("answer");
    cmd.put("to-tag", lineTag);
    cmd.put("sdp", sdp);
    cmd.put("replace", List.of("origin", "session-connection"));
    cmd.put("ICE", "remove");
    return enqueue(cmd, reply -> {
      byte[] rewritten = reply == null ? null : sdpBytes(reply);
      if (rewritten == null) {
        // the offer went through rtpengine: the caller's SDP already points at it, so the answer cannot
        // go end to end now; it is relayed as is and the call is counted as not anchored
        LOG.warn("rtpengine did not answer for call {}: its media may not flow", callId);
        anchor.countUnanswered();
        state = State.UNANCHORED;
        return;
      }
      answeredFrom = sdp;
      answeredTo = rewritten;
      callerPort = audioPort(rewritten);
      notePcap(reply);
      setSdp(response, rewritten);
    });
  }

  /**
   * A 2xx sent again by the line: rewritten as the first was; false when its SDP is not the answered
   * one yet (the rewrite is under way: the caller gets the rewritten answer then, so this copy is dropped).
   */
  public boolean rewriteRetransmission(Message response) {
    byte[] sdp = sdpOf(response);
    if (state != State.ANCHORED || sdp == null) {
      return true;
    }
    if (Arrays.equals(sdp, answeredFrom)) {
      setSdp(response, answeredTo);
      return true;
    }
    return false;
  }

  /**
   * A re-INVITE (from either side: {@code fromTag} is the sender's, {@code toTag} the other side's) of an
   * anchored call: its SDP offered to rtpengine and rewritten; completes (never fails) when it may go on.
   */
  public Future<Void> reoffer(Message reinvite, String fromTag, String toTag) {
    return inDialog("offer", reinvite, fromTag, toTag);
  }

  /** The 2xx answering a re-INVITE sent by {@code fromTag} to {@code toTag}: its SDP answered and rewritten. */
  public Future<Void> reanswer(Message response, String fromTag, String toTag) {
    return inDialog("answer", response, fromTag, toTag);
  }

  /** An in-dialog offer or answer: sent to rtpengine and rewritten if it answers, else relayed as it is. */
  private Future<Void> inDialog(String op, Message message, String fromTag, String toTag) {
    byte[] sdp = sdpOf(message);
    if (state != State.ANCHORED || sdp == null) {
      return Future.succeededFuture();
    }
    Map<String, Object> cmd = command(op);
    cmd.put("from-tag", fromTag);
    cmd.put("to-tag", toTag);
    cmd.put("sdp", sdp);
    cmd.put("replace", List.of("origin", "session-connection"));
    cmd.put("ICE", "remove");
    return enqueue(cmd, reply -> {
      byte[] rewritten = reply == null ? null : sdpBytes(reply);
      if (rewritten != null) {
        setSdp(message, rewritten);
      }
    });
  }

  /** The call is over: rtpengine forgets it (and closes its recording); completes with what became of it. */
  public Future<MediaAnchor.Outcome> end() {
    if (state == State.ENDED) {
      return Future.succeededFuture(MediaAnchor.Outcome.NOT_ANCHORED);
    }
    Promise<MediaAnchor.Outcome> done = Promise.promise();
    ended = done.future();
    Map<String, Object> cmd = command("delete");
    cmd.put("delete delay", 0L); // destroy now: the recording is closed when the reply comes
    chain.onComplete(ignored -> {
      boolean anchored = state == State.ANCHORED;
      state = State.ENDED;
      if (!anchored) { // the relay did not answer: nothing recorded, whatever the property asked
        done.complete(new MediaAnchor.Outcome(false, record, null, -1, -1));
        return;
      }
      anchor.request(cmd).onComplete(ar -> exec.execute(() -> {
        if (ar.failed()) {
          LOG.warn("rtpengine did not delete call {}: {}", callId, ar.cause().getMessage());
        }
        done.complete(new MediaAnchor.Outcome(true, record, pcap, callerPort, linePort));
      }));
    });
    return done.future();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Runs {@code cmd} after every earlier request; {@code then} gets the reply (or null when none came)
   * on the call's executor, and the returned Future completes there, after it.
   */
  private Future<Void> enqueue(Map<String, Object> cmd, java.util.function.Consumer<Map<String, Object>> then) {
    pending++;
    Promise<Void> done = Promise.promise();
    chain.onComplete(ignored -> {
      Future<Map<String, Object>> reply = cmd == null ? Future.succeededFuture(null) : anchor.request(cmd);
      reply.onComplete(ar -> exec.execute(() -> {
        if (ar.failed()) {
          LOG.warn("rtpengine {} for call {}: {}", cmd.get("command"), callId, ar.cause().getMessage());
        }
        try {
          then.accept(ar.succeeded() ? ar.result() : null);
        } catch (RuntimeException e) {
          LOG.warn("media of call {}: {}", callId, e.toString());
        } finally {
          pending--;
          done.complete();
        }
      }));
    });
    chain = done.future();
    return chain;
  }

  private Map<String, Object> command(String name) {
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("command", name);
    cmd.put("call-id", callId);
    cmd.put("from-tag", callerTag);
    return cmd;
  }

  private void notePcap(Map<String, Object> reply) {
    if (pcap == null && reply.get("recordings") instanceof List<?> files && !files.isEmpty()) {
      pcap = Path.of(String.valueOf(files.get(0)));
    }
  }

  private static byte[] sdpBytes(Map<String, Object> reply) {
    Object sdp = reply.get("sdp");
    return sdp instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
  }

  static int audioPort(byte[] sdp) {
    Matcher m = AUDIO_PORT.matcher(new String(sdp, StandardCharsets.UTF_8));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The message's SDP body, or null when it carries none. */
  static byte[] sdpOf(Message m) {
    ContentTypeHeader type = (ContentTypeHeader) m.getHeader(ContentTypeHeader.NAME);
    byte[] body = m.getRawContent();
    if (type == null || body == null || body.length == 0 || !"application".equalsIgnoreCase(type.getContentType())
        || !"sdp".equalsIgnoreCase(type.getContentSubType())) {
      return null;
    }
    return body;
  }

  private static void setSdp(Message m, byte[] sdp) {
    try {
      m.setContent(sdp, (ContentTypeHeader) m.getHeader(ContentTypeHeader.NAME));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("cannot set SDP: " + e.getMessage(), e);
    }
  }
}
