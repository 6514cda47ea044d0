package dev.pollen.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Draws the echo comparison on a {@link Canvas} (SVG written by hand, or PNG; no chart library): two panels, messages per
 * second and server CPU per message, each with one group of bars per configuration and one bar per
 * server, Pollen's pollers in greens and Netty in oranges. Each group is scaled to its own
 * largest bar, because the configurations differ by orders of magnitude; the value is printed on
 * every bar.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class EchoChart {

    private static final int WIDTH = 980;
    private static final int PANEL_HEIGHT = 260;
    private static final int BAR_AREA = 170;
    private static final int LEFT = 20;
    private static final int LEGEND_HEIGHT = 60;

    private EchoChart() {
    }

    /**
     * The chart's size in pixels.
     *
     * @return {width, height}
     */
    static int[] size() {
        return new int[] {WIDTH, LEGEND_HEIGHT + 2 * PANEL_HEIGHT + 20};
    }

    /**
     * Draws the chart for {@code rows}.
     *
     * @param c     where to draw, at least {@link #size()}
     * @param rows  the echo rows (see {@link EchoRow#of})
     * @param title the chart's title (date and machine)
     */
    static void draw(Canvas c, List<EchoRow> rows, String title) {
        Map<String, List<EchoRow>> groups = new LinkedHashMap<>();
        List<String> servers = new ArrayList<>();
        for (EchoRow r : rows) {
            groups.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(r);
            if (!servers.contains(r.server())) {
                servers.add(r.server());
            }
        }
        servers.sort((a, b) -> order(a).compareTo(order(b)));
        c.text(LEFT, 22, 14, "start", true, "Echo over loopback: " + title);
        legend(c, servers, 46);
        panel(c, groups, servers, LEGEND_HEIGHT, "Messages echoed per second (higher is better; each group scaled to its largest bar)",
                EchoRow::messagesPerSec, Units::si);
        panel(c, groups, servers, LEGEND_HEIGHT + PANEL_HEIGHT,
                "Server thread's CPU time per echoed message (lower is better; each group scaled to its largest bar)",
                EchoRow::cpuNsPerMsg, Units::nanos);
    }

    private static void legend(Canvas c, List<String> servers, int y) {
        int x = LEFT;
        for (String s : servers) {
            c.rect(x, y - 11, 12, 12, colour(s), null);
            c.text(x + 16, y, 12, "start", false, s);
            x += 34 + 7 * s.length();
        }
    }

    private static void panel(Canvas c, Map<String, List<EchoRow>> groups,
                              List<String> servers, int top, String title,
                              ToDoubleFunction<EchoRow> value, DoubleFunction<String> label) {
        c.text(LEFT, top + 20, 13, "start", true, title);
        int baseline = top + 40 + BAR_AREA;
        int groupWidth = (WIDTH - 2 * LEFT) / Math.max(1, groups.size());
        int barWidth = Math.max(8, (groupWidth - 30) / Math.max(1, servers.size()));
        int gx = LEFT;
        for (var g : groups.entrySet()) {
            double max = 0;
            for (EchoRow r : g.getValue()) {
                double v = value.applyAsDouble(r);
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
            int x = gx + 15;
            for (String s : servers) {
                EchoRow r = find(g.getValue(), s);
                if (r != null && max > 0 && !Double.isNaN(value.applyAsDouble(r))) {
                    double v = value.applyAsDouble(r);
                    int h = (int) Math.round(BAR_AREA * v / max);
                    c.rect(x, baseline - h, barWidth - 4, h, colour(s),
                            s + ", " + g.getKey() + ": " + label.apply(v));
                    c.text(x + (barWidth - 4) / 2, baseline - h - 4, 9, "middle", false,
                            label.apply(v));
                }
                x += barWidth;
            }
            c.line(gx + 10, baseline, gx + groupWidth - 10, baseline);
            c.text(gx + groupWidth / 2, baseline + 16, 12, "middle", false, g.getKey());
            gx += groupWidth;
        }
    }

    private static EchoRow find(List<EchoRow> rows, String server) {
        for (EchoRow r : rows) {
            if (r.server().equals(server)) {
                return r;
            }
        }
        return null;
    }

    private static String order(String server) {
        return new EchoRow(server, 0, 0, 0, 0, 0, 0, 0).serverOrder();
    }

    private static String colour(String server) {
        return switch (server) {
            case "pollen:epoll" -> "#1b7837";
            case "pollen:netty-epoll" -> "#5aae61";
            case "pollen:kqueue" -> "#00441b";
            case "pollen:nio" -> "#a6dba0";
            case "netty:epoll" -> "#d95f02";
            case "netty:nio" -> "#fdb863";
            default -> server.startsWith("pollen:") ? "#4d9221" : "#999999";
        };
    }
}
