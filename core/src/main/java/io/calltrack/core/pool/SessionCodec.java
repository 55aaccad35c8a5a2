package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a session: its hash (fields in {@link #FIELDS} order) and whether a recycle cut it short
 * ({@link PoolKeys#recycled()}). The hash does not repeat what its key says (the session id, and so
 * its pool), which keeps a session in Redis small.
 *
 * <p>The hash holds the lease's end and the hold's natural end as the session's own requests left
 * them (a release ends the lease then); its state is derived from those at the reader's clock and
 * from the recycle mark: a lease whose end passed is in its hold, a hold whose end passed is over,
 * whether or not a script has run since to reclaim the number.
 */
final class SessionCodec {
  /**
   * Field names are short because every session stores them: v visitor, n number, t startedAt,
   * le leaseExpiresAt, ne naturalEndsAt, s and e (state and endsAt, only in sessions written before
   * the pool's recycle marks held them: RECYCLED and e are still read there), tz browser zone, ta/cp/hi/sh the evidence instants, b beacons taken,
   * id the site's analytics ids the page sent after its assign ({@link #ids});
   * a1..aN the attribution ({@link AttributionCodec}) in pieces of at most {@link #PIECE} bytes, so
   * the hash stays in Redis's compact listpack encoding (hash-max-listpack-value 64) instead of a
   * hashtable three times its size. The property comes from the pool's configuration, releasedAt
   * is the lease's end once the session is no longer leased.
   */
  static final List<String> FIELDS = List.of("v", "n", "s", "t", "le", "e", "ne", "tz", "ta", "cp", "hi", "sh", "id");
  /** The field of the analytics ids a page sent after its assign, and its place in {@link #FIELDS}. */
  static final String IDS = "id";
  private static final int IDS_AT = FIELDS.indexOf(IDS);
  static final int PIECE = 64;
  /** Attribution pieces read back (2 KB of JSON; longer attributions are cut when written). */
  static final int MAX_PIECES = 32;

  private SessionCodec() {}

  static List<String> hmget(String key) {
    List<String> args = new ArrayList<>(FIELDS.size() + MAX_PIECES + 1);
    args.add(key);
    args.addAll(FIELDS);
    for (int i = 1; i <= MAX_PIECES; i++) {
      args.add("a" + i);
    }
    return args;
  }

  /** The attribution JSON cut into pieces of at most {@link #PIECE} UTF-8 bytes (never inside a character). */
  static List<String> pieces(String json) {
    List<String> out = new ArrayList<>();
    StringBuilder piece = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < json.length(); ) {
      int cp = json.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > PIECE) {
        out.add(piece.toString());
        piece.setLength(0);
        bytes = 0;
      }
      piece.appendCodePoint(cp);
      bytes += len;
      i += Character.charCount(cp);
    }
    if (piece.length() > 0) {
      out.add(piece.toString());
    }
    return out.size() > MAX_PIECES ? null : out;
  }

  private static String attribution(Response r) {
    StringBuilder json = new StringBuilder();
    for (int i = FIELDS.size(); i < r.size(); i++) {
      Response v = r.get(i);
      if (v == null) {
        break;
      }
      json.append(v);
    }
    return json.toString();
  }

  /**
   * The field {@link #IDS}: GA client id, GA session id and Meta browser id joined by {@code |} (none
   * holds one: Attribution checks them), null when there are none.
   */
  static String ids(Attribution ids) {
    if (ids == null || (ids.gaClientId() == null && ids.gaSessionId() == null && ids.fbp() == null)) {
      return null;
    }
    return nonNull(ids.gaClientId()) + "|" + nonNull(ids.gaSessionId()) + "|" + nonNull(ids.fbp());
  }

  /** {@code a} with the ids of the field {@code ids} where it has none. */
  static Attribution withIds(Attribution a, String ids) {
    if (ids == null || ids.isEmpty()) {
      return a;
    }
    String[] p = ids.split("\\|", -1);
    String gc = a.gaClientId() != null ? a.gaClientId() : part(p, 0);
    String gs = a.gaSessionId() != null ? a.gaSessionId() : part(p, 1);
    String fbp = a.fbp() != null ? a.fbp() : part(p, 2);
    return new Attribution(a.source(), a.medium(), a.campaign(), a.keyword(), a.content(), a.landingPage(),
        a.referrer(), a.gclid(), a.gbraid(), a.wbraid(), a.msclkid(), a.fbclid(), a.adGroup(), a.ad(),
        a.firstTouch(), a.region(), a.journey(), gc, gs, fbp);
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static String part(String[] p, int i) {
    return i < p.length && !p[i].isEmpty() ? p[i] : null;
  }

  /** One session's entry in its number's history: started at {@code start}, over at {@code end} (null: may be live). */
  record HistoryEntry(String random, long start, Long end) {
    /**
     * Every entry of a number's history field, oldest first: its count, then space-separated
     * entries {@code +RANDOM,START} (may still be live) or {@code RANDOM,START,END}, times in base 36
     * (see lib.lua).
     */
    static List<HistoryEntry> all(String history) {
      List<HistoryEntry> out = new ArrayList<>();
      if (history == null || history.indexOf(' ') < 0) {
        return out;
      }
      for (String entry : history.substring(history.indexOf(' ') + 1).split(" ")) {
        boolean open = entry.startsWith("+");
        String[] f = (open ? entry.substring(1) : entry).split(",", -1);
        out.add(new HistoryEntry(f[0], Long.parseLong(f[1], 36), open ? null : Long.parseLong(f[2], 36)));
      }
      return out;
    }
  }

  /**
   * The session as it stands at {@code now}, or null when its hash does not exist;
   * {@code recycledAt} is when a recycle cut it short (epoch ms), null if none did. {@code numbers}
   * parses its number: a call's candidates are all sessions of one number, and libphonenumber's
   * parse of it, once per candidate, was a fifth of the router's event loop with 8 candidates a call.
   */
  static Session decode(String sessionId, String property, Response r, String recycledAt, Instant now,
      Function<String, PhoneNumber> numbers) {
    if (r == null || r.size() < FIELDS.size() || r.get(1) == null || r.get(4) == null) {
      return null;
    }
    String written = str(r, 2);
    Instant lease = time(r, 4);
    Instant natural = time(r, 6);
    Instant ends = time(r, 5);
    Session.State state;
    if (recycledAt != null) {
      Instant cut = Instant.ofEpochMilli(Long.parseLong(recycledAt));
      state = Session.State.RECYCLED;
      ends = cut;
      if (cut.isBefore(lease)) {
        lease = cut;
      }
    } else if ("RECYCLED".equals(written)) {
      state = Session.State.RECYCLED;
    } else if (now.isBefore(lease)) {
      state = Session.State.LEASED;
    } else if (now.isBefore(natural)) {
      state = Session.State.HOLDING;
    } else {
      state = Session.State.ENDED;
    }
    return new Session(
        sessionId,
        SessionIds.poolOf(sessionId),
        property,
        str(r, 0),
        numbers.apply(str(r, 1)),
        withIds(AttributionCodec.decode(attribution(r)), str(r, IDS_AT)),
        state,
        time(r, 3),
        lease,
        state == Session.State.LEASED ? null : lease,
        state == Session.State.RECYCLED && ends != null ? ends : natural,
        natural,
        str(r, 7),
        new Session.Evidence(time(r, 8), time(r, 9), time(r, 10), time(r, 11)));
  }

  private static String str(Response r, int i) {
    Response v = r.get(i);
    return v == null ? null : v.toString();
  }

  private static Instant time(Response r, int i) {
    String v = str(r, i);
    return v == null || v.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(v));
  }
}
