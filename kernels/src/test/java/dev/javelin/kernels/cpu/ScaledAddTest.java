package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link GeneratedLoops#scaledAdd} (the decode merge's weighted rows) and {@link ShortConvVector#rowTimesMatrix}
 * (the column path's short input-gradient rows) against {@link Math#fma} element by element, bit for bit: rows of
 * 0 to 70 elements at odd offsets, around the vector width, with zeros, negative zeros and infinities among the values.
 */
class ScaledAddTest {
    private final Random rng = new Random(12);

    @Test
    void scaledAddIsOneFmaPerElement() {
        for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 33, 70}) {
            float[] s = values(3), x = values(n + 5), y = values(n + 4), want = y.clone();
            for (int i = 0; i < n; i++) want[2 + i] = Math.fma(s[1], x[5 + i], y[2 + i]);
            GeneratedLoops.scaledAdd(s, 1, x, 5, y, 2, n);
            for (int i = 0; i < y.length; i++) assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]), "n " + n + " at " + i);
        }
    }

    @Test
    void rowTimesMatrixIsOneFmaChainFromZeroPerElement() {
        assumeTrue(VectorSupport.enabled(), "the Vector API kernel"); // the scalar path is Conv2d's loop, checked against the reference by ContractionKernelTest
        for (int n : new int[] {1, 5, 8, 9, 17, 27, 31}) {
            for (int k : new int[] {1, 3, 6, 20}) {
                float[] x = values(k + 3), w = values(k * n), out = values(n + 2);
                float[] want = out.clone();
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int t = 0; t < k; t++) acc = Math.fma(w[t * n + j], x[3 + t], acc);
                    want[1 + j] = acc;
                }
                ShortConvVector.rowTimesMatrix(x, 3, k, w, n, out, 1);
                for (int i = 0; i < out.length; i++) assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(out[i]), n + "x" + k + " at " + i);
            }
        }
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = rng.nextInt(20);
            v[i] = pick == 0 ? 0f : pick == 1 ? -0f : pick == 2 ? Float.POSITIVE_INFINITY : (float) rng.nextGaussian() * 3;
        }
        return v;
    }
}
