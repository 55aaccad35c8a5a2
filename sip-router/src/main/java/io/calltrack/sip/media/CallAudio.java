package io.calltrack.sip.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A call's audio read from rtpengine's pcap recording: the caller's side and the business line's side
 * as 8 kHz 16-bit samples on one time line (sample 0 is the first packet of either side). The sides
 * are told apart by the rtpengine port each sent to; G.711 (PCMU, PCMA) is decoded, other payloads
 * (telephone events, comfort noise) are left out as silence. Each packet is placed by its RTP
 * timestamp from its stream's first packet, so network jitter does not stretch the audio.
 */
public record CallAudio(short[] caller, short[] line) {
  public static final int RATE = 8000;

  public double seconds() {
    return Math.max(caller.length, line.length) / (double) RATE;
  }

  /** Reads {@code pcap}; {@code callerPort}/{@code linePort}: the rtpengine ports the two sides sent to. */
  public static CallAudio read(Path pcap, int callerPort, int linePort) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
    if (b.remaining() < 24) {
      throw new IOException("not a pcap file (too short): " + pcap.getFileName());
    }
    int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
    ByteOrder order = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    b.order(order);
    int m = b.getInt(0);
    if (m != 0xa1b2c3d4 && m != 0xa1b23c4d) {
      throw new IOException("not a pcap file: " + pcap.getFileName());
    }
    boolean nanos = m == 0xa1b23c4d;
    int linkType = b.getInt(20);
    int linkHeader = switch (linkType) {
      case 1 -> 14;           // Ethernet
      case 101, 228, 12 -> 0; // raw IP
      case 113 -> 16;         // Linux cooked capture
      default -> throw new IOException("unsupported pcap link type " + linkType);
    };
    List<Packet> callerPackets = new ArrayList<>();
    List<Packet> linePackets = new ArrayList<>();
    int pos = 24;
    while (pos + 16 <= b.limit()) {
      long micros = (b.getInt(pos) & 0xffffffffL) * 1_000_000L
          + (nanos ? (b.getInt(pos + 4) & 0xffffffffL) / 1000 : b.getInt(pos + 4) & 0xffffffffL);
      int incl = b.getInt(pos + 8);
      int start = pos + 16;
      pos = start + incl;
      if (incl < 0 || pos > b.limit()) {
        break; // a truncated last record (the file was cut): keep what came before
      }
      Packet p = rtp(b.duplicate().order(ByteOrder.BIG_ENDIAN), start + linkHeader, start + incl, micros);
      if (p != null) {
        if (p.dstPort == callerPort) {
          callerPackets.add(p);
        } else if (p.dstPort == linePort) {
          linePackets.add(p);
        }
      }
    }
    long t0 = Long.MAX_VALUE;
    for (List<Packet> side : List.of(callerPackets, linePackets)) {
      if (!side.isEmpty()) {
        t0 = Math.min(t0, side.get(0).micros);
      }
    }
    return new CallAudio(decode(callerPackets, t0), decode(linePackets, t0));
  }

  private record Packet(long micros, int dstPort, int payloadType, long timestamp, long ssrc, byte[] payload) {}

  /** The RTP packet in an IP datagram at {@code off..end}, or null when it is not UDP carrying RTP. */
  private static Packet rtp(ByteBuffer b, int off, int end, long micros) {
    if (off >= end) {
      return null;
    }
    int version = (b.get(off) & 0xf0) >> 4;
    int udp;
    if (version == 4) {
      if ((b.get(off + 9) & 0xff) != 17) {
        return null;
      }
      udp = off + (b.get(off) & 0x0f) * 4;
    } else if (version == 6) {
      if ((b.get(off + 6) & 0xff) != 17) {
        return null;
      }
      udp = off + 40;
    } else {
      return null;
    }
    int dstPort = b.getShort(udp + 2) & 0xffff;
    int r = udp + 8;
    if (r + 12 > end || ((b.get(r) & 0xc0) >> 6) != 2) {
      return null;
    }
    int first = b.get(r) & 0xff;
    int cc = first & 0x0f;
    int pt = b.get(r + 1) & 0x7f;
    long ts = b.getInt(r + 4) & 0xffffffffL;
    long ssrc = b.getInt(r + 8) & 0xffffffffL;
    int payload = r + 12 + cc * 4;
    if ((first & 0x10) != 0 && payload + 4 <= end) { // header extension
      payload += 4 + (b.getShort(payload + 2) & 0xffff) * 4;
    }
    int payloadEnd = end;
    if ((first & 0x20) != 0 && end > payload) { // padding: its count is the last byte
      payloadEnd -= b.get(end - 1) & 0xff;
    }
    if (payload > payloadEnd) {
      return null;
    }
    byte[] data = new byte[payloadEnd - payload];
    b.get(payload, data);
    return new Packet(micros, dstPort, pt, ts, ssrc, data);
  }

  private static short[] decode(List<Packet> packets, long t0) {
    if (packets.isEmpty()) {
      return new short[0];
    }
    // where each stream (SSRC) starts on the time line, then each packet by its RTP timestamp
    long baseSample = 0;
    long baseTs = 0;
    long ssrc = -1;
    List<long[]> placed = new ArrayList<>(); // {sample position, packet index}
    long length = 0;
    for (int i = 0; i < packets.size(); i++) {
      Packet p = packets.get(i);
      if (p.payloadType != 0 && p.payloadType != 8) {
        continue;
      }
      if (p.ssrc != ssrc) {
        ssrc = p.ssrc;
        baseSample = Math.round((p.micros - t0) * (RATE / 1_000_000.0));
        baseTs = p.timestamp;
      }
      long at = baseSample + (int) (p.timestamp - baseTs); // (int): a timestamp that wrapped around 2^32
      if (at < 0) {
        continue;
      }
      placed.add(new long[] {at, i});
      length = Math.max(length, at + p.payload.length);
    }
    short[] out = new short[(int) Math.min(length, Integer.MAX_VALUE - 8)];
    for (long[] pl : placed) {
      Packet p = packets.get((int) pl[1]);
      int at = (int) pl[0];
      for (int k = 0; k < p.payload.length && at + k < out.length; k++) {
        out[at + k] = p.payloadType == 8 ? G711.alaw(p.payload[k]) : G711.ulaw(p.payload[k]);
      }
    }
    return out;
  }
}
