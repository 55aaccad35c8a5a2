package io.calltrack.core.callback;

import java.util.List;

/**
 * One page of a property's callbacks not finished ({@code GET /v1/callbacks?property=P}): the one a
 * router takes next first; {@code next} is the cursor of the next page, or null on the last.
 */
public record CallbackPage(List<Callback> callbacks, String next) {
  public CallbackPage {
    callbacks = List.copyOf(callbacks);
  }
}
