package dev.javelin.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.SQRT;

import dev.javelin.tensor.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The main loop of each float32 elementwise op over whole vectors, one lambda per op, indexed by
 * {@link Op#ordinal()}. Each lambda body is its own method and compiles on its own: one method
 * holding the loops of many ops grows past C2's inlining budget, which then leaves vector
 * operations as calls that box every vector (measured: 20-50x slower). The transcendentals are
 * not here: they run kernels generated from the kernel IR ({@link GeneratedLoops}). Callers handle
 * the tail by running the same loop on a padded copy.
 */
final class VectorOpLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorOpLoops() {}

    /** A main loop over the whole vectors of a dense row; returns where it stopped. */
    @FunctionalInterface
    interface UnaryLoop {
        int run(float[] x, int xo, float[] out, int oo, int n);
    }

    /** A main loop where each operand is dense (stride 1) or the broadcast constant (stride 0), not both constant. */
    @FunctionalInterface
    interface BinaryLoop {
        int run(float[] a, int ao, int as, FloatVector ca, float[] b, int bo, int bs, FloatVector cb, float[] out, int oo, int n);
    }

    @FunctionalInterface
    interface CompareLoop {
        int run(float[] a, int ao, int as, FloatVector ca, float[] b, int bo, int bs, FloatVector cb, boolean[] out, int oo, int n);
    }

    // One lambda per op: each body is its own method, compiled on its own (see the class comment).
    static final UnaryLoop[] UNARY = new UnaryLoop[Op.values().length];
    static final BinaryLoop[] BINARY = new BinaryLoop[Op.values().length];
    static final CompareLoop[] COMPARE = new CompareLoop[Op.values().length];

    static {
        UNARY[Op.NEG.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.ABS.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).abs().intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.SQRT.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).lanewise(SQRT).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.RELU.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.RECIPROCAL.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.reciprocal(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.SIGN.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.sign(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.FLOOR.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.floor(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.CEIL.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.ceil(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        UNARY[Op.ROUND.ordinal()] = (x, xo, out, oo, n) -> {
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += L) VectorMath.rint(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
            return i;
        };
        BINARY[Op.ADD.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).add(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.SUB.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).sub(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MUL.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).mul(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.DIV.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).div(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MAX.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).max(cb).intoArray(out, oo + i);
            }
            return i;
        };
        BINARY[Op.MIN.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).min(cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.EQ.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.NE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.LT.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.LE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.GT.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, cb).intoArray(out, oo + i);
            }
            return i;
        };
        COMPARE[Op.GE.ordinal()] = (a, ao, as, ca, b, bo, bs, cb, out, oo, n) -> {
            int i = 0, bound = S.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else if (as == 0) {
                for (; i < bound; i += L) ca.compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            } else {
                for (; i < bound; i += L) FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, cb).intoArray(out, oo + i);
            }
            return i;
        };
    }
}
