package io.calltrack.localredis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Whether a JVM's exit stops its embedded redis-server. The launcher stops Redis itself, after the
 * servers that use it have closed; an exit hook of the Redis's own ran beside the launcher's and
 * stopped it under them (each server then logged its connection lost on the way down).
 */
class ExitHookTest {

  /** Starts an embedded Redis with {@code args[0]} as stopAtJvmExit, prints its port and pid, exits. */
  public static void main(String[] args) throws Exception {
    EmbeddedRedis redis = EmbeddedRedis.start(0, null, Boolean.parseBoolean(args[0]));
    long pid = ProcessHandle.current().children()
        .filter(p -> p.info().command().orElse("").contains("redis-server")).findFirst().orElseThrow().pid();
    System.out.println(redis.port() + " " + pid);
  }

  private static ProcessHandle redisOfAJvmThatExited(boolean stopAtJvmExit) throws Exception {
    Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ExitHookTest.class.getName(), Boolean.toString(stopAtJvmExit))
        .redirectErrorStream(true).start();
    String said = new String(jvm.getInputStream().readAllBytes()).strip();
    assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), said);
    assertEquals(0, jvm.exitValue(), said);
    String[] portAndPid = said.substring(said.lastIndexOf('\n') + 1).split(" ");
    return ProcessHandle.of(Long.parseLong(portAndPid[1])).orElse(null);
  }

  @Test
  void aRedisLeftToItsCallerOutlivesTheJvmsExitHooks() throws Exception {
    ProcessHandle redis = redisOfAJvmThatExited(false);
    try {
      assertTrue(redis != null && redis.isAlive(), "stopped at the JVM's exit, though left to its caller");
    } finally {
      if (redis != null) {
        redis.destroy();
        redis.onExit().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aRedisStoppedAtExitIsGoneWhenTheJvmIs() throws Exception {
    ProcessHandle redis = redisOfAJvmThatExited(true);
    assertFalse(redis != null && redis.isAlive(), "outlived the JVM");
  }
}
