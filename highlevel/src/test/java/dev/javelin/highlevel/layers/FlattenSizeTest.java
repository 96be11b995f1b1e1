package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Flatten's width is exact or an error: 65536 x 65536 gave width 0 (an int overflow). */
class FlattenSizeTest {
    @Test
    void widthPastAnIntIsAnError() {
        Flatten f = new Flatten();
        assertEquals(Shape.of(7, 4096 * 4096), f.computeOutputShape(Shape.of(7, 4096, 4096)));
        assertEquals(Shape.of(0, 12), f.computeOutputShape(Shape.of(0, 3, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.computeOutputShape(Shape.of(1, 65536, 65536)));
        assertTrue(e.getMessage().startsWith(f.name() + " (Flatten): a result dimension would be 4294967296"), e.getMessage());
    }
}
