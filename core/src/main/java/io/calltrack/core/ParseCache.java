package io.calltrack.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What a string parses to, parsed once per distinct string: the router parses the same few dialled
 * numbers and business lines on every INVITE, the pool engine the same pool numbers on every assign. Emptied when it reaches its bound, so strings a peer
 * makes up cannot grow it. A string that fails to parse is not kept (the parser's exception goes to
 * the caller each time) unless the parser itself turns failure into a value.
 */
public final class ParseCache<V> {
  /** Parses a string; may refuse it with a checked exception. */
  @FunctionalInterface
  public interface Parser<V, E extends Exception> {
    V parse(String text) throws E;
  }

  private final int bound;
  private final ConcurrentHashMap<String, V> parsed = new ConcurrentHashMap<>();

  public ParseCache(int bound) {
    this.bound = bound;
  }

  public <E extends Exception> V get(String text, Parser<V, E> parser) throws E {
    V known = parsed.get(text);
    if (known == null) {
      known = parser.parse(text);
      if (parsed.size() >= bound) {
        parsed.clear();
      }
      parsed.put(text, known);
    }
    return known;
  }
}
