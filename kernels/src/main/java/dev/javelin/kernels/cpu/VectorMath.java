package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Float32 functions the Vector API has no lanewise operator for, written from the ones it has.
 * Each matches its {@link ScalarMath} counterpart on NaN, infinities and signed zeros.
 */
final class VectorMath {
    private VectorMath() {}

    /** 2^23: from here on every float is an integer. */
    private static final float TWO_23 = 8388608f;

    /** Lane i + w takes lane i's place: the steps of {@link #sumLanes}' tree. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        VectorShuffle<Float>[] h = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int s = 0; s < h.length; s++) h[s] = VectorShuffle.iota(FloatVector.SPECIES_PREFERRED, lanes >> (s + 1), 1, true);
        return h;
    }

    /**
     * The sum of the lanes as a fixed pairwise tree. {@code reduceLanes(ADD)} leaves the order open,
     * and its compiled and interpreted forms do differ, so a sum could change with JIT timing.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> half : HALVES) v = v.add(v.rearrange(half));
        return v.lane(0);
    }

    static FloatVector reciprocal(FloatVector v) {
        return FloatVector.broadcast(v.species(), 1f).div(v);
    }

    /** -1, 0 or 1 with 0, -0 and NaN passed through, like {@link Math#signum(float)}. */
    static FloatVector sign(FloatVector v) {
        return v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
    }

    /** Round half to even: adding and removing 2^23 rounds in the FPU's default mode. */
    static FloatVector rint(FloatVector v) {
        FloatVector a = v.abs();
        FloatVector r = a.add(TWO_23).sub(TWO_23);
        return copySign(r, v).blend(v, a.compare(VectorOperators.GE, TWO_23).or(v.test(VectorOperators.IS_NAN)));
    }

    static FloatVector floor(FloatVector v) {
        FloatVector r = rint(v);
        return copySign(r.sub(1f, r.compare(VectorOperators.GT, v)), v);
    }

    static FloatVector ceil(FloatVector v) {
        FloatVector r = rint(v);
        return copySign(r.add(1f, r.compare(VectorOperators.LT, v)), v);
    }

    /** The magnitude of {@code mag} with the sign of {@code sign}. */
    static FloatVector copySign(FloatVector mag, FloatVector sign) {
        IntVector m = mag.reinterpretAsInts().and(0x7fffffff);
        IntVector s = sign.reinterpretAsInts().and(0x80000000);
        return m.or(s).reinterpretAsFloats();
    }
}
