package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.CompactUdpMessageProcessorFactory;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.SocketReads;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import javax.sip.SipStack;

/**
 * How far the SIP stack's thread is behind its UDP socket. Call work runs on that thread
 * ({@link SerialExecutor#executeHere}), which reads the socket itself ({@link SocketReads}), so when
 * the router cannot keep up, datagrams wait in the socket's buffer. How long the thread has gone
 * without finding the socket empty bounds their wait: past a few milliseconds call work goes to other
 * threads ({@link CallWorkDelay#stackBehind}), past the router's queue limit new INVITEs get 503.
 */
public final class StackBacklog implements LongSupplier {
  private final List<SocketReads> reads;
  private final LongSupplier nanos;

  private StackBacklog(List<SocketReads> reads, LongSupplier nanos) {
    this.reads = reads;
    this.nanos = nanos;
  }

  /** The backlog of every UDP listening point of a started {@code stack} (none of ours: always 0). */
  public static StackBacklog of(SipStack stack) {
    return of(stack, System::nanoTime);
  }

  /** As {@link #of(SipStack)}, reading the time from {@code nanos} (the reads stamp with {@link System#nanoTime}). */
  static StackBacklog of(SipStack stack, LongSupplier nanos) {
    List<SocketReads> reads = new ArrayList<>();
    if (stack instanceof ProxyStack s) {
      for (MessageProcessor p : s.processors()) {
        if (p instanceof CompactUdpMessageProcessorFactory.Udp udp && udp.reads() != null) {
          reads.add(udp.reads());
        }
      }
    }
    return new StackBacklog(reads, nanos);
  }

  /**
   * Nanoseconds the stack's thread has gone without finding its socket empty: no datagram still
   * waiting has waited longer. 0 while it waits for one.
   */
  @Override
  public long getAsLong() {
    long behind = 0;
    long now = nanos.getAsLong();
    for (SocketReads r : reads) {
      behind = Math.max(behind, r.behindNanos(now));
    }
    return behind;
  }

  int sockets() {
    return reads.size();
  }
}
