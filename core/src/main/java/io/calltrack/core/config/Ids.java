package io.calltrack.core.config;

import io.calltrack.core.CalltrackException;
import java.util.regex.Pattern;

/** Property and pool ids: they appear in URLs, Redis keys and session ids, so they are kept plain. */
public final class Ids {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Ids() {}

  /** Whether {@code id} is a well-formed id (the pattern is compiled once: lookups check ids on every assign). */
  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static String require(String what, String id) {
    if (!valid(id)) {
      throw new CalltrackException.Invalid(
          what + " id must be 1-64 characters of letters, digits, '_' or '-': '" + id + "'");
    }
    return id;
  }
}
