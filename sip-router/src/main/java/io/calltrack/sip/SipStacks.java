package io.calltrack.sip;

import javax.sip.SipStack;

/** What every JAIN-SIP stack here (the router's, the callback dialer's, the demo line's) needs from its library and does not get. */
public final class SipStacks {
  private SipStacks() {}

  /**
   * Stops {@code stack} without the second JAIN-SIP sleeps at the end of its stop. Its
   * {@code stopStack} closes the sockets, removes the message processors and stops the timer, then
   * sleeps 1 s for its threads to see the exit flag before it clears its tables; an interrupted
   * sleep is caught and the stop goes on. With its sockets closed, nothing its threads still do
   * reaches the network. So the stop runs with this thread's interrupt flag set, and the flag is
   * put back as it was. Every stop is a second shorter: the router's (its warm-up router's too), the
   * callback dialer's, the demo line's, and the tests' phones.
   */
  public static void stop(SipStack stack) {
    boolean wasInterrupted = Thread.interrupted();
    Thread.currentThread().interrupt();
    try {
      stack.stop();
    } finally {
      Thread.interrupted(); // whatever the stop left set
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
