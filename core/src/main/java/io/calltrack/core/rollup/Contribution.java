package io.calltrack.core.rollup;

import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.report.Money;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one call adds to its property's rollups as the call stands now: the day and hour it started
 * (in the property's timezone), its value for every dimension, and its counts. The rollup script
 * subtracts the call's previous contribution and adds this one, so a call changing (answered, ended,
 * an outcome set and changed again) only ever moves the figures by the difference.
 *
 * <p>Counting rules: every call counts in {@code calls}; {@code answered} when its status is answered;
 * {@code missed} when it ended unanswered (missed, busy, abandoned, failed); {@code qualified},
 * {@code conversions} from the outcome's flags; {@code revenue} is the outcome's value (minor units)
 * whether or not the call is marked converted; {@code duration} is talk time in seconds.
 */
public record Contribution(String day, int hour, Map<String, String> dims, String caller, int live,
    Map<String, Long> m) {

  public static Contribution of(CallRecord call, ZoneId zone) {
    ZonedDateTime start = call.startedAt().atZone(zone);
    Map<String, String> dims = new LinkedHashMap<>();
    for (Dimension d : Dimension.values()) {
      dims.put(d.json(), d.valueOf(call));
    }
    CallStatus s = call.status();
    CallOutcome o = call.outcome();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("calls", 1L);
    m.put("answered", s == CallStatus.ANSWERED ? 1L : 0L);
    m.put("missed", s != CallStatus.ANSWERED && s != CallStatus.RINGING ? 1L : 0L);
    m.put("qualified", o != null && Boolean.TRUE.equals(o.qualified()) ? 1L : 0L);
    m.put("conversions", o != null && Boolean.TRUE.equals(o.converted()) ? 1L : 0L);
    m.put("revenue", o != null && o.value() != null ? Money.toMinor(o.value(), "value") : 0L);
    m.put("duration", call.durationSeconds() == null ? 0L : call.durationSeconds());
    boolean live = s == CallStatus.RINGING || (s == CallStatus.ANSWERED && call.endedAt() == null);
    return new Contribution(start.toLocalDate().toString(), start.getHour(), dims, callerKey(call.caller()),
        live ? 1 : 0, m);
  }

  /** Callers are told apart by what the trunk sent; anonymous or missing callers are not counted as people. */
  static String callerKey(String caller) {
    if (caller == null || caller.isBlank() || caller.strip().equalsIgnoreCase("anonymous")) {
      return "";
    }
    return caller.strip();
  }

  public String json() {
    return JsonMapper.write(this);
  }
}
