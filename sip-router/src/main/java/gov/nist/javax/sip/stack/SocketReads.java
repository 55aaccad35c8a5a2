package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a UDP listening point's message thread takes its next datagram from: the socket itself. The
 * stack's message threads take datagrams from the processor's queue ({@code messageQueue.take()});
 * with this in its place, taking is reading the socket, so the thread that parses and handles a
 * message is the one the kernel wakes for it, as in Kamailio's UDP workers. A receive thread that
 * queued for a message thread cost each message a second thread wake-up: on a virtual machine that
 * was most of what reading the socket cost.
 *
 * <p>With no queue, what waits is in the socket's kernel buffer. What the router needs to know of it
 * (how long its thread has been behind: to hand call work to other threads, and for overload) comes
 * from the reads: the socket is non-blocking ({@link ChannelDatagramSocket}), so a read either finds a
 * datagram waiting or finds the socket empty and waits for one. {@link #behindNanos} is how long the
 * thread has gone without finding the socket empty: no datagram still waiting has waited longer.
 * With several message threads it is the last waiting thread's.
 */
public final class SocketReads extends AbstractQueue<DatagramQueuedMessageDispatch>
    implements BlockingQueue<DatagramQueuedMessageDispatch> {
  private static final Logger LOG = LoggerFactory.getLogger(SocketReads.class);

  private final UDPMessageProcessor processor;
  private final ChannelDatagramSocket socket;
  /**
   * Each message thread's buffer, the packet over it that the message channel reads, and the one
   * dispatch that hands the packet over: the message channel takes only its packet, and is done with
   * it before it takes the next (a dispatch per datagram, with a wall-clock stamp nothing read, was
   * an allocation and a clock read per message).
   */
  private final ThreadLocal<Reader> readers;
  /** A thread waits for a datagram: the socket was found empty. */
  private volatile boolean waiting;
  /** When a thread last found the socket empty (it then read the datagram it waited for). */
  private volatile long emptyAt = System.nanoTime();

  private record Reader(ByteBuffer buffer, DatagramPacket packet, DatagramQueuedMessageDispatch dispatch) {}

  /** The largest datagram handled; a larger one is dropped whole ({@link #take}). */
  private final int maxMessage;
  private final AtomicLong oversized = new AtomicLong();

  SocketReads(UDPMessageProcessor processor, ChannelDatagramSocket socket, int maxMessage) {
    this.processor = processor;
    this.socket = socket;
    this.maxMessage = maxMessage;
    this.readers = ThreadLocal.withInitial(() -> {
      // a byte more than the largest message: a read that fills it was cut (the channel drops the
      // rest of a datagram silently)
      byte[] bytes = new byte[maxMessage + 1];
      DatagramPacket packet = new DatagramPacket(bytes, bytes.length);
      return new Reader(ByteBuffer.wrap(bytes), packet, new DatagramQueuedMessageDispatch(packet, 0));
    });
  }

  /**
   * The next datagram, read from the socket on the calling thread; null once the processor stopped.
   * Its bytes are in a buffer of this thread's, reused at its next take: the message channel copies
   * them out before it parses, as it does a queued datagram's. The dispatch is this thread's too,
   * the same at every take.
   */
  @Override
  public DatagramQueuedMessageDispatch take() {
    Reader r = readers.get();
    boolean waited = false;
    int failuresInARow = 0;
    while (processor.isRunning) {
      try {
        r.buffer().clear();
        SocketAddress from = socket.receiveNow(r.buffer());
        if (from == null) {
          waiting = true;
          waited = true;
          socket.awaitDatagram();
          continue;
        }
        if (waited) {
          emptyAt = System.nanoTime();
          waiting = false;
        }
        if (r.buffer().position() > maxMessage) {
          // cut, it would be parsed as a shorter message: an INVITE without the headers or the
          // body past the cut. Over UDP a sender gets no answer to a datagram this large (RFC 3261
          // 18.1.1 sends such requests over TCP)
          dropOversized(from);
          continue;
        }
        r.packet().setData(r.buffer().array(), 0, r.buffer().position());
        r.packet().setSocketAddress(from);
        return r.dispatch();
      } catch (IOException | RuntimeException e) {
        if (!processor.isRunning) {
          return null; // stop() closed the socket
        }
        report(e, ++failuresInARow);
      }
    }
    return null;
  }

  /**
   * How long the thread has gone without finding the socket empty: 0 while it waits in a read, else
   * the time since a read last found the socket empty. No datagram still waiting can have waited longer.
   *
   * @param now {@link System#nanoTime}, as the reads stamp their times
   */
  public long behindNanos(long now) {
    return waiting ? 0 : Math.max(0, now - emptyAt);
  }

  /** As {@link #take}: the thread auditor's timed take (not enabled in the router) reads without a bound. */
  @Override
  public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) {
    return take();
  }

  private void dropOversized(SocketAddress from) {
    long n = oversized.incrementAndGet();
    if (n <= 10 || Long.bitCount(n) == 1) { // the first ten, then the 16th, 32nd, 64th...
      LOG.warn("dropped a UDP datagram from {} larger than {} bytes (MAX_MESSAGE_SIZE), {} so far", from,
          maxMessage, n);
    }
  }

  // like the stack's own loop: a failing socket is reported a few times, not once per datagram
  private static void report(Exception e, int failuresInARow) {
    if (failuresInARow <= 10) {
      LOG.warn("receiving a UDP datagram failed: {}", e.toString());
    }
  }

  // Nothing is ever queued in memory: no one offers, and there is nothing to peek at or drain.

  @Override
  public boolean offer(DatagramQueuedMessageDispatch d) {
    throw new UnsupportedOperationException("datagrams are read from the socket, not queued");
  }

  @Override
  public boolean offer(DatagramQueuedMessageDispatch d, long timeout, TimeUnit unit) {
    return offer(d);
  }

  @Override
  public void put(DatagramQueuedMessageDispatch d) {
    offer(d);
  }

  @Override
  public DatagramQueuedMessageDispatch poll() {
    return null;
  }

  @Override
  public DatagramQueuedMessageDispatch peek() {
    return null;
  }

  @Override
  public int size() {
    return 0;
  }

  @Override
  public int remainingCapacity() {
    return 0;
  }

  @Override
  public Iterator<DatagramQueuedMessageDispatch> iterator() {
    return Collections.emptyIterator();
  }

  @Override
  public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c) {
    return 0;
  }

  @Override
  public int drainTo(Collection<? super DatagramQueuedMessageDispatch> c, int maxElements) {
    return 0;
  }
}
