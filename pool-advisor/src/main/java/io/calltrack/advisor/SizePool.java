package io.calltrack.advisor;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The pool-sizing advisor ({@code ./calltrack size-pool ...}): simulates a day of the site's traffic
 * against the real pool engine for several pool sizes and prints the smallest pool that attributes
 * the target share of calls exactly, beside the rules of thumb, with a PNG plot and CSV.
 * Runs on {@code --redis-url} / {@code CALLTRACK_REDIS_URL}, else on an embedded redis-server of its own.
 */
public final class SizePool {
  static final Instant DAY = Instant.parse("2026-01-05T00:00:00Z");

  private SizePool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Options that are not traffic settings. */
  record Options(double target, int parallel, String redisUrl, Path out, List<Integer> sizes, int grid) {}

  /** Returns 0 when a pool size reaching the target was found, 1 when none up to the maximum did, 2 on bad usage. */
  public static int run(String[] args, PrintStream out) {
    TrafficParams params;
    Options opts;
    try {
      ParamsReader reader = new ParamsReader();
      double target = 0.99;
      int parallel = 2;
      // the servers' settings: CALLTRACK_REDIS_MODE / _URL / _MASTER (a cluster or Sentinel works too)
      io.calltrack.core.redis.RedisTarget fromEnv = io.calltrack.core.redis.RedisTarget.fromEnv(System.getenv());
      String redisUrl = fromEnv == null ? null : fromEnv.spec();
      Path outDir = Path.of("size-pool-results");
      List<Integer> sizes = List.of();
      int grid = 8;
      List<String[]> flags = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          usage(out);
          return 0;
        }
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument '" + a + "'");
        }
        String name = a.substring(2);
        String value;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        } else {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--" + name + " needs a value");
          }
          value = args[++i];
        }
        flags.add(new String[] {name, value});
      }
      for (String[] f : flags) { // a profile first, then the file, whatever their place, so flags override them
        if (f[0].equals("profile")) {
          Profiles.apply(f[1], reader);
        }
      }
      for (String[] f : flags) { // then what the pool's own sessions show
        if (f[0].equals("from-redis")) {
          String url = flags.stream().filter(g -> g[0].equals("redis-url")).map(g -> g[1]).reduce((a, b) -> b)
              .orElse(redisUrl);
          ObservedTraffic.apply(url, f[1], reader, out);
        }
      }
      for (String[] f : flags) {
        if (f[0].equals("params")) {
          reader.file(Path.of(f[1]));
        }
      }
      for (String[] f : flags) {
        switch (f[0]) {
          case "params", "profile", "from-redis" -> { }
          case "target" -> target = Double.parseDouble(f[1]) > 1 ? Double.parseDouble(f[1]) / 100 : Double.parseDouble(f[1]);
          case "parallel" -> parallel = Integer.parseInt(f[1]);
          case "redis-url" -> redisUrl = f[1];
          case "out" -> outDir = Path.of(f[1]);
          case "sizes" -> sizes = java.util.Arrays.stream(f[1].split(",")).map(String::strip).map(Integer::valueOf).toList();
          case "grid" -> grid = Integer.parseInt(f[1]);
          default -> reader.set(ParamsReader.camel(f[0]), f[1]);
        }
      }
      if (!(target > 0 && target <= 1) || parallel < 1 || grid < 0) {
        throw new IllegalArgumentException("need 0 < target <= 1 (or a percentage), parallel >= 1, grid >= 0");
      }
      params = reader.build();
      opts = new Options(target, parallel, redisUrl, outDir, sizes, grid);
    } catch (Exception e) {
      out.println("size-pool: " + e.getMessage());
      out.println("run with --help for the settings");
      return 2;
    }
    return simulate(params, opts, out);
  }

  private static int simulate(TrafficParams p, Options o, PrintStream console0) {
    PrintStream out = console0;
    EmbeddedRedis embedded = null;
    Vertx vertx = null;
    RedisConfigStore store = null;
    try {
      String url = o.redisUrl();
      if (url == null || url.isBlank()) {
        embedded = EmbeddedRedis.start(0, null);
        url = embedded.url();
      }
      vertx = Vertx.vertx();
      Redis client = RedisClientFactory.create(vertx, url);
      store = PoolSimulation.await(RedisConfigStore.create(vertx, client));
      PoolSimulation simulation = new PoolSimulation(vertx, client, store);

      double avgSession = p.sessionMinutes().mean();
      int ruleDaily = RulesOfThumb.perTwentyDailyVisitors(p.visitorsPerDay());
      int rulePeak = RulesOfThumb.peakHourly(p.peakHourlyVisitors(), avgSession);
      int rulePeakBare = RulesOfThumb.peakHourlyWithoutReservation(p.peakHourlyVisitors(), avgSession);

      PoolSizer sizer = new PoolSizer(simulation, p, DAY, o.parallel(),
          r -> console0.printf("  simulated %5d numbers: exact %6.2f%% (wrong among exact %.2f%%)  fallback %6.2f%%  (%d engine calls, %.1f s)%n",
              r.poolSize(), r.exact() * 100, r.exactWrongShare() * 100, r.share(CallOutcome.FALLBACK) * 100,
              r.engineOps(), r.wallMillis() / 1000.0));
      long calls = sizer.visits().stream().filter(v -> v.callAt() != null).count();
      out.printf("size-pool: %d visitors/day (peak hour %.0f), %d days, %d calls, sessions median %.1f min (mean %.1f), "
              + "lease %d s, hold %d s, %s when exhausted; target %.1f%% exact; Redis %s%n",
          p.visitorsPerDay(), p.peakHourlyVisitors(), p.days(), calls, p.sessionMinutes().median(), avgSession,
          p.leaseSeconds(), p.holdSeconds(), p.onExhausted(), o.target() * 100, embedded != null ? "embedded" : url);

      int answer;
      if (!o.sizes().isEmpty()) {
        sizer.simulate(o.sizes());
        answer = sizer.results().values().stream().filter(r -> r.meets(o.target()))
            .mapToInt(SimResult::poolSize).min().orElse(-1);
      } else {
        answer = sizer.smallestReaching(o.target(), Math.max(1, rulePeakBare / 2));
        if (o.grid() > 0) {
          int enough = sizer.results().values().stream().filter(SimResult::neverRanOut)
              .mapToInt(SimResult::poolSize).min().orElse(ruleDaily);
          int top = Math.max(ruleDaily, answer > 0 ? answer * 3 / 2 : enough);
          int bottom = Math.max(1, (answer > 0 ? answer : top) / 4);
          TreeSet<Integer> grid = new TreeSet<>();
          for (int i = 0; i < o.grid(); i++) {
            grid.add(bottom + (int) Math.round((top - bottom) * i / (double) Math.max(1, o.grid() - 1)));
          }
          grid.add(ruleDaily);
          grid.add(rulePeak);
          grid.removeIf(s -> s > PoolSizer.MAX_POOL);
          sizer.simulate(new ArrayList<>(grid));
        }
      }

      java.io.ByteArrayOutputStream reportBytes = new java.io.ByteArrayOutputStream();
      PrintStream report = new PrintStream(reportBytes, true, java.nio.charset.StandardCharsets.UTF_8);
      PrintStream console = out;
      out = new PrintStream(new java.io.OutputStream() {
        @Override
        public void write(int b) {
          console.write(b);
          report.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          console.write(b, off, len);
          report.write(b, off, len);
        }
      }, true, java.nio.charset.StandardCharsets.UTF_8);
      out.println();
      out.println("  pool  exact%  wrong-in-exact%  channel%  probable%  (right%)  ambig%  unattr%  fallbk%  credit-right%  calls  shown-default  shared  peak-in-use");
      for (SimResult r : sizer.results().values()) {
        out.printf("%6d %7.2f %16.2f %9.2f %10.2f %9.1f %7.2f %8.2f %8.2f %14.2f %6d %14d %7d %12d%n", r.poolSize(),
            r.exact() * 100, r.exactWrongShare() * 100, r.share(CallOutcome.CHANNEL) * 100,
            r.share(CallOutcome.PROBABLE) * 100, r.probableRightShare() * 100, r.share(CallOutcome.AMBIGUOUS) * 100,
            r.share(CallOutcome.UNATTRIBUTED) * 100, r.share(CallOutcome.FALLBACK) * 100, r.creditRight() * 100,
            r.calls(), r.fallbackVisits(), r.sharedVisits(), r.peakInUse());
      }
      out.println("  (exact% = calls marked exact; wrong-in-exact% = calibration: of those, top candidate not the caller;"
          + " credit-right% = exact and right, or channel with the right channel)");
      out.println("  calibration, calls by the top candidate's likelihood (right = the top candidate made the call):");
      Calibration all = new Calibration();
      for (SimResult r : sizer.results().values()) {
        out.printf("%6d  %s%n", r.poolSize(), r.calibration());
        all.addAll(r.calibration());
      }
      out.printf("   all  %s%n", all);
      out.println();
      out.println("  ceiling: calls the simulator's own model (the oracle) puts at >= 0.995 from what the engine sees");
      out.println("  pool  x-rule  engine-exact%  ceiling-exact%  ceiling-wrong-in-exact  ceiling+outside-mass%  ceiling+device-class%  engine-exact-not-ceiling");
      Calibration oracleAll = new Calibration();
      for (SimResult r : sizer.results().values()) {
        Ceiling c = r.ceiling();
        out.printf("%6d %7.2f %14.2f %15.2f %15d of %-6d %20.2f %22.2f %25d%n", r.poolSize(),
            r.poolSize() / (double) ruleDaily, r.exact() * 100, c.exactShare() * 100, c.exactWrong(), c.exact(),
            c.exactWithOutsideShare() * 100, c.exactWithDeviceShare() * 100, c.engineExactNotCeiling());
        oracleAll.addAll(c.calibration());
      }
      out.printf("  oracle calibration, all sizes: %s%n", oracleAll);
      int ceilingSmallest = sizer.results().values().stream().filter(r -> r.ceiling().exactShare() >= o.target())
          .mapToInt(SimResult::poolSize).min().orElse(-1);
      int engineSmallest = sizer.results().values().stream().filter(r -> r.meets(o.target()))
          .mapToInt(SimResult::poolSize).min().orElse(-1);
      int outsideSmallest = sizer.results().values().stream()
          .filter(r -> r.ceiling().exactWithOutsideShare() >= o.target()).mapToInt(SimResult::poolSize).min().orElse(-1);
      out.printf("smallest simulated pool where the ceiling reaches %.1f%%: %s (with the outside mass: %s); where the engine does: %s%n",
          o.target() * 100, sizeAndRule(ceilingSmallest, ruleDaily), sizeAndRule(outsideSmallest, ruleDaily),
          sizeAndRule(engineSmallest, ruleDaily));
      out.println();
      if (answer > 0) {
        out.printf("smallest pool with >= %.1f%% of calls exact and <= %.1f%% of those wrong: %d numbers%n",
            o.target() * 100, SimResult.MAX_EXACT_WRONG * 100, answer);
      } else {
        out.printf("no pool size simulated reaches %.1f%% exact with <= %.1f%% of those wrong (hold %d s)%n",
            o.target() * 100, SimResult.MAX_EXACT_WRONG * 100, p.holdSeconds());
      }
      out.printf("rule of thumb, 1 number per 20 daily visitors:                       %d%n", ruleDaily);
      out.printf("rule of thumb, peak hourly / (60 / (avg session %.1f + 30 min)):      %d   (without the 30 min: %d)%n",
          avgSession, rulePeak, rulePeakBare);
      if (answer > 0) {
        out.printf("simulated / per-20-daily rule: %.2f (target <= 0.50)%n", answer / (double) ruleDaily);
      }

      Files.createDirectories(o.out());
      Files.writeString(o.out().resolve("table.txt"), reportBytes.toString(java.nio.charset.StandardCharsets.UTF_8));
      writeCsv(o.out().resolve("pool-sizes.csv"), sizer.results().values());
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("params", p);
      summary.put("target", o.target());
      summary.put("smallestPool", answer);
      summary.put("rulePerTwentyDailyVisitors", ruleDaily);
      summary.put("rulePeakHourlyWith30MinReservation", rulePeak);
      summary.put("rulePeakHourlyWithoutReservation", rulePeakBare);
      summary.put("calls", calls);
      summary.put("results", sizer.results().values());
      Files.writeString(o.out().resolve("summary.json"),
          JsonMapper.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary));
      List<ExactPlot.Marker> markers = new ArrayList<>();
      markers.add(new ExactPlot.Marker("1 per 20 daily visitors", ruleDaily, new Color(120, 120, 120)));
      markers.add(new ExactPlot.Marker("peak-hour rule (30 min)", rulePeak, new Color(150, 0, 150)));
      if (answer > 0) {
        markers.add(new ExactPlot.Marker("simulated smallest", answer, new Color(0, 140, 0)));
      }
      Path png = o.out().resolve("exact-vs-pool-size.png");
      ExactPlot.write(png, String.format("Exact attribution vs pool size (%d visitors/day, hold %d min)",
          p.visitorsPerDay(), p.holdSeconds() / 60), sizer.results().values(), o.target(), markers);
      out.println("wrote " + o.out().resolve("table.txt") + ", " + o.out().resolve("pool-sizes.csv") + ", " + o.out().resolve("summary.json") + ", " + png);
      return answer > 0 ? 0 : 1;
    } catch (Exception e) {
      out.println("size-pool failed: " + e);
      return 1;
    } finally {
      if (store != null) {
        try {
          PoolSimulation.await(store.close());
        } catch (RuntimeException ignored) {
          // closing anyway
        }
      }
      if (vertx != null) {
        PoolSimulation.await(vertx.close());
      }
      if (embedded != null) {
        embedded.stop();
      }
    }
  }

  private static String sizeAndRule(int size, int rule) {
    return size < 0 ? "none" : String.format("%d numbers (%.2fx the rule)", size, size / (double) rule);
  }

  private static void writeCsv(Path file, java.util.Collection<SimResult> results) throws java.io.IOException {
    StringBuilder sb = new StringBuilder(
        "pool_size,calls,exact,channel,probable,ambiguous,unattributed,fallback,exact_wrong,probable_wrong,channel_wrong,exact_share,visits,visits_shown_default,visits_recycled,visits_shared,peak_in_use,engine_calls,wall_ms,ceiling_exact,ceiling_exact_wrong,ceiling_exact_with_outside_mass,ceiling_exact_with_device\n");
    for (SimResult r : results) {
      sb.append(r.poolSize()).append(',').append(r.calls());
      for (CallOutcome c : CallOutcome.values()) {
        sb.append(',').append(r.count(c));
      }
      sb.append(',').append(r.wrong(CallOutcome.EXACT)).append(',').append(r.wrong(CallOutcome.PROBABLE))
          .append(',').append(r.channelWrong());
      sb.append(',').append(String.format("%.4f", r.exact())).append(',').append(r.visits()).append(',')
          .append(r.fallbackVisits()).append(',').append(r.recycledVisits()).append(',').append(r.sharedVisits())
          .append(',').append(r.peakInUse()).append(',').append(r.engineOps())
          .append(',').append(r.wallMillis()).append(',').append(r.ceiling().exact()).append(',')
          .append(r.ceiling().exactWrong()).append(',').append(r.ceiling().exactWithOutside()).append(',')
          .append(r.ceiling().exactWithDevice()).append('\n');
    }
    Files.writeString(file, sb);
  }

  static void usage(PrintStream out) {
    out.println("""
        usage: size-pool [--profile NAME] [--from-redis POOL] [--params FILE.json] [--SETTING VALUE ...] [--target 0.99] [--parallel 2]
                         [--sizes N,N,...] [--grid 8] [--redis-url redis://...] [--out DIR]

        Simulates --days days (default 7) of your site's traffic against the real pool engine for several
        pool sizes (--parallel at a time) and prints the smallest pool that attributes --target of calls to
        exactly the right visit, beside the rules of thumb, and writes table.txt, pool-sizes.csv,
        summary.json and exact-vs-pool-size.png to --out (default ./size-pool-results). Without --redis-url (or CALLTRACK_REDIS_URL) it runs its own
        embedded redis-server. --sizes simulates just those sizes; --grid adds that many evenly spaced
        sizes for the plot. A JSON file takes the same settings in camelCase; flags override it.
        --profile starts from the defaults of a kind of site: default, local-services, national-retail,
        b2b-desktop. --from-redis POOL takes visits a day, hourly curve, page time, zones, lease, hold
        and policy from that pool's own sessions in --redis-url. A size meets the target when that share of calls is marked exact and at most 0.5 %
        of those are wrong (the caller was another visit).

        traffic settings (flag = default: meaning):""");
    ParamsReader.SETTINGS.forEach((name, v) -> out.printf("  --%-28s %-12s %s%n",
        name.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT), v[0].length() > 12 ? "(see below)" : v[0], v[1]));
    out.println("  default hourly curve: " + ParamsReader.SETTINGS.get("hourlyCurve")[0]);
  }
}
