package dev.javelin.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The tile transforms of Winograd's F(2x2, 3x3) ({@link WinogradConv}), each a loop over a channel
 * axis (contiguous in NHWC), vectors first and a scalar tail with the same arithmetic (the filter's,
 * a loop over input channels with many rows per call, is a generated kernel: {@link WinogradFilters}):
 * <ul>
 *   <li>input: a 4x4 patch d of each channel becomes Bᵀ·d·B, with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1];
 *   <li>filter: a 3x3 filter g becomes G·g·Gᵀ, with G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1];
 *   <li>output: the 4x4 products m become the 2x2 outputs Aᵀ·m·A, with Aᵀ = [1 1 1 0; 0 1 -1 -1].
 * </ul>
 * The filter transform uses 2G (no multiplications, a fifth of its work) and the output transform
 * halves the products of the points whose row or column was doubled: scaling by a power of two
 * is exact, so the results are those of G, bit for bit.
 * Point (i, j) of a 4x4 transform is stored as plane {@code p = 4·i + j} (i along the image's rows).
 * No masked vector operations (see {@code SgemmMicroKernel}: C2 does not always intrinsify them).
 */
final class WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats of scratch {@link #input} needs. */
    static final int TEMP = 16 * L;

    private WinogradTransforms() {}

    /**
     * The patch of rows {@code iy0..iy0+3} and columns {@code ix0..ix0+3} of one image (zero outside
     * {@code [0, h) × [0, w)}; pixel (y, x) channel c at {@code x[img + y·rowStride + x·pixStride + c]}),
     * transformed into {@code v[p·planeStride + vOff + c]} for the 16 planes p and {@code c < cin}.
     * {@code at} (16 ints: each patch point's offset, -1 for padding) and {@code e} ({@link #TEMP}
     * floats: d·B row by row, a pass through L1 instead of an array of vectors) are scratch.
     */
    static void input(float[] x, int img, int rowStride, int pixStride, int iy0, int ix0, int h, int w, int cin,
                      float[] v, int vOff, int planeStride, int[] at, float[] e) {
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                int y = iy0 + r, xx = ix0 + c;
                at[4 * r + c] = y >= 0 && y < h && xx >= 0 && xx < w ? img + y * rowStride + xx * pixStride : -1;
            }
        }
        int ci = 0;
        FloatVector z = FloatVector.zero(S);
        for (; ci <= cin - L; ci += L) {
            for (int r = 0; r < 4; r++) {
                FloatVector d0 = at[4 * r] < 0 ? z : FloatVector.fromArray(S, x, at[4 * r] + ci);
                FloatVector d1 = at[4 * r + 1] < 0 ? z : FloatVector.fromArray(S, x, at[4 * r + 1] + ci);
                FloatVector d2 = at[4 * r + 2] < 0 ? z : FloatVector.fromArray(S, x, at[4 * r + 2] + ci);
                FloatVector d3 = at[4 * r + 3] < 0 ? z : FloatVector.fromArray(S, x, at[4 * r + 3] + ci);
                d0.sub(d2).intoArray(e, 4 * r * L);
                d1.add(d2).intoArray(e, (4 * r + 1) * L);
                d2.sub(d1).intoArray(e, (4 * r + 2) * L);
                d1.sub(d3).intoArray(e, (4 * r + 3) * L);
            }
            int o = vOff + ci;
            for (int j = 0; j < 4; j++) {
                FloatVector e0 = FloatVector.fromArray(S, e, j * L), e1 = FloatVector.fromArray(S, e, (4 + j) * L);
                FloatVector e2 = FloatVector.fromArray(S, e, (8 + j) * L), e3 = FloatVector.fromArray(S, e, (12 + j) * L);
                e0.sub(e2).intoArray(v, o + j * planeStride);
                e1.add(e2).intoArray(v, o + (4 + j) * planeStride);
                e2.sub(e1).intoArray(v, o + (8 + j) * planeStride);
                e1.sub(e3).intoArray(v, o + (12 + j) * planeStride);
            }
        }
        for (; ci < cin; ci++) {
            for (int r = 0; r < 4; r++) {
                float d0 = at[4 * r] < 0 ? 0 : x[at[4 * r] + ci], d1 = at[4 * r + 1] < 0 ? 0 : x[at[4 * r + 1] + ci];
                float d2 = at[4 * r + 2] < 0 ? 0 : x[at[4 * r + 2] + ci], d3 = at[4 * r + 3] < 0 ? 0 : x[at[4 * r + 3] + ci];
                e[4 * r] = d0 - d2;
                e[4 * r + 1] = d1 + d2;
                e[4 * r + 2] = d2 - d1;
                e[4 * r + 3] = d1 - d3;
            }
            int o = vOff + ci;
            for (int j = 0; j < 4; j++) {
                float e0 = e[j], e1 = e[4 + j], e2 = e[8 + j], e3 = e[12 + j];
                v[o + j * planeStride] = e0 - e2;
                v[o + (4 + j) * planeStride] = e1 + e2;
                v[o + (8 + j) * planeStride] = e2 - e1;
                v[o + (12 + j) * planeStride] = e1 - e3;
            }
        }
    }

    /**
     * The 16 products {@code m[p·planeStride + mOff + j]} ({@code j < cols}) of one tile, transformed
     * into its 2x2 outputs at {@code out[o00 + j]}, {@code o01} (right), {@code o10} (below) and
     * {@code o11}; an offset of -1 is a pixel past the image's edge, not written.
     */
    static void output(float[] m, int mOff, int planeStride, int cols, float[] out, int o00, int o01, int o10, int o11) {
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        float[] s = new float[8 * L];
        int j = 0;
        for (; j <= cols - L; j += L) {
            for (int c = 0; c < 4; c++) { // Aᵀ·m, column by column, into s: 2 rows of 4
                int o = mOff + j + c * planeStride;
                FloatVector m0 = FloatVector.fromArray(S, m, o), m1 = FloatVector.fromArray(S, m, o + 4 * planeStride).mul(half);
                FloatVector m2 = FloatVector.fromArray(S, m, o + 8 * planeStride).mul(half), m3 = FloatVector.fromArray(S, m, o + 12 * planeStride);
                if (c == 1 || c == 2) { // a middle column: its filter points were doubled too
                    m0 = m0.mul(half);
                    m1 = m1.mul(half);
                    m2 = m2.mul(half);
                    m3 = m3.mul(half);
                }
                m0.add(m1).add(m2).intoArray(s, c * L);
                m1.sub(m2).sub(m3).intoArray(s, (4 + c) * L);
            }
            FloatVector s0 = FloatVector.fromArray(S, s, 0), s1 = FloatVector.fromArray(S, s, L);
            FloatVector s2 = FloatVector.fromArray(S, s, 2 * L), s3 = FloatVector.fromArray(S, s, 3 * L);
            s0.add(s1).add(s2).intoArray(out, o00 + j);
            if (o01 >= 0) s1.sub(s2).sub(s3).intoArray(out, o01 + j);
            if (o10 >= 0 || o11 >= 0) {
                FloatVector s4 = FloatVector.fromArray(S, s, 4 * L), s5 = FloatVector.fromArray(S, s, 5 * L);
                FloatVector s6 = FloatVector.fromArray(S, s, 6 * L), s7 = FloatVector.fromArray(S, s, 7 * L);
                if (o10 >= 0) s4.add(s5).add(s6).intoArray(out, o10 + j);
                if (o11 >= 0) s5.sub(s6).sub(s7).intoArray(out, o11 + j);
            }
        }
        for (; j < cols; j++) {
            for (int c = 0; c < 4; c++) {
                int o = mOff + j + c * planeStride;
                float h = c == 1 || c == 2 ? 0.25f : 0.5f, w = c == 1 || c == 2 ? 0.5f : 1f;
                float m0 = m[o] * w, m1 = m[o + 4 * planeStride] * h, m2 = m[o + 8 * planeStride] * h, m3 = m[o + 12 * planeStride] * w;
                s[c] = m0 + m1 + m2;
                s[4 + c] = m1 - m2 - m3;
            }
            out[o00 + j] = s[0] + s[1] + s[2];
            if (o01 >= 0) out[o01 + j] = s[1] - s[2] - s[3];
            if (o10 >= 0) out[o10 + j] = s[4] + s[5] + s[6];
            if (o11 >= 0) out[o11 + j] = s[5] - s[6] - s[7];
        }
    }
}
