package dev.pollen.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.JFreeChart;

/**
 * The JMH echo comparison as a chart: two panels, server CPU per message and messages per
 * second, each as a ratio to Netty epoll's figure in the same configuration (so configurations
 * that differ by orders of magnitude share one axis), one group of bars per configuration and
 * one bar per server. A configuration without a {@code netty:epoll} result is left out.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class EchoChart {

    /** The chart's width in pixels. */
    static final int WIDTH = 980;
    /** The chart's height in pixels. */
    static final int HEIGHT = 620;
    private static final String BASELINE = "netty:epoll";

    private EchoChart() {
    }

    /**
     * Builds the chart for {@code rows}.
     *
     * @param rows  the echo rows (see {@link EchoRow#of})
     * @param title the chart's title (date and machine)
     * @return the chart
     */
    static JFreeChart chart(List<EchoRow> rows, String title) {
        List<String> servers = new ArrayList<>();
        for (EchoRow r : rows) {
            if (!servers.contains(r.server())) {
                servers.add(r.server());
            }
        }
        servers.sort((a, b) -> order(a).compareTo(order(b)));
        return Charts.bars("Echo over loopback (JMH): each server ÷ Netty epoll in the same "
                        + "configuration", title, servers,
                List.of(panel(rows, "server CPU/msg (lower is better)", EchoRow::cpuNsPerMsg),
                        panel(rows, "messages/s (higher is better)", EchoRow::messagesPerSec)));
    }

    private static Charts.Panel panel(List<EchoRow> rows, String label,
                                      ToDoubleFunction<EchoRow> value) {
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        for (EchoRow base : rows) {
            if (!base.server().equals(BASELINE)) {
                continue;
            }
            Map<String, Double> bars = new LinkedHashMap<>();
            for (EchoRow r : rows) {
                if (r.config().equals(base.config())) {
                    bars.put(r.server(), value.applyAsDouble(r) / value.applyAsDouble(base));
                }
            }
            groups.put(base.config(), bars);
        }
        return new Charts.Panel(label, groups, 1.0, "0.00");
    }

    private static String order(String server) {
        return new EchoRow(server, 0, 0, 0, 0, 0, 0, 0).serverOrder();
    }
}
