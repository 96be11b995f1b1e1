package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The adjoints of {@link WinogradTransforms}' tile transforms, which the gradients of F(2x2, 3x3)
 * need ({@link WinogradGradients}); loops over a channel axis, vectors first and a scalar tail with
 * the same arithmetic, each 4x4 point p = 4·i + j stored as a plane:
 * <ul>
 *   <li>of the output transform: a tile's 2x2 upstream gradient dY becomes A·dY·Aᵀ (A = (Aᵀ)ᵀ, Aᵀ =
 *       [1 1 1 0; 0 1 -1 -1]);
 *   <li>of the input transform: 4x4 point gradients X become B·X·Bᵀ, added into the tile's input patch
 *       (Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]); the points of the middle rows and columns are
 *       halved first, undoing the doubled filter points of the filter transform (2G, {@link WinogradFilters});
 * </ul>
 * The filter transform's adjoint (4x4 point gradients W to the 3x3 filter gradient Gᵀ·W·G) is a
 * generated kernel ({@link WinogradFilters}).
 * Halving is exact, so these are the adjoints' exact arithmetic in a fixed order.
 */
final class WinogradAdjointTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats of scratch {@link #inputPatch} needs. */
    static final int TEMP = WinogradTransforms.TEMP;

    private WinogradAdjointTransforms() {}

    /**
     * The 2x2 upstream gradient of one tile, channels {@code c < cols} at {@code dy[d00 + c]}, {@code d01}
     * (right), {@code d10} (below) and {@code d11} (-1: a pixel past the output's edge, read as zero),
     * transformed into {@code m[p·planeStride + mOff + c]} for the 16 planes p.
     */
    static void outputGradient(float[] dy, int d00, int d01, int d10, int d11, int cols, float[] m, int mOff, int planeStride) {
        FloatVector z = FloatVector.zero(S);
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector a = FloatVector.fromArray(S, dy, d00 + c);
            FloatVector b = d01 < 0 ? z : FloatVector.fromArray(S, dy, d01 + c);
            FloatVector cc = d10 < 0 ? z : FloatVector.fromArray(S, dy, d10 + c);
            FloatVector d = d11 < 0 ? z : FloatVector.fromArray(S, dy, d11 + c);
            int o = mOff + c;
            pointRow(a, b, m, o, planeStride);
            pointRow(a.add(cc), b.add(d), m, o + 4 * planeStride, planeStride);
            pointRow(a.sub(cc), b.sub(d), m, o + 8 * planeStride, planeStride);
            pointRow(cc.neg(), d.neg(), m, o + 12 * planeStride, planeStride);
        }
        for (; c < cols; c++) {
            float a = dy[d00 + c], b = d01 < 0 ? 0 : dy[d01 + c], cc = d10 < 0 ? 0 : dy[d10 + c], d = d11 < 0 ? 0 : dy[d11 + c];
            int o = mOff + c;
            pointRow(a, b, m, o, planeStride);
            pointRow(a + cc, b + d, m, o + 4 * planeStride, planeStride);
            pointRow(a - cc, b - d, m, o + 8 * planeStride, planeStride);
            pointRow(-cc, -d, m, o + 12 * planeStride, planeStride);
        }
    }

    /** One row (x, y) of A·dY times Aᵀ: the four points x, x + y, x - y, -y. */
    private static void pointRow(FloatVector x, FloatVector y, float[] m, int o, int planeStride) {
        x.intoArray(m, o);
        x.add(y).intoArray(m, o + planeStride);
        x.sub(y).intoArray(m, o + 2 * planeStride);
        y.neg().intoArray(m, o + 3 * planeStride);
    }

    private static void pointRow(float x, float y, float[] m, int o, int planeStride) {
        m[o] = x;
        m[o + planeStride] = x + y;
        m[o + 2 * planeStride] = x - y;
        m[o + 3 * planeStride] = -y;
    }

    /**
     * The 16 point gradients {@code x[p·planeStride + xOff + c]} ({@code c < cols}) of one tile, halved
     * in the middle rows and columns, transformed by B·X·Bᵀ and added into the tile's 4x4 input patch
     * at {@code dx[at[4·r + q] + c]} (row r, column q; -1: outside the image, dropped). {@code e}
     * ({@link #TEMP} floats) is scratch: B·X row by row.
     */
    static void inputPatch(float[] x, int xOff, int planeStride, int cols, float[] dx, int[] at, float[] e) {
        FloatVector half = FloatVector.broadcast(S, 0.5f), quarter = FloatVector.broadcast(S, 0.25f);
        int c = 0;
        for (; c <= cols - L; c += L) {
            for (int q = 0; q < 4; q++) { // column q of B·X', into e: rows 0..3
                int o = xOff + c + q * planeStride;
                boolean middle = q == 1 || q == 2; // a middle column: its filter points were doubled too
                FloatVector x0 = FloatVector.fromArray(S, x, o), x3 = FloatVector.fromArray(S, x, o + 12 * planeStride);
                FloatVector x1 = FloatVector.fromArray(S, x, o + 4 * planeStride).mul(middle ? quarter : half);
                FloatVector x2 = FloatVector.fromArray(S, x, o + 8 * planeStride).mul(middle ? quarter : half);
                if (middle) {
                    x0 = x0.mul(half);
                    x3 = x3.mul(half);
                }
                FloatVector x12 = x1.add(x2);
                x0.intoArray(e, q * L);
                x1.sub(x2).add(x3).intoArray(e, (4 + q) * L);
                x12.sub(x0).intoArray(e, (8 + q) * L);
                x3.neg().intoArray(e, (12 + q) * L);
            }
            for (int r = 0; r < 4; r++) { // row r of (B·X')·Bᵀ, added into the patch
                FloatVector e0 = FloatVector.fromArray(S, e, 4 * r * L), e1 = FloatVector.fromArray(S, e, (4 * r + 1) * L);
                FloatVector e2 = FloatVector.fromArray(S, e, (4 * r + 2) * L), e3 = FloatVector.fromArray(S, e, (4 * r + 3) * L);
                addInto(dx, at[4 * r], c, e0);
                addInto(dx, at[4 * r + 1], c, e1.sub(e2).add(e3));
                addInto(dx, at[4 * r + 2], c, e1.add(e2).sub(e0));
                addInto(dx, at[4 * r + 3], c, e3.neg());
            }
        }
        for (; c < cols; c++) {
            for (int q = 0; q < 4; q++) {
                int o = xOff + c + q * planeStride;
                float hq = q == 1 || q == 2 ? 0.5f : 1f;
                float x0 = x[o] * hq, x1 = x[o + 4 * planeStride] * (0.5f * hq);
                float x2 = x[o + 8 * planeStride] * (0.5f * hq), x3 = x[o + 12 * planeStride] * hq;
                e[q] = x0;
                e[4 + q] = x1 - x2 + x3;
                e[8 + q] = x1 + x2 - x0;
                e[12 + q] = -x3;
            }
            for (int r = 0; r < 4; r++) {
                float e0 = e[4 * r], e1 = e[4 * r + 1], e2 = e[4 * r + 2], e3 = e[4 * r + 3];
                if (at[4 * r] >= 0) dx[at[4 * r] + c] += e0;
                if (at[4 * r + 1] >= 0) dx[at[4 * r + 1] + c] += e1 - e2 + e3;
                if (at[4 * r + 2] >= 0) dx[at[4 * r + 2] + c] += e1 + e2 - e0;
                if (at[4 * r + 3] >= 0) dx[at[4 * r + 3] + c] += -e3;
            }
        }
    }

    private static void addInto(float[] dx, int at, int c, FloatVector v) {
        if (at >= 0) FloatVector.fromArray(S, dx, at + c).add(v).intoArray(dx, at + c);
    }
}
