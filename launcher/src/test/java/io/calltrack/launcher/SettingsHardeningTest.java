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

  @Test
  void badValuesAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LauncherAccess.hardening(Map.of("CALLTRACK_ASSIGN_PER_MINUTE", "lots")));
    assertTrue(e.getMessage().contains("CALLTRACK_ASSIGN_PER_MINUTE"), e.getMessage());
  }
}
