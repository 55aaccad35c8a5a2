package gov.nist.javax.sip.stack;

import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's message processors ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}), with UDP
 * message threads that read the socket themselves ({@link SocketReads}).
 *
 * <p>The stack's own UDP processor has a receive thread that allocates a {@code MAX_MESSAGE_SIZE}
 * (8 KB) buffer for every datagram and queues it for a message thread, which copies the datagram's
 * bytes out before parsing. That cost 13 % of what the router allocated at 1,000 calls/s, and a
 * thread wake-up per datagram on top of the one the kernel makes for the receive thread. Here the
 * message thread is the one the kernel wakes, and it reads into a buffer it keeps. This lives in
 * JAIN-SIP's package because the message channel and queue it feeds are package-private there.
 */
public final class CompactUdpMessageProcessorFactory extends OIOMessageProcessorFactory {
  @Override
  public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
      String transport) throws IOException {
    if (!"UDP".equalsIgnoreCase(transport)) {
      return super.createMessageProcessor(stack, address, port, transport);
    }
    stack.udpFlag = true;
    return new Udp(address, stack, port);
  }

  /** The UDP listening point: its message threads read the socket ({@link #reads}). */
  public static final class Udp extends UDPMessageProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CompactUdpMessageProcessorFactory.class);

    Udp(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
      super(address, stack, port);
    }

    /**
     * What the kernel granted short of the receive buffer asked, in words, or null when it granted it
     * (or nothing was asked). Java reports the size granted (at most net.core.rmem_max), not the doubled
     * figure Linux's getsockopt gives: comparing half of it with the ask warned at every start on a
     * host whose rmem_max was exactly the 4 MB asked.
     */
    static String receiveBufferShortfall(int asked, int granted) {
      return asked > 0 && granted < asked ? granted / 1024 + " KB, not the " + asked / 1024 + " KB asked" : null;
    }

    /**
     * Whether this process has warned of a short receive buffer yet: the limit is the host's, every
     * router of the process gets the same buffer, and the launcher starts two (the warm-up's and the
     * real one), which printed the same warning twice, once for a loopback port nobody reads.
     */
    private static final AtomicBoolean SHORTFALL_WARNED = new AtomicBoolean();

    /**
     * The message threads read the socket themselves ({@link SocketReads}): no receive thread, no
     * queue between it and them. They are made here, before start returns: with the stack's own
     * loop, a stack stopped right after it started (a test's phone, a callback dialer closed at
     * once) could reach {@link #stop} before the list was set, and stop threw a NullPointerException.
     * Without a thread pool (THREAD_POOL_SIZE -1: a thread per datagram) the stack's own loop runs.
     */
    @Override
    public void start() throws IOException {
      if (sipStack.threadPoolSize == -1) {
        super.start();
        return;
      }
      // the same address, port and buffers as the socket the stack opened, non-blocking
      InetAddress address = sock.getLocalAddress();
      int port = sock.getLocalPort();
      sock.close();
      int receiveBuffer = sipStack.getReceiveUdpBufferSize();
      ChannelDatagramSocket socket = ChannelDatagramSocket.bind(address, port, receiveBuffer,
          sipStack.getSendUdpBufferSize());
      sock = socket;
      // datagrams the message thread has not read yet wait in this buffer, and past it are lost
      String shortfall = receiveBufferShortfall(receiveBuffer, socket.getReceiveBufferSize());
      if (shortfall != null && SHORTFALL_WARNED.compareAndSet(false, true)) {
        LOG.warn("the router's UDP receive buffers are {}: datagrams that arrive while the router is behind"
            + " (a GC pause, a burst) are dropped sooner; raise net.core.rmem_max to at least {}",
            shortfall, receiveBuffer);
      }
      // as large as the stack's own buffer: MAX_MESSAGE_SIZE if set and smaller than its 8 KB
      // (getMaximumMessageSize() is the socket's receive buffer, not this)
      int max = sipStack.getMaxMessageSize();
      messageQueue = new SocketReads(this, socket,
          max > 0 && max < SipStackImpl.MAX_DATAGRAM_SIZE ? max : SipStackImpl.MAX_DATAGRAM_SIZE);
      isRunning = true; // before the threads: one that reads a datagram checks it next
      LinkedList<MessageChannel> channels = new LinkedList<>();
      for (int i = 0; i < sipStack.threadPoolSize; i++) {
        channels.add(new UDPMessageChannel(sipStack, this,
            ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-" + i));
      }
      messageChannels = channels;
    }

    /** Where the message threads read datagrams; null without a thread pool. */
    public SocketReads reads() {
      return messageQueue instanceof SocketReads r ? r : null;
    }

    /** Without a thread pool only (see {@link #start}): a datagram at its own size, each on a new thread. */
    @Override
    public void run() {
      int max = sipStack.getMaxMessageSize();
      byte[] buffer = new byte[max > 0 && max < SipStackImpl.MAX_DATAGRAM_SIZE ? max : SipStackImpl.MAX_DATAGRAM_SIZE];
      DatagramPacket received = new DatagramPacket(buffer, buffer.length);
      int failuresInARow = 0;
      while (isRunning) {
        try {
          received.setLength(buffer.length); // its length is what receive() may fill (its contract)
          sock.receive(received);
          int length = received.getLength();
          new UDPMessageChannel(sipStack, this, new DatagramPacket(Arrays.copyOf(buffer, length), length,
              received.getAddress(), received.getPort()));
          failuresInARow = 0;
        } catch (SocketTimeoutException e) {
          // no datagram within the socket's timeout: look at isRunning again
        } catch (SocketException e) {
          if (!isRunning) {
            return; // stop() closed the socket
          }
          report(e, ++failuresInARow);
        } catch (Exception e) {
          report(e, ++failuresInARow);
        }
      }
    }

    // like the stack's own loop: a failing socket is reported a few times, not once per datagram
    private static void report(Exception e, int failuresInARow) {
      if (failuresInARow <= 10) {
        LOG.warn("receiving a UDP datagram failed: {}", e.toString());
      }
    }
  }
}
