package dev.pollen.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * Grouped bar charts for the reports, drawn by JFreeChart and written as SVG (JFreeSVG) and PNG:
 * one group of bars per configuration, one bar per server, the value printed on each bar, and a
 * dashed reference line (e.g. at 1.00 for ratios to a baseline).
 *
 * <p><b>Threading:</b> stateless; each call builds its own chart. Set
 * {@code java.awt.headless=true} before the first call on a machine without a display
 * ({@link #write} does).
 */
public final class Charts {

    private Charts() {
    }

    /**
     * One panel of bars.
     *
     * @param axisLabel the value axis's label
     * @param values    configuration (a group) → server (a bar) → value, in display order; a
     *                  missing or NaN value leaves a gap
     * @param reference where to draw the dashed reference line, or NaN for none
     * @param format    how the value on each bar is printed, e.g. {@code 0.00}
     */
    public record Panel(String axisLabel, Map<String, Map<String, Double>> values, double reference,
                 String format) {
    }

    /**
     * A chart of one or more panels stacked vertically, sharing the configurations axis.
     *
     * @param title    the chart's title
     * @param subtitle a smaller line under it (what was measured where), or null
     * @param servers  the bars' order (the legend), e.g. {@code [c:epoll, netty:epoll, ...]}
     * @param panels   the panels, top first
     * @return the chart
     */
    public static JFreeChart bars(String title, String subtitle, List<String> servers,
                           List<Panel> panels) {
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis());
        plot.setGap(14);
        for (Panel p : panels) {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (var group : p.values().entrySet()) {
                for (String s : servers) {
                    Double v = group.getValue().get(s);
                    data.addValue(v == null || v.isNaN() ? null : v, s, group.getKey());
                }
            }
            BarRenderer bars = new BarRenderer();
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
            bars.setItemMargin(0.04);
            bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                    new DecimalFormat(p.format())));
            bars.setDefaultItemLabelsVisible(true);
            bars.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
            for (int i = 0; i < servers.size(); i++) {
                bars.setSeriesPaint(i, colour(servers.get(i)));
            }
            NumberAxis axis = new NumberAxis(p.axisLabel());
            axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            axis.setUpperMargin(0.15); // room for the labels above the tallest bar
            CategoryPlot sub = new CategoryPlot(data, null, axis, bars);
            sub.setBackgroundPaint(Color.WHITE);
            sub.setRangeGridlinePaint(Color.LIGHT_GRAY);
            if (!Double.isNaN(p.reference())) {
                ValueMarker marker = new ValueMarker(p.reference(), Color.DARK_GRAY,
                        new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                                new float[] {4f, 3f}, 0f));
                sub.addRangeMarker(marker);
            }
            plot.add(sub, 1);
        }
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        plot.getDomainAxis().setMaximumCategoryLabelLines(2);
        // every panel has the same servers: one legend entry each, not one per panel
        plot.setFixedLegendItems(((CategoryPlot) plot.getSubplots().get(0)).getLegendItems());
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot,
                true);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        }
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * Writes the chart as SVG and PNG.
     *
     * @param chart  the chart
     * @param width  pixels
     * @param height pixels
     * @param svg    where the SVG goes
     * @param png    where the PNG goes
     * @throws IOException if a file cannot be written
     */
    public static void write(JFreeChart chart, int width, int height, Path svg, Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        Files.writeString(svg, g.getSVGDocument(), StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(png)) {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        }
    }

    /**
     * A fixed colour per kind of server, so every chart reads the same: the C floor in grey,
     * HAProxy in purple, Pollen's pollers in greens, Netty in oranges.
     *
     * @param server e.g. {@code pollen:epoll}
     * @return its colour
     */
    public static Color colour(String server) {
        return switch (server) {
            case "c:epoll" -> new Color(0x636363);
            case "haproxy" -> new Color(0x762a83);
            case "pollen:epoll" -> new Color(0x1b7837);
            case "pollen:netty-epoll" -> new Color(0x5aae61);
            case "pollen:kqueue" -> new Color(0x00441b);
            case "pollen:nio" -> new Color(0xa6dba0);
            case "netty:epoll" -> new Color(0xd95f02);
            case "netty:io_uring" -> new Color(0xb35806);
            case "netty:nio" -> new Color(0xfdb863);
            default -> server.startsWith("pollen:") ? new Color(0x4d9221)
                    : server.startsWith("netty:") ? new Color(0xe08214) : new Color(0x4393c3);
        };
    }
}
