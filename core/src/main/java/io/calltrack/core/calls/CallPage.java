package io.calltrack.core.calls;

import java.util.List;

/** One page of {@code GET /v1/calls}: newest first; {@code next} is the cursor of the next page, or null. */
public record CallPage(List<CallRecord> calls, String next) {
  public CallPage {
    calls = List.copyOf(calls);
  }
}
