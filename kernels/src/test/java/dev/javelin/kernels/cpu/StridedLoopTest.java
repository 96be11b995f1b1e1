package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The walk visits every element of every operand exactly once, in rows, pieces and tiles (a transposed operand),
 * with each operand's offsets matching its strides; the in-order walk visits them in row-major order; a plan's
 * offsets (a reduction's kept or reduced dims) are its operand's.
 */
class StridedLoopTest {
    @Test
    void everyElementOnceInEveryLayout() {
        Random rnd = new Random(7);
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {}, new int[] {0}, new int[] {1}, new int[] {5}, new int[] {3, 0, 2},
                new int[] {1, 1, 7}, new int[] {300, 40}, new int[] {2, 130, 17}, new int[] {StridedLoop.CHUNK + 3}, new int[] {3, StridedLoop.CHUNK + 5}));
        for (int t = 0; t < 30; t++) shapes.add(new int[] {1 + rnd.nextInt(4), 1 + rnd.nextInt(9), 1 + rnd.nextInt(70)});
        for (int[] dims : shapes) {
            for (int l = 0; l < 3; l++) {
                int layout = l;
                int[] x = strides(dims, layout), out = strides(dims, 0);
                StridedLoop p = StridedLoop.of(Shape.of(dims), x, out);
                int size = Math.toIntExact(Shape.of(dims).size());
                int[] seen = new int[size], order = new int[size];
                int[] xOf = new int[size]; // x's offset of each element, by its output (row-major) offset
                for (int i = 0; i < size; i++) xOf[i] = offsetOf(i, dims, x);
                int xs = p.innerStride(0), os = p.innerStride(1);
                p.forEachRow(new int[] {0, 0}, (o, n) -> {
                    for (int i = 0; i < n; i++) {
                        synchronized (seen) { seen[o[1] + i * os]++; }
                        assertEquals(xOf[o[1] + i * os], o[0] + i * xs, "shape " + java.util.Arrays.toString(dims) + " layout " + layout);
                    }
                });
                int[] next = {0};
                p.forEachRowInOrder(new int[] {0, 0}, (o, n) -> {
                    for (int i = 0; i < n; i++) order[next[0]++] = o[1] + i * os;
                });
                int[] ones = new int[size], rowMajor = new int[size];
                java.util.Arrays.fill(ones, 1);
                for (int i = 0; i < size; i++) rowMajor[i] = i;
                assertArrayEquals(ones, seen, "every element once: " + java.util.Arrays.toString(dims) + " layout " + layout);
                assertArrayEquals(rowMajor, order, "row-major: " + java.util.Arrays.toString(dims) + " layout " + layout);
                for (int i = 0; i < size; i++) assertEquals(xOf[i], p.offset(i, 0), "offset of " + i);
            }
        }
    }

    /** Layout 0: dense row-major; 1: dims reversed in memory (a transposed view); 2: every stride doubled and dim 0 broadcast. */
    private static int[] strides(int[] dims, int layout) {
        int r = dims.length;
        int[] s = new int[r];
        for (int i = r - 1, step = 1; i >= 0; step *= Math.max(1, dims[i]), i--) s[i] = step;
        if (layout == 1) for (int i = 0, step = 1; i < r; step *= Math.max(1, dims[i]), i++) s[i] = step;
        if (layout == 2) for (int i = 0; i < r; i++) s[i] = i == 0 ? 0 : 2 * s[i];
        return s;
    }

    private static int offsetOf(int index, int[] dims, int[] strides) {
        int off = 0;
        for (int d = dims.length - 1; d >= 0; d--) {
            off += index % dims[d] * strides[d];
            index /= dims[d];
        }
        return off;
    }
}
