package io.calltrack.core.config;

import io.calltrack.core.CalltrackException;
import java.util.regex.Pattern;

/** Property and pool ids: they appear in URLs, Redis keys and session ids, so they are kept plain. */
public final class Ids {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Ids() {}

  public static String require(String what, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new CalltrackException.Invalid(
          what + " id must be 1-64 characters of letters, digits, '_' or '-': '" + id + "'");
    }
    return id;
  }
}
