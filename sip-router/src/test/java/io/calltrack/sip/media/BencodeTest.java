package io.calltrack.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BencodeTest {
  @Test
  void encodesDictionariesWithSortedKeysAndDecodesThemBack() {
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("sdp", "v=0\r\n");
    cmd.put("command", "offer");
    cmd.put("flags", List.of("a", 7L));
    String wire = new String(Bencode.encode(cmd), StandardCharsets.UTF_8);
    assertEquals("d7:command5:offer5:flagsl1:ai7ee3:sdp5:v=0\r\ne", wire);
    assertEquals(Map.of("command", "offer", "flags", List.of("a", 7L), "sdp", "v=0\r\n"),
        Bencode.decode(wire.getBytes(StandardCharsets.UTF_8), 0));
  }

  @Test
  void decodesAfterTheCookieAndCountsStringsInBytes() {
    // "é" is two bytes in UTF-8: the length prefix counts bytes
    byte[] reply = "c1 d6:result2:ok4:name2:\u00e9e".getBytes(StandardCharsets.UTF_8);
    assertEquals(Map.of("result", "ok", "name", "\u00e9"), Bencode.decode(reply, 3));
    assertThrows(IllegalArgumentException.class, () -> Bencode.decode("d6:result".getBytes(StandardCharsets.UTF_8), 0));
    assertThrows(IllegalArgumentException.class, () -> Bencode.decode("5:ab".getBytes(StandardCharsets.UTF_8), 0));
  }
}
