package io.calltrack.dni.admin;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.dni.http.Principal;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number that is already another pool's (409), as the one asking may read it: the admin token sees
 * which pool; an API key of one property sees a pool of its own property named, and another
 * property's only as "in use" (another tenant's names are not that key's business).
 */
final class TakenNumbers {
  private static final Pattern OWNER = Pattern.compile("^(\\S+) belongs to pool (\\S+)$");

  private TakenNumbers() {}

  /** {@code err} as it may reach the caller of a write for {@code property}. */
  static <T> Future<T> asTheCallerMaySee(RoutingContext ctx, ConfigStore store, String property, Throwable err) {
    Principal principal = Principal.of(ctx);
    Matcher m = OWNER.matcher(err instanceof CalltrackException.Conflict c && c.getMessage() != null ? c.getMessage() : "");
    if (principal == null || principal.isAdmin() || !m.matches()) {
      return Future.failedFuture(err);
    }
    return store.pool(m.group(2)).compose(owner -> owner.isPresent() && owner.get().property().equals(property)
        ? Future.failedFuture(err)
        : Future.failedFuture(new CalltrackException.Conflict(m.group(1) + " is in use by another property")));
  }
}
