package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.KernelSupport;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AttentionRows}' tile passes over the Vector API: every row of a score tile in one call, each row
 * a few whole vectors (the tile's row stride is a multiple of the lanes). The exp stays the kernel IR's
 * (one generated elementwise call over the whole tile); the sums follow the generated row reduction's
 * order exactly ({@link #sum}), so the bits are those of one {@code R_sum_exp_sub_mul} call per row.
 */
final class AttentionRowsVector {
    private static final VectorSpecies<Float> S = KernelSupport.S;
    private static final int L = S.length();
    /** The generated row reduction's accumulators (KernelBody's). */
    private static final int ACCUMULATORS = 4;

    private AttentionRowsVector() {}

    static void rowMax(float[] s, int rows, int ld, int[] visible, float[] max) {
        FloatVector none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int o = r * ld, n = visible[r], i = 0;
            FloatVector acc = none;
            for (; i + L <= n; i += L) acc = acc.max(FloatVector.fromArray(S, s, o + i));
            if (i < n) acc = acc.max(none.blend(FloatVector.fromArray(S, s, o + i), S.indexInRange(i, n)));
            max[r] = acc.reduceLanes(VectorOperators.MAX); // max is exact: any order gives these bits
        }
    }

    /** Each live row's {@code s·scale - shift} over its visible entries, -inf after them (exp then gives 0); a dead row all -inf. */
    static void exponents(float[] s, int rows, int ld, int[] visible, float scale, float[] shift) {
        FloatVector sc = FloatVector.broadcast(S, scale);
        for (int r = 0; r < rows; r++) {
            int o = r * ld, n = visible[r];
            if (n == 0 || shift[r] == Float.NEGATIVE_INFINITY) {
                Arrays.fill(s, o, o + ld, Float.NEGATIVE_INFINITY);
                continue;
            }
            FloatVector sh = FloatVector.broadcast(S, shift[r]);
            for (int i = 0; i < n; i += L) FloatVector.fromArray(S, s, o + i).mul(sc).sub(sh).intoArray(s, o + i);
            Arrays.fill(s, o + n, o + ld, Float.NEGATIVE_INFINITY);
        }
    }

    /**
     * The sum of {@code p[o..o+n)} (zeros from n to the next whole vector) in the generated row reduction's
     * order: vector j of each block of four into accumulator j, the remaining vectors into the first,
     * {@code (a0 + a1) + (a2 + a3)}, then the lanes' tree {@code acc + acc.slice(w)}, w = L/2 .. 1 (KernelBody,
     * VectorInstructions.reductionLanes). A zero lane adds exactly what the kernel's blended identity adds.
     */
    static float sum(float[] p, int o, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int block = ACCUMULATORS * L, bound = n - n % block, i = 0;
        for (; i < bound; i += block) {
            a0 = a0.add(FloatVector.fromArray(S, p, o + i));
            a1 = a1.add(FloatVector.fromArray(S, p, o + i + L));
            a2 = a2.add(FloatVector.fromArray(S, p, o + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, p, o + i + 3 * L));
        }
        for (; i < n; i += L) a0 = a0.add(FloatVector.fromArray(S, p, o + i));
        FloatVector t = a0.add(a1).add(a2.add(a3));
        for (int w = L / 2; w >= 1; w /= 2) t = t.add(t.slice(w));
        return t.lane(0);
    }

    static void softmaxGradient(float[] p, float[] ds, int rows, int ld, int cols, float[] delta, int d0, float scale) {
        FloatVector sc = FloatVector.broadcast(S, scale);
        for (int r = 0; r < rows; r++) {
            int o = r * ld;
            FloatVector dl = FloatVector.broadcast(S, delta[d0 + r]);
            for (int i = 0; i < cols; i += L) {
                FloatVector g = FloatVector.fromArray(S, ds, o + i).sub(dl);
                FloatVector.fromArray(S, p, o + i).mul(g).mul(sc).intoArray(ds, o + i);
            }
        }
    }
}
