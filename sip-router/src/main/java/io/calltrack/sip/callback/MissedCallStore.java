package io.calltrack.sip.callback;

import io.calltrack.core.callback.Callback;
import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;

/** Where missed calls' callbacks are asked for and cancelled: the callback store, as a lead's request is. */
public interface MissedCallStore {
  /** Stores the callback (refused past the property's limits; a callback already asked is that one). */
  Future<Callback> ask(Callback callback, PropertyConfig property);

  /** Cancels {@code phone}'s missed calls' callbacks not being placed, {@code why}; answers how many. */
  Future<Integer> cancel(PropertyConfig property, String phone, String why);
}
