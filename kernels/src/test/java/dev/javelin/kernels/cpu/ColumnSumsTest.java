package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ColumnSums} adds each column's rows in order: the bits of the loop that adds one row at a time. */
class ColumnSumsTest {
    @Test
    void givesTheBitsOfAddingOneRowAtATime() {
        Random random = new Random(7L);
        int[] widths = {1, 3, 15, 16, 17, 63, 64, 65, 130, 512};
        int[] heights = {0, 1, 2, 37, 1000};
        for (int n : widths) {
            for (int rows : heights) {
                int stride = n + random.nextInt(3) * 5, xo = random.nextInt(4), oo = random.nextInt(3);
                float[] x = new float[xo + Math.max(0, rows - 1) * stride + n + 1];
                for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
                float[] out = new float[oo + n + 2], expected = new float[out.length];
                for (int j = 0; j < out.length; j++) expected[j] = out[j] = random.nextFloat();
                for (int r = 0; r < rows; r++) for (int j = 0; j < n; j++) expected[oo + j] += x[xo + r * stride + j];
                ColumnSums.accumulate(x, xo, stride, rows, out, oo, n);
                for (int j = 0; j < out.length; j++) {
                    assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(out[j]),
                            "n=" + n + " rows=" + rows + " stride=" + stride + " position " + j + ": " + expected[j] + " vs " + out[j]);
                }
            }
        }
    }
}
