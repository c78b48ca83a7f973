package io.herald.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * {@code report.html}: one self-contained page (inline SVG, no scripts, nothing fetched) a person
 * can open in a browser — the latency percentile distribution, and streams, deliveries per
 * second and p99 over time — above the summary table.
 */
final class HtmlReport {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 220;
  private static final int PAD = 48;

  private HtmlReport() {}

  static String render(String summaryTable, Histogram latencyMicros, List<double[]> seconds) {
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>herald-load report</title>")
        .append("<style>body{font-family:sans-serif;margin:24px;color:#222}h2{font-size:16px;margin:24px 0 4px}")
        .append("pre{background:#f6f6f6;padding:12px}svg{background:#fff;border:1px solid #ddd}")
        .append("text{font-size:11px;fill:#555}</style></head><body>")
        .append("<h1>herald-load report</h1><pre>").append(escape(summaryTable)).append("</pre>");

    List<double[]> percentiles = new ArrayList<>();
    if (latencyMicros.getTotalCount() > 0) {
      for (HistogramIterationValue v : latencyMicros.percentiles(5)) {
        double p = v.getPercentileLevelIteratedTo();
        if (p >= 100) {
          break;
        }
        // x: "nines" (0 = p0, 1 = p90, 2 = p99, 3 = p99.9), the usual way to show a tail
        percentiles.add(new double[] {-Math.log10(1 - p / 100), v.getValueIteratedTo() / 1000.0});
      }
    }
    html.append("<h2>Latency by percentile (ms; x: p0, p90, p99, p99.9, p99.99)</h2>")
        .append(chart(percentiles, "#c0392b", new String[] {"p0", "p90", "p99", "p99.9", "p99.99"}));
    html.append("<h2>Streams ready</h2>").append(chart(column(seconds, 1), "#2c3e50", null));
    html.append("<h2>Deliveries per second</h2>").append(chart(column(seconds, 2), "#27ae60", null));
    html.append("<h2>p99 latency per second (ms)</h2>").append(chart(column(seconds, 3), "#8e44ad", null));
    return html.append("</body></html>\n").toString();
  }

  private static List<double[]> column(List<double[]> seconds, int index) {
    List<double[]> points = new ArrayList<>();
    for (double[] row : seconds) {
      points.add(new double[] {row[0], row[index]});
    }
    return points;
  }

  /** A line chart of (x, y) points, axes from 0 to the largest value, labelled at the ends. */
  private static String chart(List<double[]> points, String color, String[] xLabels) {
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\">", WIDTH, HEIGHT));
    double maxX = 0;
    double maxY = 0;
    for (double[] p : points) {
      maxX = Math.max(maxX, p[0]);
      maxY = Math.max(maxY, p[1]);
    }
    if (xLabels != null) {
      maxX = xLabels.length - 1;
    }
    maxX = maxX == 0 ? 1 : maxX;
    maxY = maxY == 0 ? 1 : maxY * 1.05;
    int w = WIDTH - 2 * PAD;
    int h = HEIGHT - 2 * PAD;
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>",
        PAD, PAD + h, PAD + w, PAD + h, PAD, PAD, PAD, PAD + h));
    svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text><text x=\"4\" y=\"%d\">0</text>",
        PAD + 4, number(maxY), PAD + h));
    if (xLabels != null) {
      for (int i = 0; i < xLabels.length; i++) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>",
            PAD + w * i / maxX - 8, PAD + h + 16, xLabels[i]));
      }
    } else {
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\">%s s</text>",
          PAD, PAD + h + 16, PAD + w - 30, PAD + h + 16, number(maxX)));
    }
    if (!points.isEmpty()) {
      svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"");
      for (double[] p : points) {
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", PAD + w * Math.min(p[0], maxX) / maxX, PAD + h - h * p[1] / maxY));
      }
      svg.append("\"/>");
    }
    return svg.append("</svg>").toString();
  }

  private static String number(double v) {
    return v >= 100 ? String.valueOf(Math.round(v)) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
