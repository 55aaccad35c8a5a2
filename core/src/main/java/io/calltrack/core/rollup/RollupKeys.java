package io.calltrack.core.rollup;

import java.time.LocalDate;

/**
 * Redis keys of one property's rollups and spend. All share the {@code {roll:<property>}} hash tag so
 * one Lua script can change a call's contribution everywhere at once (one slot on Redis Cluster; each
 * property's rollups on its own slot, so properties spread over the shards):
 * <ul>
 *   <li>{@code day:<yyyy-mm-dd>:total} — hash metric → count for the day (property's timezone)</li>
 *   <li>{@code day:<date>:<dimension>} — hash {@code <metric>:<value>} → count</li>
 *   <li>{@code day:<date>:<dimension>@<model>} — the multi-touch models' credit (source, medium, campaign;
 *       linear, position, timeDecay): hash {@code calls|conversions:<value>} → millionths of a call,
 *       {@code revenue:<value>} → minor units ({@link Contribution#credit})</li>
 *   <li>{@code hour:<date>} — hash local hour (0-23) → calls</li>
 *   <li>{@code hll:<date>:total}, {@code hll:<date>:<dimension>:<value>} — HyperLogLog of callers
 *       (dimension "hour" included: the call's local hour)</li>
 *   <li>{@code hllr:<date>:total}, {@code hllr:<date>:<dimension>:<value>} — HyperLogLog of repeat callers</li>
 *   <li>{@code dashboard-days} — set of the property's days on which its dashboard was read</li>
 *   <li>{@code settings} — JSON of the property's marketing settings ({@link io.calltrack.core.marketing.PropertySettings})</li>
 *   <li>{@code report-deliveries} — hash {@code <every>:<first day>} → JSON of that scheduled report's
 *       delivery (delivered or failed, when, the receiver's answer); periods older than 400 days dropped</li>
 *   <li>{@code report-sending:<every>:<first day>} — the dni-server sending that report (expires: a
 *       server that died sending leaves it to another)</li>
 *   <li>{@code contrib:<callId>} — JSON of what the call currently adds (and the stream id it came from)</li>
 *   <li>{@code callers} — hash caller → {@code <start epoch ms>|<call id>} of the caller's earliest-started
 *       call on the property (a bare call id in data from before start times were kept)</li>
 *   <li>{@code buyers} — hash caller → id of the caller's first converted call on the property</li>
 *   <li>{@code lifetime} — hash since tracking began: {@code customers} (callers with a converted call) and
 *       {@code customerRevenue} (values of their converted calls, minor units)</li>
 *   <li>{@code live} — set of call ids still ringing or talking</li>
 *   <li>{@code spend:<date>} — hash {@code source\tmedium\tcampaign[\tkeyword\tadGroup\tlandingPage]} → amount
 *       in minor units</li>
 * </ul>
 * Metrics: calls, answered, missed, qualified, conversions, revenue (minor units), duration (seconds),
 * first (first-time callers), repeatCalls, firstRevenue and the rest of {@link Contribution}'s.
 */
public final class RollupKeys {
  private final String prefix;

  public RollupKeys(String property) {
    this.prefix = "{roll:" + property + "}:";
  }

  public String prefix() {
    return prefix;
  }

  public String contribution(String callId) {
    return prefix + "contrib:" + callId;
  }

  public String callers() {
    return prefix + "callers";
  }

  public String buyers() {
    return prefix + "buyers";
  }

  public String lifetime() {
    return prefix + "lifetime";
  }

  public String live() {
    return prefix + "live";
  }

  public String day(LocalDate day, String dimensionOrTotal) {
    return prefix + "day:" + day + ":" + dimensionOrTotal;
  }

  public String hour(LocalDate day) {
    return prefix + "hour:" + day;
  }

  public String hllTotal(LocalDate day) {
    return prefix + "hll:" + day + ":total";
  }

  public String hll(LocalDate day, Dimension d, String value) {
    return hll(day, d.json(), value);
  }

  /** The HyperLogLog of one dimension value, the dimension by its {@link Dimension#json()} name. */
  public String hll(LocalDate day, String dimension, String value) {
    return prefix + "hll:" + day + ":" + dimension + ":" + value;
  }

  public String hllRepeat(LocalDate day) {
    return prefix + "hllr:" + day + ":total";
  }

  public String hllRepeat(LocalDate day, String dimension, String value) {
    return prefix + "hllr:" + day + ":" + dimension + ":" + value;
  }

  public String dashboardDays() {
    return prefix + "dashboard-days";
  }

  public String settings() {
    return prefix + "settings";
  }

  public String reportDeliveries() {
    return prefix + "report-deliveries";
  }

  public String reportSending(String period) {
    return prefix + "report-sending:" + period;
  }

  public String spend(LocalDate day) {
    return prefix + "spend:" + day;
  }
}
