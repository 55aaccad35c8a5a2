package gov.nist.javax.sip.stack;

import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's message processors ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}), with a UDP
 * receive loop that allocates per datagram only what the datagram holds.
 *
 * <p>The stack's own loop allocates a {@code MAX_MESSAGE_SIZE} (8 KB) buffer for every datagram and
 * queues it, though the message thread copies out the datagram's bytes before parsing: at 1,000
 * calls/s, 13 % of what the router allocated (40 of ~320 KB per call). This loop receives into one
 * buffer it keeps and queues an exact-size copy (the queue is read by another thread, so the buffer
 * itself must never be queued). It lives in JAIN-SIP's package because the message channel and queue
 * it feeds are package-private there.
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

  static final class Udp extends UDPMessageProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CompactUdpMessageProcessorFactory.class);

    Udp(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
      super(address, stack, port);
    }

    /**
     * The message threads are made here, before the receive thread starts, not in {@link #run} as the
     * stack's own loop does: there a stack stopped right after it started (a test's phone, a callback
     * dialer closed at once) could reach {@link #stop} before {@code run} had set the list, and stop
     * threw a NullPointerException.
     */
    @Override
    public void start() throws IOException {
      LinkedList<MessageChannel> channels = new LinkedList<>();
      if (sipStack.threadPoolSize != -1) {
        for (int i = 0; i < sipStack.threadPoolSize; i++) {
          channels.add(new UDPMessageChannel(sipStack, this,
              ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-" + i));
        }
      }
      messageChannels = channels;
      super.start();
    }

    @Override
    public void run() {
      // as large as the stack's own buffer: MAX_MESSAGE_SIZE if set and smaller than its 8 KB
      // (getMaximumMessageSize() is the socket's receive buffer, not this)
      int max = sipStack.getMaxMessageSize();
      byte[] buffer = new byte[max > 0 && max < SipStackImpl.MAX_DATAGRAM_SIZE ? max : SipStackImpl.MAX_DATAGRAM_SIZE];
      DatagramPacket received = new DatagramPacket(buffer, buffer.length);
      int failuresInARow = 0;
      while (isRunning) {
        try {
          received.setLength(buffer.length); // its length is what receive() may fill (its contract)
          sock.receive(received);
          int length = received.getLength();
          DatagramPacket datagram = new DatagramPacket(Arrays.copyOf(buffer, length), length,
              received.getAddress(), received.getPort());
          if (sipStack.threadPoolSize != -1) {
            messageQueue.offer(new DatagramQueuedMessageDispatch(datagram, System.currentTimeMillis()));
          } else {
            new UDPMessageChannel(sipStack, this, datagram);
          }
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
