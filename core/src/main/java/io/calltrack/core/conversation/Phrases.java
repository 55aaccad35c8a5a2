package io.calltrack.core.conversation;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Phrase matching on transcripts: whole words, whatever the case, accents and punctuation, so that
 * "Book an appointment" is found in "...I'd like to book an appointment, please" and "price" is not
 * found in "priceless". Speech-to-text writes numbers and contractions its own way; a phrase is
 * matched as the engine wrote it.
 */
public final class Phrases {
  private Phrases() {}

  /** {@code text} as lower-case words without accents, one space apart ("Thank-you, José!" → "thank you jose"). */
  public static String words(String text) {
    String plain = Normalizer.normalize(text, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(plain.length());
    boolean space = true;
    for (int i = 0; i < plain.length(); ) {
      int c = plain.codePointAt(i);
      i += Character.charCount(c);
      if (Character.getType(c) == Character.NON_SPACING_MARK) {
        continue;
      }
      if (Character.isLetterOrDigit(c)) {
        out.appendCodePoint(Character.toLowerCase(c));
        space = false;
      } else if (c == '\'' || c == '\u2019') {
        continue; // "I'd" and "I’d" read as "id" on both sides
      } else if (!space) {
        out.append(' ');
        space = true;
      }
    }
    int end = out.length();
    while (end > 0 && out.charAt(end - 1) == ' ') {
      end--;
    }
    return out.substring(0, end).toLowerCase(Locale.ROOT);
  }

  /** Whether {@code phrase} is said in {@code spoken}, both as {@link #words} gives them. */
  public static boolean said(String spokenWords, String phraseWords) {
    if (phraseWords.isEmpty()) {
      return false;
    }
    String padded = " " + spokenWords + " ";
    return padded.contains(" " + phraseWords + " ");
  }
}
