package io.calltrack.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.AssignLimits;
import io.calltrack.dni.http.ServerHardening;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP hardening settings as the launcher reads them from the environment. */
class SettingsHardeningTest {

  /** A short admin token stops the start, saying why without echoing it; a long one, or none (made up), starts. */
  @Test
  void aShortAdminTokenIsRefusedAtStart() {
    for (String weak : List.of("change-me", "admin", "  fifteen-chars  ", "123456789012345")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LauncherAccess.settings(Map.of("CALLTRACK_ADMIN_TOKEN", weak)), weak);
      assertTrue(e.getMessage().startsWith("CALLTRACK_ADMIN_TOKEN must be at least 16 characters"), e.getMessage());
      assertTrue(!e.getMessage().contains(weak.strip()), "the token is not echoed: " + e.getMessage());
    }
    assertEquals("1234567890123456", LauncherAccess.settings(Map.of("CALLTRACK_ADMIN_TOKEN", "1234567890123456")).adminToken());
    assertEquals(32, LauncherAccess.settings(Map.of()).adminToken().length(), "none set: a random one");
  }

  @Test
  void unsetMeansTheServerDefaults() {
    ServerHardening h = LauncherAccess.hardening(Map.of());
    assertNull(h.metricsToken());
    assertEquals(-1, h.metricsPort(), "/metrics stays on the main address");
    assertEquals(List.of(), h.trustedProxies());
    assertEquals(AssignLimits.DEFAULT, h.assignLimits());
    assertEquals(ServerHardening.DEFAULT_IDLE_TIMEOUT, h.idleTimeout());
    assertEquals(ServerHardening.DEFAULT_HEADER_TIMEOUT, h.headerTimeout());
    assertEquals(9090, LauncherAccess.settings(Map.of()).metricsPort(), "sip-router alone keeps its 9090");
  }

  @Test
  void everySettingIsRead() {
    ServerHardening h = LauncherAccess.hardening(Map.of(
        "CALLTRACK_METRICS_TOKEN", "m-token",
        "CALLTRACK_METRICS_PORT", "9191",
        "CALLTRACK_METRICS_HOST", "10.0.0.5",
        "CALLTRACK_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2,",
        "CALLTRACK_HTTP_HEADER_TIMEOUT_SECONDS", "4",
        "CALLTRACK_HTTP_IDLE_TIMEOUT_SECONDS", "15",
        "CALLTRACK_HTTP_REQUEST_TIMEOUT_SECONDS", "45",
        "CALLTRACK_ASSIGN_LIVE_LEASES", "3",
        "CALLTRACK_ASSIGN_PER_MINUTE_HARD", "500"));
    assertEquals("m-token", h.metricsToken());
    assertEquals(9191, h.metricsPort());
    assertEquals("10.0.0.5", h.metricsHost());
    assertEquals(List.of("10.0.0.1", "10.0.0.2"), h.trustedProxies());
    assertEquals(Duration.ofSeconds(4), h.headerTimeout());
    assertEquals(Duration.ofSeconds(15), h.idleTimeout());
    assertEquals(Duration.ofSeconds(45), h.requestTimeout());
    assertEquals(3, h.assignLimits().liveLeases());
    assertEquals(AssignLimits.DEFAULT.liveLeasesHard(), h.assignLimits().liveLeasesHard());
    assertEquals(AssignLimits.DEFAULT.perMinute(), h.assignLimits().perMinute());
    assertEquals(500, h.assignLimits().perMinuteHard());
  }

  @Test
  void theRoutersCapOfCallsInProgressIsReadAndZeroMeansFromTheHeap() {
    assertEquals(0, LauncherAccess.sipLimits(Map.of()).maxCalls());
    assertEquals(150_000, LauncherAccess.sipLimits(Map.of("CALLTRACK_SIP_MAX_CALLS", "150000")).maxCalls());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LauncherAccess.sipLimits(Map.of("CALLTRACK_SIP_MAX_CALLS", "-1")));
    assertTrue(e.getMessage().contains("CALLTRACK_SIP_MAX_CALLS"), e.getMessage());
  }

  @Test
  void theRoutersWarmUpCallsAreReadAndZeroTurnsItOff() {
    assertEquals(Settings.WARMUP_CALLS, Settings.fromEnv(Map.of()).sipWarmupCalls());
    assertEquals(0, Settings.fromEnv(Map.of("CALLTRACK_SIP_WARMUP_CALLS", "0")).sipWarmupCalls());
    assertEquals(500, Settings.fromEnv(Map.of("CALLTRACK_SIP_WARMUP_CALLS", " 500")).sipWarmupCalls());
    for (String bad : List.of("-1", "many", "100001")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of("CALLTRACK_SIP_WARMUP_CALLS", bad)));
      assertEquals("CALLTRACK_SIP_WARMUP_CALLS must be a whole number from 0 to 100000, not '" + bad + "'", e.getMessage());
    }
  }

  /** Where webhooks may go, and where API keys may point business lines: allow or deny, checked at start. */
  @Test
  void whereTenantsMayReachIsCheckedAsSettingsAreRead() {
    for (String[] variableAndBad : List.of(new String[] {"CALLTRACK_WEBHOOKS_PRIVATE", "yes"},
        new String[] {"CALLTRACK_SIP_LINES_PRIVATE", "on"})) {
      String variable = variableAndBad[0];
      Settings.fromEnv(Map.of(variable, "allow"));
      Settings.fromEnv(Map.of(variable, "deny"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of(variable, variableAndBad[1])));
      assertEquals(variable + " must be allow or deny: '" + variableAndBad[1] + "'", e.getMessage());
    }
  }

  @Test
  void theRoutersDnsServersAreCheckedAsSettingsAreRead() {
    assertEquals(List.of(), Settings.fromEnv(Map.of()).sipDns(), "unset: the system's resolvers");
    assertEquals(List.of("10.0.0.53", "[2001:db8::53]:5353", "dns.example.net:53"),
        Settings.fromEnv(Map.of("CALLTRACK_SIP_DNS", " 10.0.0.53, [2001:db8::53]:5353,dns.example.net:53")).sipDns());
    for (String bad : List.of("10.0.0.53:0", "dns://10.0.0.53", "10.0.0.53,,", "2001:db8::53")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of("CALLTRACK_SIP_DNS", bad)), bad);
      assertTrue(e.getMessage().startsWith("CALLTRACK_SIP_DNS must be DNS servers as host[:port]"), e.getMessage());
    }
  }

  @Test
  void theAdvertisedSipAddressIsCheckedAsSettingsAreRead() {
    for (String good : List.of("sip.example.com", "sip.example.com:5080", "203.0.113.7:5062", "[2001:db8::1]:5062",
        "[2001:db8::1]", " edge-1 ")) {
      assertEquals(good.strip(), Settings.fromEnv(Map.of("CALLTRACK_SIP_ADVERTISE", good)).sipAdvertise(), good);
    }
    assertNull(Settings.fromEnv(Map.of("CALLTRACK_SIP_ADVERTISE", " ")).sipAdvertise());
    // refused when read, before the router warms up: no host, a port that is not one, an IPv6 address
    // without brackets (a SIP URI needs them), characters a Via or Record-Route cannot carry
    for (String bad : List.of(":5060", "host:", "host:sip", "host:0", "host:65536", "2001:db8::1", "[2001:db8::1",
        "a b", "sip.example.com;lr", "user@host", "-host")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of("CALLTRACK_SIP_ADVERTISE", bad)), bad);
      assertTrue(e.getMessage().startsWith("CALLTRACK_SIP_ADVERTISE must be host[:port]")
          && e.getMessage().endsWith("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void aRedisUrlWithoutAHostOrWithABadPortIsRefusedInTheSettingsTerms() {
    for (String good : List.of("redis://10.0.0.5:6379", "redis://redis", "rediss://cache.example.com:6380/0",
        "redis://:secret@10.0.0.5:6379", "redis://user:secret@redis", "redis://[::1]:6379")) {
      assertTrue(Settings.fromEnv(Map.of("CALLTRACK_REDIS_URL", good)).redisUrl().contains(good), good);
    }
    for (String bad : List.of("redis://127.0.0.1:notaport", "redis://127.0.0.1:", "redis://:6379", "redis://",
        "redis://host:70000", "redis://[::1:6379")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of("CALLTRACK_REDIS_URL", bad)), bad);
      assertTrue(e.getMessage().startsWith("CALLTRACK_REDIS_URL: '" + bad + "' is not a redis://host:port URL"),
          e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnv(
        Map.of("CALLTRACK_REDIS_MODE", "cluster", "CALLTRACK_REDIS_URL", "redis://a:7000,redis://b:x")));
    assertTrue(e.getMessage().contains("'redis://b:x'"), e.getMessage());
  }

  @Test
  void settingsThatWouldFailLaterAreRefusedAsTheyAreRead() {
    String rtpengine = "CALLTRACK_RTPENGINE must be host:port (rtpengine's --listen-ng, a port from 1 to 65535): ";
    Map<String, String> refused = Map.of(
        "CALLTRACK_REDIS_WAIT=x", "CALLTRACK_REDIS_WAIT must be replicas[:timeoutMs], e.g. 1:200, not 'x'",
        "CALLTRACK_REDIS_WAIT=1",
        "CALLTRACK_REDIS_WAIT=1 needs CALLTRACK_REDIS_URL: the embedded Redis has no replicas to wait for",
        "CALLTRACK_ANSWER_TIMEOUT_SECONDS=0",
        "CALLTRACK_ANSWER_TIMEOUT_SECONDS must be a whole number of at least 1, not '0'",
        "CALLTRACK_RTPENGINE=rtpengine", rtpengine + "'rtpengine'",
        "CALLTRACK_RTPENGINE=rtpengine:ng", rtpengine + "'rtpengine:ng'");
    refused.forEach((setting, message) -> {
      String[] kv = setting.split("=", 2);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Settings.fromEnv(Map.of(kv[0], kv[1])), setting);
      assertEquals(message, e.getMessage());
    });
    assertEquals(Duration.ofSeconds(30), Settings.fromEnv(Map.of()).answerTimeout());
    assertEquals(Duration.ofSeconds(5),
        Settings.fromEnv(Map.of("CALLTRACK_ANSWER_TIMEOUT_SECONDS", "5")).answerTimeout());
    assertEquals("127.0.0.1:2223", Settings.fromEnv(Map.of("CALLTRACK_RTPENGINE", "127.0.0.1:2223")).rtpengine());
    String withWait = Settings.fromEnv(
        Map.of("CALLTRACK_REDIS_URL", "redis://r:6379", "CALLTRACK_REDIS_WAIT", "2:100")).redisUrl();
    assertEquals(2, io.calltrack.core.redis.RedisTarget.parse(withWait).writes().replicas());
    assertNull(Settings.fromEnv(Map.of("CALLTRACK_REDIS_WAIT", "0")).redisUrl(), "0 replicas: nothing to wait for");

    // the callbacks' SIP stack listens beside the router's only with an outbound trunk
    Map<String, String> same = Map.of("CALLTRACK_SIP_PORT", "5070", "CALLTRACK_SIP_CALLBACK_PORT", "5070");
    assertEquals(5070, Settings.fromEnv(same).sipCallbackPort());
    Map<String, String> withTrunk = new java.util.HashMap<>(same);
    withTrunk.put("CALLTRACK_SIP_OUTBOUND", "sip:trunk.example.net:5060");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.fromEnv(withTrunk));
    assertTrue(e.getMessage().startsWith("CALLTRACK_SIP_CALLBACK_PORT must not be CALLTRACK_SIP_PORT (both 5070)"),
        e.getMessage());
    assertEquals(5072, Settings.fromEnv(Map.of("CALLTRACK_SIP_PORT", "5070")).sipCallbackPort());
  }

  @Test
  void badValuesAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LauncherAccess.hardening(Map.of("CALLTRACK_ASSIGN_PER_MINUTE", "lots")));
    assertTrue(e.getMessage().contains("CALLTRACK_ASSIGN_PER_MINUTE"), e.getMessage());
  }
}
