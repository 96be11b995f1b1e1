package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Output shapes are exact or an error: Flatten of 65536 x 65536 gave width 0, UpSampling wrapped negative (int overflow). */
class LayerSizeTest {
    @Test
    void widthPastAnIntIsAnError() {
        Flatten f = new Flatten();
        assertEquals(Shape.of(7, 4096 * 4096), f.computeOutputShape(Shape.of(7, 4096, 4096)));
        assertEquals(Shape.of(0, 12), f.computeOutputShape(Shape.of(0, 3, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.computeOutputShape(Shape.of(1, 65536, 65536)));
        assertTrue(e.getMessage().startsWith(f.name() + " (Flatten): a result dimension would be 4294967296"), e.getMessage());
    }

    @Test
    void upsamplingPastAnIntIsAnError() {
        UpSampling2D up = new UpSampling2D(2);
        assertEquals(Shape.of(1, 8, 6, 3), up.computeOutputShape(Shape.of(1, 4, 3, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> up.computeOutputShape(Shape.of(1, 1 << 30, 1, 1)));
        assertTrue(e.getMessage().startsWith(up.name() + " (UpSampling2D): a result dimension would be 2147483648"), e.getMessage());
    }
}
