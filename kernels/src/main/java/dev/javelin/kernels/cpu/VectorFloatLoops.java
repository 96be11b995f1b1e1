package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 loops on the Vector API: the elementwise ops and reductions are {@link FloatLoops}'
 * generated kernels; written here are the two small products the convolutions and attention use. Only
 * loaded when {@code jdk.incubator.vector} is resolved (see {@link VectorSupport}).
 */
final class VectorFloatLoops implements FloatLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, wo + t * ldw + j).fma(FloatVector.broadcast(S, x[xo + t]), acc);
            acc.intoArray(out, oo + j);
        }
        if (j < n) rowTimesMatrixTail(x, xo, k, w, wo + j, ldw, out, oo + j, n - j);
    }

    /** The last partial vector of {@link #rowTimesMatrix}: its own method, so the full loop compiles without masks. */
    private static void rowTimesMatrixTail(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        VectorMask<Float> m = S.indexInRange(0, n);
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0; t < k; t++) acc = FloatVector.fromArray(S, w, wo + t * ldw, m).fma(FloatVector.broadcast(S, x[xo + t]), acc);
        acc.intoArray(out, oo, m);
    }

    @Override
    public void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector vs = FloatVector.broadcast(S, s);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(vs, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, xo + i, m).fma(vs, FloatVector.fromArray(S, y, yo + i, m)).intoArray(y, yo + i, m);
        }
    }
}
