package io.calltrack.dni.export;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A property's calls that started within some of its local days, read from its call index page by page for
 * an export: its own calls only, so a busy neighbour's calls neither fill the pages nor count against
 * {@link #MAX_PAGES}.
 */
public final class CallPages {
  /** Pages of the property's call index read at most per export (500 calls each). */
  static final int MAX_PAGES = 400;
  static final int PAGE = 500;

  private CallPages() {}

  /** The pages of the calls that started within {@code days} (the property's time zone), newest first as the index gives them. */
  public static Future<List<CallPage>> read(CallStore calls, PropertyConfig p, ReportParams.Days days) {
    Instant start = days.from().atStartOfDay(p.zone()).toInstant();
    Instant end = days.to().plusDays(1).atStartOfDay(p.zone()).toInstant();
    List<CallPage> pages = new ArrayList<>();
    return collect(calls, p.id(), start, end, null, pages).map(v -> pages);
  }

  /** The property's calls of {@code pages}, oldest first: on a worker thread, for a large export. */
  public static List<CallRecord> oldestFirst(List<CallPage> pages, String property) {
    List<CallRecord> out = new ArrayList<>();
    for (int i = pages.size() - 1; i >= 0; i--) {
      List<CallRecord> page = pages.get(i).calls();
      for (int j = page.size() - 1; j >= 0; j--) {
        if (property.equals(page.get(j).property())) {
          out.add(page.get(j));
        }
      }
    }
    return out;
  }

  private static Future<Void> collect(CallStore calls, String property, Instant start, Instant end, String cursor,
      List<CallPage> pages) {
    if (pages.size() >= MAX_PAGES) {
      return Future.failedFuture(new CalltrackException.Invalid("too many calls in the range; export a shorter one"));
    }
    return calls.page(property, start, end, PAGE, cursor).compose(page -> {
      pages.add(page);
      return page.next() == null ? Future.succeededFuture() : collect(calls, property, start, end, page.next(), pages);
    });
  }
}
