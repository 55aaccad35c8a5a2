package io.calltrack.sip.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Wraps raw G.711 A-law audio into an RTP-in-UDP pcap (Ethernet link type), 20 ms (160 bytes) a packet,
 * as SIPp's {@code play_pcap_audio} plays it: SIPp keeps the RTP and the timing and rewrites the addresses.
 */
public final class RtpPcap {
  private RtpPcap() {}

  public static Path write(byte[] alaw, Path file) throws IOException {
    int packets = (alaw.length + 159) / 160;
    ByteBuffer out = ByteBuffer.allocate(24 + packets * (16 + 14 + 20 + 8 + 12 + 160)).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
    for (int i = 0; i < packets; i++) {
      int len = 14 + 20 + 8 + 12 + 160;
      long micros = i * 20_000L;
      out.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (1_700_000_000L + micros / 1_000_000)).putInt((int) (micros % 1_000_000))
          .putInt(len).putInt(len);
      out.order(ByteOrder.BIG_ENDIAN);
      out.put(new byte[12]).putShort((short) 0x0800);                   // Ethernet: no addresses, IPv4
      out.put((byte) 0x45).put((byte) 0).putShort((short) (len - 14))   // IPv4 header
          .putShort((short) i).putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0)
          .put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 1});
      out.putShort((short) 6000).putShort((short) 6002).putShort((short) (8 + 12 + 160)).putShort((short) 0); // UDP
      out.put((byte) 0x80).put((byte) (i == 0 ? 0x88 : 0x08))          // RTP v2, marker on the first, PCMA
          .putShort((short) i).putInt(i * 160).putInt(0x5ca11ed);
      byte[] chunk = new byte[160];
      java.util.Arrays.fill(chunk, (byte) 0xd5); // A-law silence past the end
      System.arraycopy(alaw, i * 160, chunk, 0, Math.min(160, alaw.length - i * 160));
      out.put(chunk);
    }
    Files.write(file, out.array());
    return file;
  }
}
