package io.calltrack.advisor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Finds the smallest pool whose day reaches the target exact-attribution share: doubles the size
 * until it does, then narrows the bracket with {@code parallel} sizes tried at once (a k-ary search;
 * exact share grows with the pool, give or take noise, since every size replays the same day). Every
 * size tried is kept, so the plot and the table show them all.
 */
public final class PoolSizer {
  public static final int MAX_POOL = 10_000;

  private final PoolSimulation simulation;
  private final TrafficParams params;
  private final List<Visit> visits;
  private final Instant dayStart;
  private final int parallel;
  private final Consumer<SimResult> progress;
  private final Map<Integer, SimResult> results = new TreeMap<>();

  public PoolSizer(PoolSimulation simulation, TrafficParams params, Instant dayStart, int parallel,
      Consumer<SimResult> progress) {
    this.simulation = simulation;
    this.params = params;
    this.dayStart = dayStart;
    this.visits = TrafficGenerator.days(params, dayStart);
    this.parallel = Math.max(1, parallel);
    this.progress = progress;
  }

  public List<Visit> visits() {
    return visits;
  }

  /** Every size simulated so far, by size. */
  public Map<Integer, SimResult> results() {
    return results;
  }

  /**
   * The smallest size reaching {@code target}; -1 if none does: either {@link #MAX_POOL} does not, or
   * a size fell short although its pool never ran out (then no bigger pool can do better: what is
   * missing are calls after the hold ended, which only a longer hold attributes).
   */
  public int smallestReaching(double target, int startSize) {
    int lo = 0; // largest size known to fall short (0: none tried)
    int hi = -1; // smallest size known to reach the target
    int n = Math.max(1, startSize);
    while (hi < 0) {
      List<Integer> batch = new ArrayList<>();
      for (int i = 0; i < parallel && n <= MAX_POOL; i++) {
        batch.add(n);
        n = n * 2;
      }
      if (batch.isEmpty()) {
        return -1;
      }
      simulate(batch);
      for (int size : batch) {
        SimResult r = results.get(size);
        if (r.meets(target)) {
          hi = size;
          break;
        }
        if (r.neverRanOut()) {
          return -1;
        }
        lo = size;
      }
      if (hi < 0 && n > MAX_POOL) {
        if (results.get(MAX_POOL) == null) {
          n = MAX_POOL;
        } else {
          return -1;
        }
      }
    }
    while (hi - lo > 1) {
      List<Integer> batch = new ArrayList<>();
      int slots = Math.min(parallel, hi - lo - 1);
      for (int i = 1; i <= slots; i++) {
        int size = lo + (int) Math.round((hi - lo) * i / (double) (slots + 1));
        if (size > lo && size < hi && !batch.contains(size)) {
          batch.add(size);
        }
      }
      simulate(batch);
      int newLo = lo;
      int newHi = hi;
      for (int size : batch) {
        if (results.get(size).meets(target)) {
          newHi = Math.min(newHi, size);
        } else if (size < newHi) {
          newLo = Math.max(newLo, size);
        }
      }
      if (newLo >= newHi) {
        newLo = newHi - 1; // noise made a bigger pool fall short of a smaller one: trust the smaller
      }
      lo = newLo;
      hi = newHi;
    }
    return hi;
  }

  /** Simulates the sizes not simulated yet, {@code parallel} at a time. */
  public void simulate(List<Integer> sizes) {
    List<Integer> todo = sizes.stream().filter(s -> s >= 1 && !results.containsKey(s)).distinct().toList();
    if (todo.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, todo.size()));
    try {
      List<Future<SimResult>> running = new ArrayList<>();
      for (int size : todo) {
        running.add(pool.submit(() -> simulation.run(params, visits, dayStart, size)));
      }
      for (Future<SimResult> f : running) {
        SimResult r = f.get();
        results.put(r.poolSize(), r);
        progress.accept(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
