package dev.pollen.bench.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A {@link Canvas} that paints into an image with headless {@code java.awt} and saves it as PNG
 * (for viewers that do not show SVG).
 *
 * <p><b>Threading:</b> one thread. Set {@code java.awt.headless=true} before the first use.
 */
final class PngCanvas implements Canvas {

    private final BufferedImage image;
    private final Graphics2D g;

    PngCanvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        rect(0, 0, width, height, "#ffffff", null);
    }

    @Override
    public void rect(int x, int y, int w, int h, String colour, String tooltip) {
        g.setColor(Color.decode(colour));
        g.fillRect(x, y, w, h);
    }

    @Override
    public void line(int x1, int y1, int x2, int y2) {
        g.setColor(new Color(0x55, 0x55, 0x55));
        g.drawLine(x1, y1, x2, y2);
    }

    @Override
    public void text(int x, int y, int size, String anchor, boolean bold, String s) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
        int w = g.getFontMetrics().stringWidth(s);
        g.drawString(s, "middle".equals(anchor) ? x - w / 2 : x, y);
    }

    /**
     * Writes the image.
     *
     * @param file where
     * @throws IOException if it cannot be written
     */
    void save(Path file) throws IOException {
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
