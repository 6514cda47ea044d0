package dev.pollen.bench.report;

/**
 * The few drawing operations the chart needs, so one chart drawing produces both an SVG
 * ({@link SvgCanvas}) and a PNG ({@link PngCanvas}).
 *
 * <p><b>Threading:</b> one thread per canvas.
 */
interface Canvas {

    /**
     * A filled rectangle.
     *
     * @param x       left
     * @param y       top
     * @param w       width
     * @param h       height
     * @param colour  {@code #rrggbb}
     * @param tooltip hover text (SVG only), or null
     */
    void rect(int x, int y, int w, int h, String colour, String tooltip);

    /**
     * A one-pixel grey line.
     *
     * @param x1 start x
     * @param y1 start y
     * @param x2 end x
     * @param y2 end y
     */
    void line(int x1, int y1, int x2, int y2);

    /**
     * A line of text whose baseline is at {@code y}.
     *
     * @param x      anchor x
     * @param y      baseline y
     * @param size   font size in pixels
     * @param anchor {@code start} or {@code middle}
     * @param bold   bold or normal weight
     * @param s      the text
     */
    void text(int x, int y, int size, String anchor, boolean bold, String s);
}
