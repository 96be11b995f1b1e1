package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.HeapStorage;
import org.junit.jupiter.api.Test;

/**
 * ARGSORT on cpu-vector against the reference, index for index: every numeric dtype, any layout,
 * both directions, with many ties (small integers) and, for floats, NaN, infinities and -0 mixed in.
 */
class SortKernelTest {
    private final KernelHarness h = new KernelHarness();

    @Test
    void argsortMatchesTheReferenceExactly() {
        try (var s = Dispatch.use(h)) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
                for (int trial = 0; trial < 12; trial++) {
                    Shape shape = trial < 10 ? h.shape(3, 9) : h.shape(2, 300);
                    Tensor x = h.random(dt, shape, h.anyLayout(), -4, 4);
                    if (dt.isFloating()) sprinkleSpecials(x);
                    IndexingOps.argsort(x, h.rng.nextInt(shape.rank()), h.rng.nextBoolean());
                }
            }
        }
        assertTrue(h.compared >= 48);
    }

    /** Rounds to a few distinct values (ties) and plants NaN, infinities and signed zeros. */
    private void sprinkleSpecials(Tensor x) {
        HeapStorage st = (HeapStorage) x.storage();
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};
        for (int i = 0; i < st.length(); i++) {
            double v = Math.rint(st.getDouble(i) * 2) / 2;
            st.setDouble(i, h.rng.nextInt(8) == 0 ? specials[h.rng.nextInt(specials.length)] : v);
        }
    }
}
