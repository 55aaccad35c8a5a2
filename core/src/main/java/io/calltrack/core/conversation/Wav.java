package io.calltrack.core.conversation;

import io.calltrack.core.CalltrackException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The call recordings' WAV files (16-bit PCM, two channels: left the caller, right the business line)
 * cut into one file per side, so that a speech-to-text service that hears one voice at a time says
 * who said what.
 */
public final class Wav {
  private Wav() {}

  /** The two sides of a recording: {@code caller} (left) and {@code agent} (right), each a mono WAV. */
  public record Sides(byte[] caller, byte[] agent, double seconds) {}

  /** Splits a 16-bit PCM stereo WAV; Invalid when {@code wav} is not one. */
  public static Sides split(byte[] wav) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    if (wav.length < 12 || b.getInt(0) != 0x46464952 /* RIFF */ || b.getInt(8) != 0x45564157 /* WAVE */) {
      throw new CalltrackException.Invalid("not a WAV file");
    }
    int rate = 0;
    int channels = 0;
    int bits = 0;
    int format = 0;
    int dataAt = -1;
    int dataLength = 0;
    for (int at = 12; at + 8 <= wav.length; ) {
      int id = b.getInt(at);
      long size = Integer.toUnsignedLong(b.getInt(at + 4));
      int body = at + 8;
      if (id == 0x20746d66 /* "fmt " */ && size >= 16 && body + 16 <= wav.length) {
        format = Short.toUnsignedInt(b.getShort(body));
        channels = Short.toUnsignedInt(b.getShort(body + 2));
        rate = b.getInt(body + 4);
        bits = Short.toUnsignedInt(b.getShort(body + 14));
      } else if (id == 0x61746164 /* "data" */) {
        dataAt = body;
        // a recorder that stopped before it wrote the size leaves it 0 or too large: read what is there
        dataLength = (int) Math.min(size == 0 ? Long.MAX_VALUE : size, wav.length - (long) body);
        break;
      }
      at = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));
    }
    if (format != 1 || channels != 2 || bits != 16 || rate <= 0 || dataAt < 0) {
      throw new CalltrackException.Invalid("not a 16-bit PCM stereo WAV (format " + format + ", " + channels
          + " channels, " + bits + " bits)");
    }
    int frames = dataLength / 4;
    byte[] left = header(rate, frames);
    byte[] right = header(rate, frames);
    for (int i = 0; i < frames; i++) {
      int from = dataAt + i * 4;
      int to = 44 + i * 2;
      left[to] = wav[from];
      left[to + 1] = wav[from + 1];
      right[to] = wav[from + 2];
      right[to + 1] = wav[from + 3];
    }
    return new Sides(left, right, frames / (double) rate);
  }

  /**
   * A mono 16-bit WAV as {@link #header} writes it, cut into pieces of at most {@code seconds} each (a
   * speech-to-text service takes files up to a size: OpenAI's 25 MB, 26 minutes of 8 kHz audio); each a WAV
   * of its own, in order.
   */
  public static java.util.List<byte[]> pieces(byte[] mono, int seconds) {
    ByteBuffer b = ByteBuffer.wrap(mono).order(ByteOrder.LITTLE_ENDIAN);
    int rate = b.getInt(24);
    int frames = (mono.length - 44) / 2;
    int per = Math.max(1, rate * seconds);
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    for (int from = 0; from < frames || (from == 0 && frames == 0); from += per) {
      int n = Math.min(per, frames - from);
      byte[] piece = header(rate, n);
      System.arraycopy(mono, 44 + from * 2, piece, 44, n * 2);
      out.add(piece);
    }
    return out;
  }

  /** A mono 16-bit PCM WAV's 44-byte header for {@code frames} samples, with room for them after it. */
  static byte[] header(int rate, int frames) {
    byte[] out = new byte[44 + frames * 2];
    ByteBuffer h = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x46464952).putInt(36 + frames * 2).putInt(0x45564157);
    h.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
        .putShort((short) 2).putShort((short) 16);
    h.putInt(0x61746164).putInt(frames * 2);
    return out;
  }
}
