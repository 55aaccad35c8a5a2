package io.calltrack.sip.media;

/** G.711 decoding (ITU-T G.711): A-law (PCMA, payload type 8) and µ-law (PCMU, payload type 0) to 16-bit linear. */
final class G711 {
  private G711() {}

  static short alaw(byte b) {
    int a = (b ^ 0x55) & 0xff;
    int t = (a & 0x0f) << 4;
    int seg = (a & 0x70) >> 4;
    t = switch (seg) {
      case 0 -> t + 8;
      case 1 -> t + 0x108;
      default -> (t + 0x108) << (seg - 1);
    };
    return (short) ((a & 0x80) != 0 ? t : -t);
  }

  static short ulaw(byte b) {
    int u = ~b & 0xff;
    int t = ((u & 0x0f) << 3) + 0x84;
    t <<= (u & 0x70) >> 4;
    return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
  }
}
