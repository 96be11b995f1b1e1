package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Einsum;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.Sorted;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The compositions and the ARGSORT primitive added for PyTorch users compile: a traced function
 * with topk, sort, scans, the elementary functions and einsum gives eager's values.
 */
class TorchStyleOpsJitTest {
    @Test
    void compiledMatchesEager() {
        Tensor x = Tensors.normal(dev.javelin.tensor.Shape.of(6, 9), 5).mul(3.0);
        Tensor w = Tensors.normal(dev.javelin.tensor.Shape.of(9, 4), 6);
        Function<Tensor[], Tensor[]> fn = t -> {
            Sorted top = ArrayOps.topk(t[0], 3, 1, true);
            return new Tensor[] {top.values().mul(2.0), top.indices(), ArrayOps.sort(t[0], 0, false).values(),
                MathOps.cumsum(t[0], 1), MathOps.cumprod(t[0].mul(0.3), 0), MathOps.prod(t[0].mul(0.5), new int[] {1}, true),
                MathOps.atan(t[0]).add(MathOps.sinh(t[0])).add(MathOps.cosh(t[0].mul(0.1))), MathOps.atan2(t[0], t[0].mul(-0.7).add(0.2)),
                MathOps.logaddexp(t[0], t[0].mul(0.5)), Einsum.einsum("ij,jk->ik", t[0], t[1]), ArrayOps.tril(t[0], -1)};
        };
        Tensor[] eager = fn.apply(new Tensor[] {x, w});
        Tensor[] compiled = Jit.compile(fn).call(x, w);
        assertEquals(eager.length, compiled.length);
        for (int i = 0; i < eager.length; i++) {
            assertEquals(eager[i].shape(), compiled[i].shape(), "output " + i);
            assertEquals(eager[i].dtype(), compiled[i].dtype(), "output " + i);
            assertArrayEquals(eager[i].toDoubleArray(), compiled[i].toDoubleArray(), 1e-5 * (1 + maxAbs(eager[i])), "output " + i);
        }
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
