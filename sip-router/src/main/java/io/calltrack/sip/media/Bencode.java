package io.calltrack.sip.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bencoding (BitTorrent's, used by rtpengine's {@code ng} protocol): integers {@code i42e}, strings
 * {@code 4:spam}, lists {@code l...e}, dictionaries {@code d...e} with keys in byte order. Strings are
 * decoded as UTF-8 (SDP is text).
 */
public final class Bencode {
  private Bencode() {}

  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, value);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object v) {
    if (v instanceof Number n) {
      out.writeBytes(("i" + n.longValue() + "e").getBytes(StandardCharsets.US_ASCII));
    } else if (v instanceof String s) {
      writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    } else if (v instanceof byte[] b) {
      writeBytes(out, b);
    } else if (v instanceof List<?> list) {
      out.write('l');
      list.forEach(e -> write(out, e));
      out.write('e');
    } else if (v instanceof Map<?, ?> map) {
      out.write('d');
      new TreeMap<>(map).forEach((k, e) -> { // keys sorted, as the format asks
        writeBytes(out, ((String) k).getBytes(StandardCharsets.UTF_8));
        write(out, e);
      });
      out.write('e');
    } else {
      throw new IllegalArgumentException("cannot bencode " + (v == null ? "null" : v.getClass().getSimpleName()));
    }
  }

  private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
    out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(b);
  }

  /** Decodes one value from {@code data[offset..]}: Long, String, List or Map. */
  public static Object decode(byte[] data, int offset) {
    Reader r = new Reader(data, offset);
    Object v = r.value();
    return v;
  }

  private static final class Reader {
    private final byte[] d;
    private int pos;

    Reader(byte[] d, int pos) {
      this.d = d;
      this.pos = pos;
    }

    Object value() {
      if (pos >= d.length) {
        throw new IllegalArgumentException("bencode: truncated");
      }
      byte c = d[pos];
      if (c == 'i') {
        int end = indexOf('e', pos + 1);
        long v = Long.parseLong(new String(d, pos + 1, end - pos - 1, StandardCharsets.US_ASCII));
        pos = end + 1;
        return v;
      } else if (c == 'l') {
        pos++;
        List<Object> list = new ArrayList<>();
        while (peek() != 'e') {
          list.add(value());
        }
        pos++;
        return list;
      } else if (c == 'd') {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        while (peek() != 'e') {
          Object k = value();
          if (!(k instanceof String key)) {
            throw new IllegalArgumentException("bencode: dictionary key is not a string");
          }
          map.put(key, value());
        }
        pos++;
        return map;
      } else if (c >= '0' && c <= '9') {
        int colon = indexOf(':', pos);
        int len = Integer.parseInt(new String(d, pos, colon - pos, StandardCharsets.US_ASCII));
        if (len < 0 || colon + 1 + len > d.length) {
          throw new IllegalArgumentException("bencode: string runs past the end");
        }
        String s = new String(d, colon + 1, len, StandardCharsets.UTF_8);
        pos = colon + 1 + len;
        return s;
      }
      throw new IllegalArgumentException("bencode: unexpected '" + (char) c + "' at " + pos);
    }

    private byte peek() {
      if (pos >= d.length) {
        throw new IllegalArgumentException("bencode: truncated");
      }
      return d[pos];
    }

    private int indexOf(char c, int from) {
      for (int i = from; i < d.length; i++) {
        if (d[i] == c) {
          return i;
        }
      }
      throw new IllegalArgumentException("bencode: truncated");
    }
  }
}
