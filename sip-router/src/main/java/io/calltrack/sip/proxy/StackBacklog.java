package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.LongSupplier;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the oldest UDP datagram has waited in the stack's receive queue (between the thread that
 * reads the socket and the one that parses and handles messages). Call work runs on that handling
 * thread ({@link SerialExecutor#executeHere}), so when the router cannot keep up this queue is where
 * the wait builds, and a long queue is the sign to hand call work to other threads. The stack keeps
 * the queue in a protected field; it is read once, by reflection.
 */
public final class StackBacklog implements LongSupplier {
  private static final Logger LOG = LoggerFactory.getLogger(StackBacklog.class);
  private final List<Queue<DatagramQueuedMessageDispatch>> queues;
  private final LongSupplier millis;

  private StackBacklog(List<Queue<DatagramQueuedMessageDispatch>> queues, LongSupplier millis) {
    this.queues = queues;
    this.millis = millis;
  }

  /** The backlog of every UDP listening point of a started {@code stack} (none readable: always 0). */
  public static StackBacklog of(SipStack stack) {
    return of(stack, System::currentTimeMillis);
  }

  /** As {@link #of(SipStack)}, counting waits with {@code millis} (the stack stamps arrivals with the wall clock). */
  @SuppressWarnings("unchecked")
  static StackBacklog of(SipStack stack, LongSupplier millis) {
    List<Queue<DatagramQueuedMessageDispatch>> queues = new ArrayList<>();
    if (stack instanceof ProxyStack s) {
      try {
        Field field = UDPMessageProcessor.class.getDeclaredField("messageQueue");
        field.setAccessible(true);
        for (MessageProcessor p : s.processors()) {
          if (p instanceof UDPMessageProcessor udp && field.get(udp) instanceof Queue<?> q) {
            queues.add((Queue<DatagramQueuedMessageDispatch>) q);
          }
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("the SIP stack's receive backlog cannot be read ({}); overload is judged by call work alone", e.toString());
      }
    }
    return new StackBacklog(queues, millis);
  }

  /** Nanoseconds the oldest waiting datagram has waited; 0 with none waiting. */
  @Override
  public long getAsLong() {
    long oldest = Long.MAX_VALUE;
    for (Queue<DatagramQueuedMessageDispatch> q : queues) {
      DatagramQueuedMessageDispatch head = q.peek();
      if (head != null) {
        oldest = Math.min(oldest, head.getReceptionTime());
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, millis.getAsLong() - oldest) * 1_000_000L;
  }

  /** Datagrams read and not yet taken for handling. */
  public int waiting() {
    int n = 0;
    for (Queue<DatagramQueuedMessageDispatch> q : queues) {
      n += q.size();
    }
    return n;
  }

  int queues() {
    return queues.size();
  }
}
