package io.calltrack.launcher;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code calltrack.jar}, run by {@code ./calltrack}: one entry point, one subcommand per way of
 * running the engine. Everything configurable comes from the environment ({@link Settings}).
 */
public final class Main {
  private static final String USAGE = """
      usage: calltrack <command> [options]

        demo                 everything in one process with a demo site, a demo business line,
                             and a sample SIPp command that places a call
        run [--config FILE]  dni-server + sip-router in one process
        dni-server [--config FILE]
                             the DNI server alone (several can share one Redis)
        sip-router           the SIP router alone (several can share one Redis)
        size-pool [options]  how many tracking numbers a site needs for exact attribution:
                             simulates a day of its traffic on the real pool engine
                             (`calltrack size-pool --help` lists the traffic options)
        help                 this text

      environment: CALLTRACK_HTTP_PORT (8080), CALLTRACK_SIP_PORT (5060), CALLTRACK_SIP_HOST (127.0.0.1),
        CALLTRACK_SIP_TRUNKS (127.0.0.0/8), CALLTRACK_REDIS_URL (unset: embedded redis-server),
        CALLTRACK_ADMIN_TOKEN (unset: a random one, printed), CALLTRACK_CONFIG (JSON file),
        CALLTRACK_DATA_DIR (.calltrack), CALLTRACK_METRICS_PORT (9090, sip-router alone)
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; blocks until a long-running command is stopped. Returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    if (args[0].equals("size-pool")) {
      // its own flags, its own (embedded or given) Redis: nothing of the servers' settings applies
      return io.calltrack.loadtests.pool.SizePool.run(rest.toArray(String[]::new), out);
    }
    try {
      Settings settings = withConfigFlag(Settings.fromEnv(System.getenv()), rest);
      return switch (args[0]) {
        case "demo" -> Engine.runUntilStopped(Engine.Mode.DEMO, settings, out);
        case "run" -> Engine.runUntilStopped(Engine.Mode.ALL, settings, out);
        case "dni-server" -> Engine.runUntilStopped(Engine.Mode.DNI_SERVER, settings, out);
        case "sip-router" -> Engine.runUntilStopped(Engine.Mode.SIP_ROUTER, settings, out);
        default -> {
          err.println("unknown command '" + args[0] + "'");
          err.print(USAGE);
          yield 2;
        }
      };
    } catch (IllegalArgumentException e) {
      err.println("calltrack: " + e.getMessage());
      return 2;
    }
  }

  private static Settings withConfigFlag(Settings s, List<String> rest) {
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      if (a.equals("--config") && i + 1 < rest.size()) {
        return s.withConfigFile(java.nio.file.Path.of(rest.get(i + 1)));
      } else if (a.startsWith("--config=")) {
        return withConfigFlag(s, List.of("--config", a.substring("--config=".length())));
      } else {
        throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return s;
  }
}
