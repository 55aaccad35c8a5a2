package io.calltrack.sip.media;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a call as a standard WAV file: 16-bit PCM, 8 kHz, two channels (left the caller, right the business line). */
public final class Wav {
  private Wav() {}

  /** Writes {@code audio} to {@code file} (through a temporary file, so a reader never sees half of it). */
  public static void write(CallAudio audio, Path file) throws IOException {
    int frames = Math.max(audio.caller().length, audio.line().length);
    int dataBytes = frames * 4;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
        .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1)           // PCM
        .putShort((short) 2)           // channels
        .putInt(CallAudio.RATE)
        .putInt(CallAudio.RATE * 4)    // bytes per second
        .putShort((short) 4)           // block align
        .putShort((short) 16)          // bits per sample
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (int i = 0; i < frames; i++) {
      b.putShort(i < audio.caller().length ? audio.caller()[i] : 0);
      b.putShort(i < audio.line().length ? audio.line()[i] : 0);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      out.write(b.array());
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
