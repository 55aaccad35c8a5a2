package io.calltrack.loadtests.bench;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** The shell of the bench tools' {@code main}: usage, a Vert.x for the body, and the exit code. */
final class BenchMain {
  private BenchMain() {}

  /** What a tool does with its Vert.x: true when it did all of it. */
  interface Body {
    boolean run(Vertx vertx) throws Exception;
  }

  /** Checks the argument count, runs {@code body}, closes Vert.x and exits 0 (done), 1 (not) or 2 (usage). */
  static void run(String name, String usage, String[] args, int argc, Body body) throws Exception {
    if (args.length != argc) {
      System.err.println("usage: " + name + " " + usage);
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    int code;
    try {
      code = body.run(vertx) ? 0 : 1;
    } catch (Exception e) {
      System.err.println(name + " failed: " + (e.getCause() != null ? e.getCause() : e));
      code = 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.exit(code);
  }
}
