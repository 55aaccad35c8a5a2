package io.calltrack.advisor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws exact attribution (and fallback) against pool size as a PNG with plain Java2D, headless:
 * no charting dependency for one line chart. Vertical markers show the rules of thumb and the answer.
 */
public final class ExactPlot {
  private static final int W = 900;
  private static final int H = 520;
  private static final int LEFT = 70;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;

  /** A vertical marker at {@code size}. */
  public record Marker(String label, int size, Color color) {}

  private ExactPlot() {}

  public static void write(Path file, String title, Collection<SimResult> results, double target,
      List<Marker> markers) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      int maxX = 1;
      for (SimResult r : results) {
        maxX = Math.max(maxX, r.poolSize());
      }
      for (Marker m : markers) {
        maxX = Math.max(maxX, m.size());
      }
      maxX = (int) Math.ceil(maxX * 1.05);
      final int xMax = maxX;
      java.util.function.IntUnaryOperator px = x -> LEFT + (int) Math.round((W - LEFT - RIGHT) * x / (double) xMax);
      java.util.function.DoubleToIntFunction py = y -> TOP + (int) Math.round((H - TOP - BOTTOM) * (1 - y));

      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(new Color(230, 230, 230));
      for (int i = 0; i <= 10; i++) {
        int y = py.applyAsInt(i / 10.0);
        g.drawLine(LEFT, y, W - RIGHT, y);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
      for (int i = 0; i <= 10; i++) {
        g.drawString((i * 10) + "%", LEFT - 40, py.applyAsInt(i / 10.0) + 4);
      }
      int step = niceStep(xMax);
      for (int x = 0; x <= xMax; x += step) {
        g.drawString(Integer.toString(x), px.applyAsInt(x) - 8, H - BOTTOM + 18);
      }
      g.drawString("pool size (numbers)", W / 2 - 60, H - 15);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, LEFT, 25);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

      g.setColor(new Color(200, 0, 0));
      g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      g.drawLine(LEFT, py.applyAsInt(target), W - RIGHT, py.applyAsInt(target));
      g.drawString(String.format("target %.1f%%", target * 100), W - RIGHT - 90, py.applyAsInt(target) - 4);

      int labelY = TOP + 110; // below the target line
      for (Marker m : markers) {
        g.setColor(m.color());
        int x = px.applyAsInt(m.size());
        g.drawLine(x, TOP, x, H - BOTTOM);
        g.drawString(m.label() + " = " + m.size(), Math.min(x + 4, W - RIGHT - 200), labelY);
        labelY += 15;
      }

      g.setStroke(new BasicStroke(2f));
      line(g, results, px, py, true, new Color(0, 90, 200));
      line(g, results, px, py, false, new Color(230, 140, 0));
      g.setColor(new Color(0, 90, 200));
      g.drawString("exact attribution", LEFT + 10, H - BOTTOM - 30);
      g.setColor(new Color(230, 140, 0));
      g.drawString("calls lost to fallback (pool exhausted)", LEFT + 10, H - BOTTOM - 12);
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", file.toFile());
  }

  private static void line(Graphics2D g, Collection<SimResult> results, java.util.function.IntUnaryOperator px,
      java.util.function.DoubleToIntFunction py, boolean exact, Color color) {
    g.setColor(color);
    int lastX = -1;
    int lastY = -1;
    for (SimResult r : results.stream().sorted(java.util.Comparator.comparingInt(SimResult::poolSize)).toList()) {
      int x = px.applyAsInt(r.poolSize());
      int y = py.applyAsInt(exact ? r.exact() : r.share(CallOutcome.FALLBACK));
      g.fillOval(x - 3, y - 3, 6, 6);
      if (lastX >= 0) {
        g.drawLine(lastX, lastY, x, y);
      }
      lastX = x;
      lastY = y;
    }
  }

  static int niceStep(int max) {
    int raw = Math.max(1, max / 10);
    int magnitude = (int) Math.pow(10, Math.floor(Math.log10(raw)));
    for (int m : new int[] {1, 2, 5, 10}) {
      if (raw <= m * magnitude) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
