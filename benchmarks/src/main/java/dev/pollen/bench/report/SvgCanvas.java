package dev.pollen.bench.report;

import java.util.Locale;

/**
 * A {@link Canvas} that writes SVG text by hand (no library).
 *
 * <p><b>Threading:</b> one thread.
 */
final class SvgCanvas implements Canvas {

    private final StringBuilder sb = new StringBuilder();

    SvgCanvas(int width, int height) {
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">%n",
                width, height, width, height));
        rect(0, 0, width, height, "#ffffff", null);
    }

    @Override
    public void rect(int x, int y, int w, int h, String colour, String tooltip) {
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"", x, y, w, h,
                colour));
        if (tooltip == null) {
            sb.append("/>\n");
        } else {
            sb.append("><title>").append(escape(tooltip)).append("</title></rect>\n");
        }
    }

    @Override
    public void line(int x1, int y1, int x2, int y2) {
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555555\"/>%n",
                x1, y1, x2, y2));
    }

    @Override
    public void text(int x, int y, int size, String anchor, boolean bold, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" "
                        + "text-anchor=\"%s\" font-weight=\"%s\">%s</text>%n", x, y, size, anchor,
                bold ? "bold" : "normal", escape(s)));
    }

    /**
     * The finished document.
     *
     * @return the SVG text
     */
    String finish() {
        return sb + "</svg>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
