package io.calltrack.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The cursor of a list read a page at a time ({@code next} of one page, {@code cursor} of the next):
 * the store's place in the list, base64url, so that a client treats it as opaque.
 */
public final class PageCursor {
  private PageCursor() {}

  public static String encode(String place) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(place.getBytes(StandardCharsets.UTF_8));
  }

  /** The place {@code cursor} holds, when it is one of {@code shape}; else 400, nothing read. */
  public static String decode(String cursor, Pattern shape) {
    try {
      String place = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (shape.matcher(place).matches()) {
        return place;
      }
    } catch (IllegalArgumentException notBase64) {
      // answered below
    }
    throw new CalltrackException.Invalid("cursor is not one this API gave out");
  }
}
