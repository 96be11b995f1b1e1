package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Compiled column sums (bias gradients: each chunk of columns summed over every row in one call) give
 * eager's bits on any width, height and offset, at one and at two threads.
 */
class ColumnSumLaunchTest {
    @Test
    void columnSumsGiveEagerBitsAtOneAndTwoThreads() {
        int threads = CpuThreads.threads();
        try {
            long seed = 1;
            int[][] shapes = {{1, 1}, {2, 1}, {1, 37}, {33, 17}, {300, 130}, {129, 64}, {1000, 65}, {4096, 62}};
            for (int[] s : shapes) {
                Tensor x = TestTensors.uniform(Shape.of(s[0] + 3, s[1]), -1, 1, seed++);
                check(x.slice(0, 3, s[0] + 3), a -> new Tensor[] {a[0].sum(new int[] {0}, true)}, "rows of " + x.shape() + " from row 3");
                Tensor x3 = TestTensors.uniform(Shape.of(3, s[0], s[1]), -1, 1, seed++);
                check(x3, a -> new Tensor[] {a[0].sum(new int[] {0, 1}, false)}, "over the two outer axes of " + x3.shape());
                check(x3, a -> new Tensor[] {a[0].mT().sum(new int[] {0, 2}, false)}, "a transposed view of " + x3.shape());
            }
        } finally {
            CpuThreads.setThreads(threads);
        }
    }

    private static void check(Tensor x, Function<Tensor[], Tensor[]> f, String what) {
        float[] eager = f.apply(new Tensor[] {x})[0].toFloatArray();
        for (int threads : new int[] {1, 2}) {
            CpuThreads.setThreads(threads);
            float[] compiled = Jit.compile(f).call(x)[0].toFloatArray();
            assertArrayEquals(eager, compiled, what + " at " + threads + " threads: eager's bits");
        }
    }
}
