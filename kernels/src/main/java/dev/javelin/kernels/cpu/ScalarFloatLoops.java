package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/** The float32 loops without the Vector API: plain Java, computing each element through {@link ScalarMath}. */
final class ScalarFloatLoops implements FloatLoops {
    @Override
    public void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        for (int i = 0; i < n; i++) out[oo + i * os] = (float) ScalarMath.unary(op, x[xo + i * xs]);
    }

    @Override
    public void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        switch (op) { // the common ones get their own loop
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] / b[bo + i * bs]; }
            default -> {
                for (int i = 0; i < n; i++) out[oo + i * os] = (float) ScalarMath.binary(op, a[ao + i * as], b[bo + i * bs]);
            }
        }
    }

    @Override
    public void compare(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int os, int n) {
        for (int i = 0; i < n; i++) out[oo + i * os] = ScalarMath.compare(op, a[ao + i * as], b[bo + i * bs]);
    }

    @Override
    public void where(boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs,
                      float[] out, int oo, int os, int n) {
        for (int i = 0; i < n; i++) out[oo + i * os] = c[co + i * cs] ? a[ao + i * as] : b[bo + i * bs];
    }

    @Override
    public void copy(float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1) {
            System.arraycopy(x, xo, out, oo, n);
            return;
        }
        for (int i = 0; i < n; i++) out[oo + i * os] = x[xo + i * xs];
    }

    @Override
    public float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        switch (op) {
            case REDUCE_SUM -> { // in double: accurate without lanes, and the order is fixed
                double s = 0;
                for (int i = 0; i < n; i++) s += x[xo + i * xs];
                return (float) (acc + s);
            }
            case REDUCE_MAX -> {
                for (int i = 0; i < n; i++) acc = Math.max(acc, x[xo + i * xs]);
                return acc;
            }
            case REDUCE_MIN -> {
                for (int i = 0; i < n; i++) acc = Math.min(acc, x[xo + i * xs]);
                return acc;
            }
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction");
        }
    }

    @Override
    public void accumulate(Op op, float[] x, int xo, int xs, float[] acc, int ao, int n) {
        switch (op) {
            case REDUCE_SUM -> { for (int i = 0; i < n; i++) acc[ao + i] += x[xo + i * xs]; }
            case REDUCE_MAX -> { for (int i = 0; i < n; i++) acc[ao + i] = Math.max(acc[ao + i], x[xo + i * xs]); }
            case REDUCE_MIN -> { for (int i = 0; i < n; i++) acc[ao + i] = Math.min(acc[ao + i], x[xo + i * xs]); }
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction");
        }
    }

    @Override
    public void rowTimesMatrix(float[] x, int xo, int k, float[] w, int wo, int ldw, float[] out, int oo, int n) {
        java.util.Arrays.fill(out, oo, oo + n, 0f);
        for (int t = 0; t < k; t++) axpy(x[xo + t], w, wo + t * ldw, out, oo, n);
    }

    @Override
    public void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = Math.fma(s, x[xo + i], y[yo + i]);
    }
}
