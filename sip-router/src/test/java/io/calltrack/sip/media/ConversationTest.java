package io.calltrack.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Voice activity and the conversation measures on synthetic audio of known shape. */
class ConversationTest {
  static final int RATE = CallAudio.RATE;

  /** {@code seconds} of audio: a 440 Hz tone at {@code dbfs} where {@code on} says, else silence. */
  static short[] audio(double seconds, double dbfs, double[][] on) {
    short[] s = new short[(int) Math.round(seconds * RATE)];
    double amp = 32768 * Math.pow(10, dbfs / 20) * Math.sqrt(2);
    for (double[] span : on) {
      for (int i = (int) (span[0] * RATE); i < Math.min(s.length, (int) (span[1] * RATE)); i++) {
        s[i] = (short) Math.round(amp * Math.sin(2 * Math.PI * 440 * i / RATE));
      }
    }
    return s;
  }

  @Test
  void talkTimePerSideAndDeadAirFollowTheAudio() {
    short[] caller = audio(10, -20, new double[][] {{1, 3}, {3.2, 4}}); // a 200 ms pause inside: bridged
    short[] line = audio(10, -20, new double[][] {{5, 8}});
    Conversation c = Conversation.of(new CallAudio(caller, line));
    assertEquals(10.0, c.seconds(), 1e-9);
    assertEquals(3.0, c.callerTalkSeconds(), 0.021);
    assertEquals(3.0, c.lineTalkSeconds(), 0.021);
    assertEquals(0.4, c.deadAirShare(), 0.005);
    assertEquals(0.0, c.holdSeconds(), 1e-9);
  }

  @Test
  void quietNoiseIsSilenceAndALongPauseIsNotBridged() {
    short[] caller = audio(6, -55, new double[][] {{0, 6}}); // below the threshold: line noise
    short[] line = audio(6, -25, new double[][] {{0, 1}, {2, 3}}); // a 1 s pause stays a pause
    Conversation c = Conversation.of(new CallAudio(caller, line));
    assertEquals(0.0, c.callerTalkSeconds(), 1e-9);
    assertEquals(2.0, c.lineTalkSeconds(), 0.021);
    assertEquals(4.0 / 6, c.deadAirShare(), 0.005);
  }

  @Test
  void aLongOneSidedSilenceWithSoundOnTheOtherSideIsHold() {
    short[] caller = audio(40, -20, new double[][] {{0, 5}, {25, 30}});
    short[] line = audio(40, -20, new double[][] {{5, 25}}); // 20 s of music while the caller waits
    Conversation c = Conversation.of(new CallAudio(caller, line));
    // the caller is silent 5..25 s (20 s) while the line plays: hold; the line's own silences are
    // shorter than the minimum, or have no sound opposite them for most of their length (30..40 s)
    assertEquals(20.0, c.holdSeconds(), 0.05);
  }

  @Test
  void g711DecodesKnownCodes() {
    assertEquals(8, G711.alaw((byte) 0xd5));       // A-law silence: the smallest positive step
    assertEquals(-8, G711.alaw((byte) 0x55));
    assertEquals(32256, G711.alaw((byte) 0xaa));   // largest A-law value
    assertEquals(0, G711.ulaw((byte) 0xff));       // µ-law zero
    assertEquals(-32124, G711.ulaw((byte) 0x00));  // largest negative µ-law value
  }
}
