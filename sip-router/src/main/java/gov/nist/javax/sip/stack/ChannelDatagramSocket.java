package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP listening point's socket over a non-blocking {@link DatagramChannel}, as the stack sees it: a
 * {@link DatagramSocket} it sends with. The thread that reads it ({@link SocketReads}) can then tell
 * a datagram that was waiting ({@link #receiveNow}) from a socket found empty ({@link #awaitDatagram}),
 * which a blocking read cannot tell it. Only what the stack and {@link SocketReads} use is
 * implemented; the placeholder the superclass is made with is never bound.
 */
final class ChannelDatagramSocket extends DatagramSocket {
  private final DatagramChannel channel;
  private final InetSocketAddress local;
  /** Each reading thread's own selector: a selector is one thread's to wait on. */
  private final ThreadLocal<Selector> selectors;
  private final List<Selector> allSelectors = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private ChannelDatagramSocket(DatagramChannel channel) throws IOException {
    super((SocketAddress) null);
    super.close(); // the unbound placeholder holds a descriptor of its own: let it go
    this.channel = channel;
    this.local = (InetSocketAddress) channel.getLocalAddress();
    this.selectors = ThreadLocal.withInitial(this::newSelector);
  }

  /**
   * Bound to {@code address}:{@code port} with the given buffer sizes (0: the system's).
   */
  static ChannelDatagramSocket bind(InetAddress address, int port, int receiveBuffer, int sendBuffer)
      throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    try {
      if (receiveBuffer > 0) {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      }
      if (sendBuffer > 0) {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
      }
      channel.bind(new InetSocketAddress(address, port));
      channel.configureBlocking(false);
      return new ChannelDatagramSocket(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Tests only: run between a new selector's registration and its listing, the window a close() may fall in. */
  static volatile Runnable betweenRegisterAndList;

  /**
   * A selector the channel is registered with, listed for {@link #close}. A registered channel keeps
   * its socket, and so its port, until every selector it is registered with lets it go: a close() that
   * ran before this one was listed did not close it, so it is closed here.
   */
  private Selector newSelector() {
    Selector s = null;
    try {
      s = Selector.open();
      channel.register(s, SelectionKey.OP_READ);
      Runnable window = betweenRegisterAndList;
      if (window != null) {
        window.run();
      }
      allSelectors.add(s);
      if (closed) {
        s.close(); // close() may have listed the selectors before this one
      }
      return s;
    } catch (IOException e) {
      closeQuietly(s);
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void closeQuietly(Selector s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  /** A datagram that is waiting, read into {@code into}; null if none is (never waits). */
  SocketAddress receiveNow(ByteBuffer into) throws IOException {
    try {
      return channel.receive(into);
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    }
  }

  /** Waits until a datagram may be waiting, or the socket is closed. */
  void awaitDatagram() throws IOException {
    try {
      Selector s = selectors.get(); // listed in allSelectors before it is returned
      // checked after that: a close() from here on finds this selector and closes it, which ends
      // select(); checked before it, a close() between the selector's registration and its listing
      // left the thread selecting on a closed channel for ever
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      s.select();
      s.selectedKeys().clear();
    } catch (ClosedSelectorException | java.io.UncheckedIOException e) { // closed meanwhile
      throw new SocketException("Socket is closed");
    }
  }

  /**
   * Sends the datagram, waiting for room in the socket's send buffer as a blocking socket would
   * (a full send buffer is rare: it holds megabytes and drains at the interface's speed).
   */
  @Override
  public void send(DatagramPacket p) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
    SocketAddress to = p.getSocketAddress();
    try {
      while (channel.send(bytes, to) == 0) {
        LockSupport.parkNanos(50_000);
      }
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    }
  }

  /** A blocking read, for a caller that is not a {@link SocketReads}. */
  @Override
  public void receive(DatagramPacket p) throws IOException {
    ByteBuffer into = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getData().length - p.getOffset());
    SocketAddress from;
    while ((from = receiveNow(into)) == null) {
      awaitDatagram();
    }
    p.setLength(into.position() - p.getOffset());
    p.setSocketAddress(from);
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing: nothing to do about it
    }
    for (Selector s : allSelectors) {
      closeQuietly(s); // wakes a thread waiting on it, and lets the channel's socket go
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean isBound() {
    return true;
  }

  @Override
  public InetAddress getLocalAddress() {
    return local.getAddress();
  }

  @Override
  public int getLocalPort() {
    return local.getPort();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return local;
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    option(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return option(StandardSocketOptions.SO_RCVBUF);
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    option(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return option(StandardSocketOptions.SO_SNDBUF);
  }

  /** No timeout applies: {@link SocketReads} waits until a datagram comes or the socket closes. */
  @Override
  public void setSoTimeout(int timeout) {
  }

  private void option(java.net.SocketOption<Integer> name, int value) throws SocketException {
    try {
      channel.setOption(name, value);
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }

  private int option(java.net.SocketOption<Integer> name) throws SocketException {
    try {
      return channel.getOption(name);
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }
}
