package io.calltrack.sip.proxy;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.sip.media.MediaLeg;
import io.calltrack.sip.routing.CallPolicy;
import java.time.Duration;
import javax.sip.ClientTransaction;
import javax.sip.ServerTransaction;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied call: its phase, its two sides, its timers. Every method runs on the call's serial
 * executor ({@link #exec}), so nothing here needs locks, and timers fire onto that executor too.
 *
 * <pre>
 *   SETUP --18x--> RINGING --2xx--> ANSWERED --BYE / max duration--> ENDED
 *     |              |
 *     +--------------+--final failure from the line------------------> ENDED
 *     +--------------+--give up upstream (CANCEL, answer timeout, line silent)--> GIVEN_UP
 * </pre>
 *
 * GIVEN_UP calls are over for the caller and the record; a late answer from the line is hung up, as
 * is a forking line's second answer to an ANSWERED call (the caller hears only the first).
 */
final class ProxiedCall {
  private static final Logger LOG = LoggerFactory.getLogger(ProxiedCall.class);
  /**
   * How long a finished call's state stays to absorb late retransmissions and stray BYEs, and to be
   * found by the retry of a refused INVITE (so at least {@code RouterLimits.RETRY_WAIT}).
   */
  static final Duration LINGER = Duration.ofSeconds(8);

  enum Phase { SETUP, RINGING, ANSWERED, GIVEN_UP, ENDED }

  final Proxy proxy;
  final String sipCallId;
  /**
   * The caller's INVITE, parsed: dropped once the call is answered or over (see {@link #release}). What
   * the call still needs of it is kept apart, small: the CANCEL match, the loop key of its branches and,
   * once answered, its Via headers.
   */
  Request invite;
  /** The INVITE's top-Via branch, CSeq number and Request-URI (encoded): what a CANCEL must match (RFC 3261 9.2). */
  final String inviteBranch;
  final long inviteCseq;
  final String inviteUri;
  /**
   * The INVITE's Via headers, encoded, kept when it is dropped at the answer: a 2xx the line sends again
   * (only ever relayed once answered) goes back along them.
   */
  private java.util.List<String> inviteVias = java.util.List.of();
  /** The INVITE's loop key: every branch the router makes for this call starts with it. */
  final String loopKey;
  /** The caller's INVITE transaction: dropped once the call is answered or over (see {@link #answerRelayed}). */
  ServerTransaction inviteSt;
  final SerialExecutor exec;
  final long arrivedNanos;
  final String callerTag;
  final String inTransport;
  final Hop callerHop;
  /**
   * Where the INVITE went: the line's first target, then the next when one failed ({@link #nextTarget});
   * written on the call's executor before the call's first INVITE or a new one is sent, read by the
   * listener's response gate too.
   */
  volatile Hop calleeHop;
  /** What each side may still send inside the call ({@link CallPolicy#admitsInDialogRequest}); made at its first request. */
  private io.calltrack.sip.routing.RequestBudget callerBudget;
  private io.calltrack.sip.routing.RequestBudget lineBudget;
  /** The line's other targets, in the order to try them (RFC 3263 4.3); empty for most lines. */
  private java.util.List<Hop> alternates = java.util.List.of();
  /** The INVITE as it was before it went to the line, while another target may still need a copy of it. */
  Request unsent;
  /** Whether the target the INVITE went to last has answered it at all (any response, 100 included). */
  boolean heardFromTarget;
  private io.netty.util.Timeout silenceTimer;
  /**
   * The line the call rings: the business line, then each overflow line in turn ({@link #nextLine}).
   * Shared with every call to the same line: cloned before it goes into a message.
   */
  volatile SipURI businessLine;
  /** Which of the property's lines {@link #businessLine} is: 0 the business line, 1.. its overflow lines. */
  int lineIndex;
  /** The property's lines the call goes to next when this one does not take it; empty for most calls. */
  private java.util.List<NextLine> nextLines = java.util.List.of();
  /** How long a line rings before the next one ({@link io.calltrack.core.config.Overflow}); null: no next line. */
  private Duration ring;

  /** One of the property's lines a call may go on to: its index, URI and targets, to try in turn. */
  record NextLine(int index, SipURI uri, java.util.List<Hop> hops) {}
  /**
   * The caller's target (RFC 3261 12.1), encoded: its INVITE's Contact, then that of its last target
   * refresh answered 2xx ({@link #targetRefreshed}). Every request relayed to the caller goes to it.
   */
  String callerContact;
  /**
   * Each side's route set past the router (RFC 3261 12.1), encoded, nearest proxy first: the only Route
   * entries a request relayed in the call carries (see {@link #routesTowards}). The caller's: the
   * INVITE's Record-Route; the line's: its first tagged provisional's Record-Route past the router,
   * then its answer's.
   */
  private final java.util.List<String> routesToCaller;
  private java.util.List<String> routesToLine = java.util.List.of();

  /** The tracking number the caller dialled: set before the call is published, never changed. */
  io.calltrack.core.phone.PhoneNumber dialled;
  /**
   * The record of a call the line refused asking for the INVITE again ({@link CallPolicy#invitesRetry}):
   * it waits ({@link CallPolicy#retryWait}, at most while the call lingers) for the caller's retry to
   * take it over ({@link #takeOverRecord}), or is closed as it would have been, at the time of the
   * refusal ({@link #closeAwaitedRecord}). Whichever comes first takes it. Without this, every challenged call was two records, a failed one
   * and the one that connected, and counted twice in every report.
   */
  private volatile AwaitedRetry awaitedRetry;
  /** Swaps {@link #awaitedRetry} atomically without an object per call (few calls are ever refused so). */
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<ProxiedCall, AwaitedRetry> AWAITED =
      java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(ProxiedCall.class, AwaitedRetry.class,
          "awaitedRetry");

  private record AwaitedRetry(CallObserver record, java.time.Instant at, CallStatus status, Integer code,
      io.vertx.core.Future<io.calltrack.sip.media.MediaAnchor.Outcome> media) {}

  // touched on exec only
  /** Written on the call's executor only; volatile for {@link #triedAgainBy}, asked on the listener's thread. */
  private volatile Phase phase = Phase.SETUP;
  private boolean recorded;
  CallObserver observer;
  /** The call's media through the relay (rtpengine), set before the call's first task. */
  MediaLeg media;
  /** The INVITE towards the business line: dropped once the call is answered or over (see {@link #answerRelayed}). */
  ClientTransaction inviteCt;
  /** The business line's tag: from its first tagged 18x, then its 2xx. */
  String calleeTag;
  /**
   * The tags of the line's other early dialogs (a forking line's 18x from another desk), until the
   * answer, each with its target (its 18x's Contact): requests in each go through as in the first's.
   * Null until a second one.
   */
  private java.util.Map<String, String> otherEarlyTags;
  /**
   * The business line's target, encoded (see {@link #callerContact}): its first tagged provisional's
   * Contact, then its answer's, then that of its last target refresh answered 2xx.
   */
  String calleeContact;
  /** The answered dialog's ends, for the BYEs the router sends itself at the longest call (see {@link #dialog}). */
  private AnsweredDialog dialog;
  /** The highest CSeq of the requests each side sent in the dialog: a request of the router's goes past it. */
  private long callerCseq;
  private long lineCseq;
  /** The last re-INVITE each side sent through the router (see {@link RelayedReInvite}); null until one. */
  private RelayedReInvite reInviteOfCaller;
  private RelayedReInvite reInviteOfLine;
  /**
   * An INVITE the router sent on (the call's own, or a relayed re-INVITE) whose CANCEL waits for its
   * first provisional response (RFC 3261 9.1), or whose CANCEL the line answered 481: CANCELled at its
   * next one. Kept apart from {@link #inviteCt}, which the call drops when it ends; null when no CANCEL
   * waits. (The call's INVITE is CANCELled only before the answer, a re-INVITE only after it: one at a time.)
   */
  private ClientTransaction cancelAtProvisional;
  /** The to-tags of answers the router hung up itself (see {@code Proxy#hangUpUnheardAnswer}); null until one. */
  private java.util.Set<String> answersHungUp;
  /**
   * Dropped once cancelled: a cancelled timeout still holds its task, and so the call's lambdas, for as
   * long as the call holds it (an answered call minutes, an ended one {@link #LINGER}).
   */
  private io.netty.util.Timeout answerTimer;
  private io.netty.util.Timeout maxTimer;
  /** Until the caller ACKs the answer ({@link #acknowledged}): then dropped, as {@link #answerTimer}. */
  private io.netty.util.Timeout ackTimer;

  ProxiedCall(Proxy proxy, String sipCallId, Request invite, ServerTransaction inviteSt, SerialExecutor exec,
      long arrivedNanos, String callerTag, String inTransport, Hop callerHop, Hop calleeHop, SipURI businessLine,
      String callerContact, String loopKey) {
    this.proxy = proxy;
    this.sipCallId = sipCallId;
    this.invite = invite;
    this.inviteBranch = SipHeaders.topBranch(invite);
    this.inviteCseq = SipHeaders.cseq(invite);
    this.inviteUri = invite.getRequestURI().toString();
    this.loopKey = loopKey;
    this.inviteSt = inviteSt;
    this.exec = exec;
    this.arrivedNanos = arrivedNanos;
    this.callerTag = callerTag;
    this.inTransport = inTransport;
    this.callerHop = callerHop;
    this.calleeHop = calleeHop;
    this.businessLine = businessLine;
    this.callerContact = callerContact;
    this.callerCseq = inviteCseq;
    this.routesToCaller = SipHeaders.headerValues(invite, javax.sip.header.RecordRouteHeader.NAME);
  }

  Phase phase() {
    return phase;
  }

  /** Still being set up: the caller has not had a final response. */
  boolean settingUp() {
    return phase == Phase.SETUP || phase == Phase.RINGING;
  }

  /** Not yet over for the caller: set up or answered. */
  boolean live() {
    return phase != Phase.GIVEN_UP && phase != Phase.ENDED;
  }

  /**
   * Whether {@code invite}, a new INVITE transaction with this call's Call-ID, is its caller trying the
   * call again after its final answer: the same From tag, a higher CSeq (RFC 3261 22.2: credentials
   * after a 401/407; RFC 4028: a longer Session-Expires after a 422). A new call, not a loop.
   */
  boolean triedAgainBy(Request invite) {
    return !live() && java.util.Objects.equals(callerTag, SipHeaders.fromTag(invite))
        && SipHeaders.cseq(invite) > inviteCseq;
  }

  /**
   * A tagged provisional response of the line's: its tag makes an early dialog, the first or another;
   * {@code routes}, its route set past the router; {@code contact}, its target. A forking line's other
   * early dialogs share the first's route set: they come from the same hop.
   */
  void earlyDialog(String lineTag, java.util.List<String> routes, String contact) {
    if (calleeTag == null) {
      calleeTag = lineTag;
      routesToLine = routes;
      calleeContact = contact;
    } else if (!calleeTag.equals(lineTag)) {
      if (otherEarlyTags == null) {
        otherEarlyTags = new java.util.HashMap<>(2);
      }
      otherEarlyTags.putIfAbsent(lineTag, contact);
    }
  }

  /**
   * The line answered with this tag, {@code routes} as its route set past the router and
   * {@code contact} as its target: its other early dialogs are over (RFC 3261 13.2.2.4).
   */
  void answeredWith(String lineTag, java.util.List<String> routes, String contact) {
    calleeTag = lineTag;
    otherEarlyTags = null;
    routesToLine = routes;
    calleeContact = contact;
  }

  /**
   * The Route entries past the router of a request in this call going to {@code side}, nearest first
   * (empty: none): the dialog's route set, whatever the sender wrote. Entries of its own would steer a
   * proxy on that side (a line's PBX behind its own proxy) to a host the call never named, with the
   * router as the hop it trusts.
   */
  java.util.List<String> routesTowards(CallPolicy.Side side) {
    return side == CallPolicy.Side.CALLER ? routesToCaller : routesToLine;
  }

  /** Whether {@code tag} is the line's in this call: its dialog's, or, before the answer, one of its early dialogs'. */
  boolean isLineTag(String tag) {
    return tag != null && (tag.equals(calleeTag) || (otherEarlyTags != null && otherEarlyTags.containsKey(tag)));
  }

  /**
   * Where a request in this call to {@code side} goes (its Request-URI), encoded: that side's target,
   * for the line the target of its dialog {@code lineTag}; null when that side gave none.
   */
  String targetOf(CallPolicy.Side side, String lineTag) {
    if (side == CallPolicy.Side.CALLER) {
      return callerContact;
    }
    return isOtherEarlyTag(lineTag) ? otherEarlyTags.get(lineTag) : calleeContact;
  }

  /**
   * {@code side} gave {@code contact} (null: none) in a target refresh (a re-INVITE or UPDATE, or its
   * 2xx) of the line's dialog {@code lineTag} that was answered 2xx: its new target (RFC 3261 12.2).
   */
  void targetRefreshed(CallPolicy.Side side, String lineTag, String contact) {
    if (contact == null) {
      return;
    }
    if (side == CallPolicy.Side.CALLER) {
      callerContact = contact;
    } else if (isOtherEarlyTag(lineTag)) {
      otherEarlyTags.put(lineTag, contact);
    } else {
      calleeContact = contact;
    }
  }

  /** Whether {@code tag} is one of a forking line's early dialogs other than its first. */
  private boolean isOtherEarlyTag(String tag) {
    return otherEarlyTags != null && tag != null && !tag.equals(calleeTag) && otherEarlyTags.containsKey(tag);
  }

  /** Whether the line's 2xx with this to-tag is the answer the caller got (or a copy of it). */
  boolean isTheAnswer(String toTag) {
    return java.util.Objects.equals(calleeTag, toTag);
  }

  /** Whether the router hung up the line's answer with this to-tag. */
  boolean answerHungUp(String toTag) {
    return answersHungUp != null && answersHungUp.contains(toTag);
  }

  /** The router hangs up the line's answer with this to-tag: true the first time (the BYE goes once). */
  boolean hangingUp(String toTag) {
    if (answersHungUp == null) {
      answersHungUp = new java.util.HashSet<>(2);
    }
    return answersHungUp.add(toTag);
  }

  /** {@code invite} is CANCELled at its next provisional response (see {@link #cancelAtProvisional}). */
  void cancelAtProvisional(ClientTransaction invite) {
    cancelAtProvisional = invite;
  }

  /**
   * {@code invite} got a response with {@code code}: whether the CANCEL that waited for it goes now (a
   * provisional one). Any response ends the wait: after a final one nothing is left to cancel.
   */
  boolean cancelDue(ClientTransaction invite, int code) {
    if (invite == null || cancelAtProvisional != invite) {
      return false;
    }
    cancelAtProvisional = null;
    return code < 200;
  }

  /**
   * What the router needs to end an answered call itself (RFC 3261 12.2.1.1), encoded: the dialog's
   * From (the caller's, tagged) and To (the line's, tagged); each side's route set is
   * {@link #routesTowards}. Taken from the answer, as the INVITE is dropped then.
   */
  record AnsweredDialog(String callerFrom, String lineTo) {}

  /** The dialog the caller's answer made (see {@link AnsweredDialog}). */
  void dialogMade(AnsweredDialog made) {
    dialog = made;
  }

  AnsweredDialog dialog() {
    return dialog;
  }

  /**
   * A re-INVITE the router relayed: its CSeq and the Via headers it came with (encoded). Its 2xx is sent
   * again until the ACK comes, after the relayed transaction is over: each copy goes back along them.
   */
  record RelayedReInvite(long cseq, java.util.List<String> vias) {}

  void reInviteRelayed(CallPolicy.Side from, RelayedReInvite reInvite) {
    if (from == CallPolicy.Side.CALLER) {
      reInviteOfCaller = reInvite;
    } else {
      reInviteOfLine = reInvite;
    }
  }

  /** The last re-INVITE {@code from} sent through the router; null if none. */
  RelayedReInvite reInviteOf(CallPolicy.Side from) {
    return from == CallPolicy.Side.CALLER ? reInviteOfCaller : reInviteOfLine;
  }

  /** A request of {@code from}'s in the dialog, with this CSeq, went through. */
  void requestRelayed(CallPolicy.Side from, long cseq) {
    if (from == CallPolicy.Side.CALLER) {
      callerCseq = Math.max(callerCseq, cseq);
    } else {
      lineCseq = Math.max(lineCseq, cseq);
    }
  }

  /** The CSeq of a request the router sends in the dialog in {@code side}'s name: past that side's last. */
  long nextCseqOf(CallPolicy.Side side) {
    return (side == CallPolicy.Side.CALLER ? callerCseq : lineCseq) + 1;
  }

  /** The line's other targets, to try in this order when one fails (before the call's first task). */
  void alternates(java.util.List<Hop> hops) {
    alternates = hops;
  }

  boolean hasAlternate() {
    return !alternates.isEmpty();
  }

  /** {@code side}'s budget of requests inside the call, made by {@code policy} at its first request. */
  io.calltrack.sip.routing.RequestBudget budgetOf(CallPolicy.Side side, CallPolicy policy) {
    if (side == CallPolicy.Side.CALLER) {
      return callerBudget != null ? callerBudget : (callerBudget = policy.inDialogBudget());
    }
    return lineBudget != null ? lineBudget : (lineBudget = policy.inDialogBudget());
  }

  /** The lines to go on to when this one does not take the call, each after {@code ringEach} (before the call's first task). */
  void nextLines(java.util.List<NextLine> lines, Duration ringEach) {
    nextLines = lines;
    ring = ringEach;
  }

  boolean hasNextLine() {
    return !nextLines.isEmpty();
  }

  /** Whether the call has somewhere else to go when its target fails: another target, or another line. */
  boolean mayMoveOn() {
    return hasAlternate() || hasNextLine();
  }

  /**
   * While the call is set up, moves it to the property's next line, at its first target, and returns
   * it; null when none remains. The line before is forgotten (its early dialogs), and the new one gets
   * its own ring time ({@link #forwarded}).
   */
  NextLine nextLine() {
    if (nextLines.isEmpty() || !settingUp()) {
      return null;
    }
    NextLine next = nextLines.get(0);
    nextLines = nextLines.subList(1, nextLines.size());
    businessLine = next.uri();
    lineIndex = next.index();
    alternates = next.hops().subList(1, next.hops().size());
    calleeHop = next.hops().get(0);
    forgetTarget();
    cancelAnswerTimer(); // the next line rings for its own time
    return next;
  }

  /**
   * While the call is set up, moves it to the line's next target and returns it, the last target's
   * early dialogs forgotten; null when none remains (or the call is no longer set up).
   */
  Hop nextTarget() {
    if (alternates.isEmpty() || !settingUp()) {
      return null;
    }
    calleeHop = alternates.get(0);
    alternates = alternates.subList(1, alternates.size());
    forgetTarget();
    return calleeHop;
  }

  /** The call left its target: what that target said (its early dialogs) and its silence timer go. */
  private void forgetTarget() {
    heardFromTarget = false;
    calleeTag = null;
    calleeContact = null;
    otherEarlyTags = null;
    routesToLine = java.util.List.of();
    cancelAtProvisional = null;
    proxy.cancelTimer(silenceTimer);
    silenceTimer = null;
  }

  // ------------------------------------------------------------ transitions

  /**
   * The INVITE went to a line (to its first target, or the next): the line rings for the overflow's
   * ring time (at most {@code answerTimeout}) when another line follows ({@code onRingOut} then), else
   * until {@code answerTimeout}; counted from its first target. {@code onSilence} runs when the target
   * sent nothing at all within {@code silence}, when the call has somewhere else to go.
   */
  void forwarded(Duration answerTimeout, Duration silence, Runnable onSilence, Runnable onRingOut) {
    if (answerTimer == null) {
      answerTimer = hasNextLine()
          ? proxy.timer(ring.compareTo(answerTimeout) < 0 ? ring : answerTimeout, this, () -> {
            if (settingUp()) {
              onRingOut.run();
            }
          })
          : proxy.timer(answerTimeout, this, () -> giveUpUpstream(CallPolicy.GiveUp.NO_ANSWER));
    }
    if (mayMoveOn()) {
      Hop target = calleeHop;
      silenceTimer = proxy.timer(silence, this, () -> {
        if (settingUp() && !heardFromTarget && calleeHop == target) {
          onSilence.run();
        }
      });
    }
  }

  /** The line rings: true the first time (post-dial delay and the record's ringing time are taken once). */
  boolean ringing() {
    if (phase != Phase.SETUP) {
      return false;
    }
    phase = Phase.RINGING;
    observer.ringing(proxy.now());
    return true;
  }

  /**
   * The line answered while the caller still waited: the call lasts at most {@code maxDuration}, and
   * its caller has {@code ackWait} to ACK the answer ({@link CallPolicy#ackWait}).
   */
  void answered(int code, Duration maxDuration, Duration ackWait) {
    phase = Phase.ANSWERED;
    cancelAnswerTimer();
    observer.answered(proxy.now(), code);
    // a peer lost the call (crashed, or its BYE never came): hang up both, or they stay off-hook
    maxTimer = proxy.timer(maxDuration, this, () -> hangUpBothSides("had no BYE after " + maxDuration));
    ackTimer = proxy.timer(ackWait, this, () -> hangUpBothSides("had no ACK of its answer after " + ackWait));
  }

  /** The caller ACKed the answer. */
  void acknowledged() {
    proxy.cancelTimer(ackTimer);
    ackTimer = null;
  }

  private void hangUpBothSides(String why) {
    if (phase == Phase.ANSWERED) {
      LOG.warn("call {} {}: ending it with a BYE to each side", sipCallId, why);
      proxy.hangUpBothSides(this);
      end(CallStatus.ANSWERED, null);
    }
  }

  /**
   * The one way a call is given up towards the caller (its CANCEL, no answer in time, the line silent
   * or unreachable): stop the line ringing, tell the caller, close the record.
   */
  void giveUpUpstream(CallPolicy.GiveUp why) {
    if (!settingUp()) {
      return;
    }
    phase = Phase.GIVEN_UP;
    cancelAnswerTimer();
    proxy.cancelDownstream(this);
    proxy.respond(inviteSt, invite, why.code, why.reason);
    record(why.status, why.code);
  }

  /** The end of an answered call, or of one the router gave up (its record is closed already). */
  void end(CallStatus status, Integer code) {
    end(status, code, false);
  }

  /**
   * The line's final failure, relayed to the caller, or the end of an answered call. A failure that
   * asks the caller to send the INVITE again ({@code retryMayFollow}: a challenge, a longer session
   * interval) leaves the record waiting for the retry (see {@link #awaitedRetry}).
   */
  void end(CallStatus status, Integer code, boolean retryMayFollow) {
    if (phase == Phase.ENDED) {
      return;
    }
    phase = Phase.ENDED;
    cancelTimers();
    inviteVias = java.util.List.of(); // a 2xx sent again is relayed only while the call is answered
    if (retryMayFollow) {
      awaitRetry(status, code);
    } else {
      record(status, code);
    }
  }

  private void awaitRetry(CallStatus status, Integer code) {
    recorded = true;
    // the relay forgets this attempt now: the retry offers its SDP again, with the same Call-ID and tag
    io.vertx.core.Future<io.calltrack.sip.media.MediaAnchor.Outcome> ended =
        media.state() != MediaLeg.State.OFF ? media.end() : null;
    awaitedRetry = new AwaitedRetry(observer, proxy.now(), status, code, ended);
    proxy.endedAwaitingRetry(this);
    proxy.timer(proxy.retryWait(), this, this::closeAwaitedRecord);
    over();
  }

  /**
   * The retry of this call (same Call-ID and From tag, a higher CSeq), to {@code number}, takes its
   * record over: the record the call is waiting with, or null if there is none (the call was not refused
   * that way, its wait is over, or the retry dials another number, which makes another call).
   */
  CallObserver takeOverRecord(io.calltrack.core.phone.PhoneNumber number) {
    if (!number.equals(dialled)) {
      exec.execute(this::closeAwaitedRecord); // another call: this one's retry is not coming
      return null;
    }
    AwaitedRetry waiting = AWAITED.getAndSet(this, null);
    if (waiting == null) {
      return null;
    }
    if (waiting.media() != null) {
      waiting.media().onSuccess(waiting.record()::mediaDropped);
    }
    return waiting.record();
  }

  /** No retry came ({@link CallPolicy#retryWait} is over, or the router stops): the record is closed as refused. */
  void closeAwaitedRecord() {
    AwaitedRetry waiting = AWAITED.getAndSet(this, null);
    if (waiting != null) {
      proxy.notRetried(waiting.status());
      waiting.record().ended(waiting.at(), waiting.status(), waiting.code());
      if (waiting.media() != null) {
        waiting.media().onSuccess(waiting.record()::media);
      }
    }
  }

  private void record(CallStatus status, Integer code) {
    if (recorded) {
      return;
    }
    recorded = true;
    observer.ended(proxy.now(), status, code);
    if (media.state() != MediaLeg.State.OFF) { // no relay configured: nothing to say about media, no event
      media.end().onSuccess(observer::media); // the relay forgets the call; its recording is closed
    }
    proxy.ended(this, status);
    over();
  }

  /** The call is over for the caller and its record is closed, or waits for a retry. */
  private void over() {
    // the call lingers LINGER for retransmissions: with 8 scored candidates an attributed call's recorder
    // holds a few KB, which every young GC of those seconds would copy
    observer = CallObserver.ENDED;
    exec.execute(this::release); // after the task that ended the call: it may still relay the final response
    proxy.timer(LINGER, this, () -> proxy.forget(this));
  }

  /**
   * The call is over: its INVITE transactions are the stack's alone from here (their RFC 3261 timers
   * absorb retransmissions and end them), so a lingering call does not keep them, their messages and
   * their bytes on the heap for {@link #LINGER}; nor the parsed INVITE, the largest thing a call holds.
   * At 1,000 calls/s that was 8,000 of each.
   */
  private void release() {
    inviteSt = null;
    inviteCt = null;
    invite = null;
    unsent = null;
    alternates = java.util.List.of();
    nextLines = java.util.List.of();
  }

  /**
   * The answer went to the caller: the INVITE's transactions are the stack's alone from here (a proxy
   * relays the 2xx's retransmissions and the ACK outside them), so the call keeps only the INVITE's
   * Vias. An answered call lasts minutes; with the parsed INVITE and both transactions it held ~12 KB
   * of heap for all that time.
   */
  void answerRelayed() {
    if (invite != null) {
      inviteVias = SipHeaders.viaValues(invite);
    }
    release();
  }

  /** The INVITE's Via headers as kept at the answer (see {@link #answerRelayed}). */
  java.util.List<String> inviteVias() {
    return inviteVias;
  }

  /** Call over, or router stopping: no timer of this call fires after it. */
  void cancelTimers() {
    cancelAnswerTimer();
    acknowledged();
    proxy.cancelTimer(maxTimer);
    maxTimer = null;
  }

  private void cancelAnswerTimer() {
    proxy.cancelTimer(answerTimer);
    answerTimer = null;
    proxy.cancelTimer(silenceTimer);
    silenceTimer = null;
  }
}
