package io.calltrack.sip.media;

/**
 * Conversation measures from a call's two sides (docs/metrics.md, "Conversation"), by energy-based voice
 * activity detection:
 * <ul>
 *   <li>the audio is cut into {@value #FRAME_MS} ms frames; a frame carries sound when its RMS level is
 *       above {@value #THRESHOLD_DBFS} dBFS (speech over a phone line sits around -30 to -15 dBFS, line
 *       silence and comfort noise below -50);</li>
 *   <li>silent gaps shorter than {@value #BRIDGE_MS} ms between sound (pauses between words) count as
 *       talk, and bursts of sound shorter than {@value #MIN_BURST_MS} ms (clicks) as silence;</li>
 *   <li>talk time per side: its frames with sound; dead air: frames where both sides are silent, as a
 *       share of the recording;</li>
 *   <li>hold: stretches of at least {@value #HOLD_MIN_S} s where one side is silent throughout while the
 *       other carries sound for at least 80 % of it (hold music, or a recorded message).</li>
 * </ul>
 */
public record Conversation(double seconds, double callerTalkSeconds, double lineTalkSeconds, double deadAirShare,
    double holdSeconds) {
  static final int FRAME_MS = 20;
  static final double THRESHOLD_DBFS = -40;
  static final int BRIDGE_MS = 300;
  static final int MIN_BURST_MS = 60;
  static final int HOLD_MIN_S = 15;
  private static final int FRAME = CallAudio.RATE * FRAME_MS / 1000;

  public static Conversation of(CallAudio audio) {
    int frames = (int) Math.ceil(Math.max(audio.caller().length, audio.line().length) / (double) FRAME);
    boolean[] caller = activity(audio.caller(), frames);
    boolean[] line = activity(audio.line(), frames);
    int callerTalk = 0;
    int lineTalk = 0;
    int deadAir = 0;
    for (int i = 0; i < frames; i++) {
      callerTalk += caller[i] ? 1 : 0;
      lineTalk += line[i] ? 1 : 0;
      deadAir += !caller[i] && !line[i] ? 1 : 0;
    }
    int hold = hold(caller, line) + hold(line, caller);
    double f = FRAME_MS / 1000.0;
    return new Conversation(audio.seconds(), callerTalk * f, lineTalk * f, frames == 0 ? 0 : deadAir / (double) frames,
        hold * f);
  }

  /** Frames of {@code samples} that carry sound, after bridging short pauses and dropping clicks. */
  static boolean[] activity(short[] samples, int frames) {
    boolean[] on = new boolean[frames];
    double threshold = 32768.0 * Math.pow(10, THRESHOLD_DBFS / 20);
    for (int i = 0; i < frames; i++) {
      int from = i * FRAME;
      int to = Math.min(samples.length, from + FRAME);
      double sum = 0;
      for (int k = from; k < to; k++) {
        sum += (double) samples[k] * samples[k];
      }
      on[i] = to > from && Math.sqrt(sum / FRAME) > threshold;
    }
    fillRuns(on, false, BRIDGE_MS / FRAME_MS, true);
    fillRuns(on, true, MIN_BURST_MS / FRAME_MS, false);
    return on;
  }

  /** Runs of {@code value} shorter than {@code maxFrames} (between frames of the other value) become {@code to}. */
  private static void fillRuns(boolean[] on, boolean value, int maxFrames, boolean inside) {
    int i = 0;
    while (i < on.length) {
      if (on[i] != value) {
        i++;
        continue;
      }
      int start = i;
      while (i < on.length && on[i] == value) {
        i++;
      }
      boolean bounded = start > 0 && i < on.length; // gaps are bridged only between two bursts
      if (i - start < maxFrames && (bounded || !inside)) {
        java.util.Arrays.fill(on, start, i, !value);
      }
    }
  }

  /** Frames in stretches where {@code silent} has no sound for at least the hold minimum while {@code other} mostly has. */
  private static int hold(boolean[] silent, boolean[] other) {
    int min = HOLD_MIN_S * 1000 / FRAME_MS;
    int total = 0;
    int i = 0;
    while (i < silent.length) {
      if (silent[i]) {
        i++;
        continue;
      }
      int start = i;
      int sound = 0;
      while (i < silent.length && !silent[i]) {
        sound += other[i] ? 1 : 0;
        i++;
      }
      int len = i - start;
      if (len >= min && sound >= 0.8 * len) {
        total += len;
      }
    }
    return total;
  }
}
