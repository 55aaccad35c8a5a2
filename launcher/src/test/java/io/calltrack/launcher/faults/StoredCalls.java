package io.calltrack.launcher.faults;

import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.testing.Await;
import java.util.ArrayList;
import java.util.List;

/** What the fault tests read back after the fault: every call record in the store. */
final class StoredCalls {
  private StoredCalls() {}

  /** Every call record in the store, page by page. */
  static List<CallRecord> all(RedisCallStore store) {
    List<CallRecord> all = new ArrayList<>();
    String cursor = null;
    do {
      CallPage page = Await.result(store.page(null, null, RedisCallStore.MAX_PAGE, cursor));
      all.addAll(page.calls());
      cursor = page.next();
    } while (cursor != null);
    return all;
  }
}
