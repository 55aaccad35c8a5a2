package io.calltrack.sip.proxy;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketTimeoutException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's network layer ({@code gov.nist.javax.sip.NETWORK_LAYER}) with limits on SIP over TCP:
 * JAIN-SIP spends two threads on every accepted connection, so connections are limited per source
 * address and in total (past either, a new one is closed at once), and one that sends nothing for the
 * idle timeout is closed. Limits come from the stack's properties {@link #TOTAL}, {@link #PER_SOURCE}
 * and {@link #IDLE_MILLIS}. UDP sockets are the plain ones. The callback dialer's stack (a
 * {@code SipEndpoint}) has it too, with the defaults: there no source is one the proxy serves.
 *
 * <p>It also opens outbound connections only to where the proxy may send ({@link Proxy#mayConnectTo}):
 * JAIN-SIP opens a new connection to the address a message names whenever it has none to reuse (a
 * response whose request's connection has closed goes to the Via sent-by, a stateless one to
 * received/rport), so without this a fuzzed Via made the router connect to a host only it named.
 * Refused, the message is dropped: a response to a source outside the trunks goes back on the
 * connection its request came on, or nowhere.
 *
 * <p>And every TCP socket it makes, accepted or opened, is a {@link ChannelSocket}: one whose streams
 * can still be asked for after it closed (see there why).
 */
public final class TcpLimits implements NetworkLayer {
  public static final String TOTAL = "calltrack.TCP_MAX_CONNECTIONS";
  public static final String PER_SOURCE = "calltrack.TCP_MAX_CONNECTIONS_PER_SOURCE";
  public static final String IDLE_MILLIS = "calltrack.TCP_IDLE_MILLIS";
  private static final Logger LOG = LoggerFactory.getLogger(TcpLimits.class);
  /** How long an outbound connection may take to open, as in JAIN-SIP's own network layer. */
  private static final int CONNECT_MILLIS = 8000;

  private final NetworkLayer plain = DefaultNetworkLayer.SINGLETON;
  private int total = 2000;
  private int perSource = 64;
  private int idleMillis = 180_000;
  private SipStackImpl stack;

  @Override
  public void setSipStack(SipStackImpl stack) {
    this.stack = stack;
    plain.setSipStack(stack);
    Properties p = stack.getConfigurationProperties();
    if (p != null) {
      total = Integer.parseInt(p.getProperty(TOTAL, Integer.toString(total)));
      perSource = Integer.parseInt(p.getProperty(PER_SOURCE, Integer.toString(perSource)));
      idleMillis = Integer.parseInt(p.getProperty(IDLE_MILLIS, Integer.toString(idleMillis)));
    }
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    return new Limited(port, backlog, bindAddress, total, perSource, idleMillis, this::served);
  }

  /** A trunk or a live call's business line: the sources the router serves ({@link Proxy#mayConnectTo}). */
  private boolean served(InetAddress source) {
    return stack != null && stack.getSipListener() instanceof Proxy proxy && proxy.mayConnectTo(source);
  }

  /**
   * Accepts only connections within the limits; each closes its slot when it closes. Sources the
   * router does not serve share at most half the slots, so that hosts the trunks' list leaves out
   * (their requests get 403), however many, cannot take every slot from the trunks.
   */
  private static final class Limited extends ServerSocket {
    private final int total;
    private final int perSource;
    private final int idleMillis;
    private final java.util.function.Predicate<InetAddress> served;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger openToOthers = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> bySource = new ConcurrentHashMap<>();

    Limited(int port, int backlog, InetAddress bind, int total, int perSource, int idleMillis,
        java.util.function.Predicate<InetAddress> served) throws IOException {
      super(port, backlog, bind);
      this.total = total;
      this.perSource = perSource;
      this.idleMillis = idleMillis;
      this.served = served;
    }

    @Override
    public Socket accept() throws IOException {
      while (true) {
        Counted s = new Counted();
        implAccept(s);
        InetAddress source = s.getInetAddress();
        boolean other = !served.test(source);
        AtomicInteger fromSource = bySource.computeIfAbsent(source, a -> new AtomicInteger());
        int all = open.incrementAndGet();
        int mine = fromSource.incrementAndGet();
        int others = other ? openToOthers.incrementAndGet() : 0;
        s.release = () -> release(source, fromSource, other);
        if (all > total || mine > perSource || others > total / 2) {
          LOG.debug("TCP connection from {} refused: {} open, {} from it, {} from sources not served", source, all,
              mine, others);
          s.close();
          continue;
        }
        s.setSoTimeout(idleMillis); // a read that waits this long ends the connection
        return s;
      }
    }

    private void release(InetAddress source, AtomicInteger fromSource, boolean other) {
      open.decrementAndGet();
      if (other) {
        openToOthers.decrementAndGet();
      }
      if (fromSource.decrementAndGet() <= 0) {
        bySource.remove(source, fromSource);
      }
    }
  }

  /**
   * A socket whose streams can still be asked for once it is closed: its input is then at its end and
   * its output refuses to write. JAIN-SIP's TCP channel writes a message and only then, finding its
   * socket changed, takes the streams of the socket it wrote on. When the peer closes the connection
   * as soon as the message arrives (a business line that hangs up its connection on the BYE it just
   * answered, a caller that leaves after the final response), the channel's reader thread has closed
   * the socket in that gap, and the stock socket's "Socket is closed" made the stack report a message
   * it had delivered as failed: the proxy answered the caller's relayed BYE with 503. Here the channel
   * goes on, its new reader finds the input at its end and closes the connection as the stock one
   * would. A write on a closed socket still fails, as before, so nothing undelivered passes for sent.
   */
  static class ChannelSocket extends Socket {
    private static final OutputStream CLOSED = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new SocketException("Socket is closed");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new SocketException("Socket is closed");
      }
    };

    ChannelSocket() {
    }

    ChannelSocket(SocketImpl impl) throws SocketException {
      super(impl);
    }

    @Override
    public InputStream getInputStream() throws IOException {
      try {
        return super.getInputStream();
      } catch (SocketException e) {
        if (isClosed()) {
          return InputStream.nullInputStream();
        }
        throw e;
      }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      try {
        return super.getOutputStream();
      } catch (SocketException e) {
        if (isClosed()) {
          return CLOSED;
        }
        throw e;
      }
    }
  }

  /** A socket that gives its slot back once, when it closes. */
  private static final class Counted extends ChannelSocket {
    volatile Runnable release;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    Counted() throws SocketException {
      super((SocketImpl) null);
    }

    @Override
    public synchronized void close() throws IOException {
      try {
        super.close();
      } finally {
        Runnable r = release;
        if (r != null && released.compareAndSet(false, true)) {
          r.run();
        }
      }
    }
  }

  /** Refuses an outbound connection to an address the proxy has no business with. */
  private void mayConnect(InetAddress address, int port) throws IOException {
    if (stack != null && stack.getSipListener() instanceof Proxy proxy && !proxy.mayConnectTo(address)) {
      LOG.debug("outbound TCP connection to {}:{} refused: neither a trunk nor a call's business line", address, port);
      throw new java.net.ConnectException("not a trunk nor a business line: " + address.getHostAddress());
    }
  }

  // ---------------------------------------------------------------- the rest as JAIN-SIP does it

  @Override
  public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
    return plain.createSSLServerSocket(port, backlog, bindAddress);
  }

  @Override
  public Socket createSocket(InetAddress address, int port) throws IOException {
    return createSocket(address, port, null, 0);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    return createSocket(address, port, myAddress, 0);
  }

  /**
   * A {@link ChannelSocket} connected as JAIN-SIP's own network layer connects: from {@code myAddress}
   * when given, on a port of the system's choosing ({@code myPort} goes unused there too), with 8 s to
   * connect.
   */
  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
    mayConnect(address, port);
    ChannelSocket socket = new ChannelSocket();
    try {
      if (myAddress != null) {
        socket.bind(new InetSocketAddress(myAddress, 0));
      }
      socket.connect(new InetSocketAddress(address, port), CONNECT_MILLIS);
      return socket;
    } catch (SocketTimeoutException e) {
      socket.close();
      throw new ConnectException("Socket timeout error (8sec) " + address + ":" + port);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
    mayConnect(address, port);
    return plain.createSSLSocket(address, port);
  }

  @Override
  public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
    mayConnect(address, port);
    return plain.createSSLSocket(address, port, myAddress);
  }

  @Override
  public DatagramSocket createDatagramSocket() throws SocketException {
    return plain.createDatagramSocket();
  }

  @Override
  public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
    // the UDP processor reopens it non-blocking, at the same address, port and buffer sizes
    // (gov.nist.javax.sip.stack.CompactUdpMessageProcessorFactory)
    return plain.createDatagramSocket(port, laddr);
  }
}
