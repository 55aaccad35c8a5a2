package io.calltrack.dni.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.Future;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which failures of a store call become a 503 a client may retry, and in what words. */
class TimeoutsTest {
  private static Throwable failureOf(Throwable err) {
    return Timeouts.store(Future.failedFuture(err), Duration.ofSeconds(1)).cause();
  }

  @Test
  void aStoreFailureIsA503InPlainWords() {
    Throwable refused = failureOf(new java.net.ConnectException("Connection refused"));
    assertInstanceOf(HttpStatusException.Unavailable.class, refused);
    assertEquals("the store did not answer: Connection refused", refused.getMessage());
    // a failure without a message names no class
    assertEquals("the store did not answer: no reason given", failureOf(new java.io.IOException()).getMessage());
  }

  /** An overflow or a bad date is this code's fault: no outage to retry; the error handler's 500. */
  @Test
  void aFaultOfTheCodesOwnIsNoOutage() {
    assertInstanceOf(ArithmeticException.class, failureOf(new ArithmeticException("long overflow")));
    assertInstanceOf(java.time.DateTimeException.class, failureOf(new java.time.DateTimeException("x")));
    assertInstanceOf(NullPointerException.class, failureOf(new NullPointerException()));
  }
}
