package io.calltrack.core.config;

/** Ports as settings write them (a Redis node's URL, the router's advertised address, rtpengine's). */
public final class Ports {
  private Ports() {}

  /** Whether {@code text} is a port a peer can be told: digits only, from 1 to 65535. */
  public static boolean isPort(String text) {
    return text.matches("[0-9]{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535;
  }
}
