package io.calltrack.core.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;

/**
 * Where webhooks and alerts may go. A webhook URL is set per property, by the admin token or by a
 * write API key of that property, so it is a tenant's input: left unchecked, one tenant could make the
 * server POST to its own loopback, to the private network behind it, or to a cloud's metadata address
 * (169.254.169.254). By default ({@link #PUBLIC_ONLY}) a webhook goes only to public addresses: the host
 * is resolved, every address checked, and the connection made to a checked address, so a name cannot
 * be pointed elsewhere between the check and the connection (DNS rebinding). An operator whose CRM is
 * on the private network sets {@code CALLTRACK_WEBHOOKS_PRIVATE=allow} ({@link #ANY}).
 */
public final class WebhookTargets {
  /** The environment variable an operator sets to {@code allow} to let webhooks reach private addresses. */
  public static final String VARIABLE = "CALLTRACK_WEBHOOKS_PRIVATE";

  public static final WebhookTargets PUBLIC_ONLY = new WebhookTargets(false, WebhookTargets::isPublic);
  public static final WebhookTargets ANY = new WebhookTargets(true, a -> true);

  private final boolean privateAllowed;
  private final java.util.function.Predicate<InetAddress> allowed;

  /** Checked with {@code allowed} ({@link #isPublic} but in tests). */
  WebhookTargets(boolean privateAllowed, java.util.function.Predicate<InetAddress> allowed) {
    this.privateAllowed = privateAllowed;
    this.allowed = allowed;
  }

  /** {@code deny} (or unset): public addresses only; {@code allow}: any. Anything else is refused. */
  public static WebhookTargets parse(String value) {
    return io.calltrack.core.net.PublicAddresses.privateAllowed(VARIABLE, value) ? ANY : PUBLIC_ONLY;
  }

  /** As the process's environment says ({@link #VARIABLE}). */
  public static WebhookTargets fromEnvironment() {
    return parse(System.getenv(VARIABLE));
  }

  /**
   * The address to connect to for {@code url}: null when any will do (private addresses allowed: the
   * client resolves the host itself), else a checked public address of its host; fails when the host
   * does not resolve or any of its addresses is not public.
   */
  public Future<SocketAddress> addressOf(Vertx vertx, String url) {
    if (privateAllowed) {
      return Future.succeededFuture(null);
    }
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException("not a URL: " + url));
    }
    String host = u.getHost();
    if (host == null) {
      return Future.failedFuture(new IllegalStateException("no host in " + url));
    }
    int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return vertx.executeBlocking(() -> {
      InetAddress[] all = InetAddress.getAllByName(bare); // a literal address is not looked up
      for (InetAddress a : all) {
        if (!allowed.test(a)) {
          throw new IllegalStateException("webhook host " + host + " is " + a.getHostAddress()
              + ", not a public address (" + VARIABLE + "=allow lets webhooks reach private networks)");
        }
      }
      return SocketAddress.inetSocketAddress(port, all[0].getHostAddress());
    }, false);
  }

  /** See {@link io.calltrack.core.net.PublicAddresses#isPublic}. */
  static boolean isPublic(InetAddress a) {
    return io.calltrack.core.net.PublicAddresses.isPublic(a);
  }
}
