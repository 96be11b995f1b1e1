package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.WinogradKernels;
import dev.javelin.kernels.ir.WinogradKernels.Operand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transforms of Winograd's F(2x2, 3x3) ({@link WinogradConv}) and their adjoints, each a loop over a
 * channel axis (contiguous in NHWC). The tile transforms, with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 * and Aᵀ = [1 1 1 0; 0 1 -1 -1] ({@link Tile}), are hand-written vector code. The filter's transform and its
 * adjoint are generated kernels ({@link WinogradKernels}), run over a range of input channels in one
 * {@link FusedKernel#runRows} call (each input channel a row, every slot's offset stepping by a row of the
 * filter); the filter's uses 2G (no multiplications), so the transforms that meet the transformed filter's
 * products halve the points of its doubled rows and columns again: scaling by a power of two is exact, so
 * the results are those of G.
 *
 * <p>A transform's points are addressed through tables: source point p (row-major: p = 4·i + j of a 4x4
 * tile, 2·i + j of a 2x2 one) of channel c at {@code src[srcBase + from[p] + c]}, read as zero where
 * {@code from[p] < 0}; result q at {@code dst[dstBase + to[q] + c]}, dropped where {@code to[q] < 0}. So
 * the channels past the last whole vector run the same vector code, on the last L channels again where
 * the results are not added, else on staged points: the same arithmetic as the whole vectors. Each
 * transform is one method of straight vector code: a vector passed to a method that C2 compiled on its
 * own first (and then does not inline) is boxed, many times slower; no masked vector operations either
 * (see {@code SgemmMicroKernel}).
 */
final class WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Vectors of scratch {@link #apply} needs: a transform's first pass, and a tail's staged points and results (a
     * compile-time constant: sizing the scratch loads no vector class).
     */
    static final int TEMP_VECTORS = 48;
    /** Point q of a staging area at {@code q·L}. */
    private static final int[] STAGED = new int[16];

    static {
        for (int q = 0; q < 16; q++) STAGED[q] = q * L;
    }

    /** A tile transform: 16 points to 16, but for a 2x2 block's (4 points) to or from. */
    enum Tile {
        /** An input patch d to Bᵀ·d·B. */
        INPUT,
        /** 16 products m to the 2x2 outputs Aᵀ·m·A, halved first. */
        OUTPUT,
        /** A tile's 2x2 upstream gradient dY to A·dY·Aᵀ. */
        OUTPUT_ADJOINT,
        /** 16 point gradients X, halved, to B·X·Bᵀ added into the input patch's gradient. */
        INPUT_ADJOINT
    }

    private static final FusedKernel FILTER = GeneratedLoops.compile(WinogradKernels.FILTER.ir());
    private static final FusedKernel FILTER_GRADIENT = GeneratedLoops.compile(WinogradKernels.FILTER_GRADIENT.ir());

    private WinogradTransforms() {}

    /**
     * Output channels {@code [col0, col0 + cols)} of the dense HWIO 3x3 filter {@code f} ([3, 3, cin,
     * cout]) transformed into {@code u[uOff + p·plane + ci·cols + j]} for plane p, input channel ci and
     * channel {@code col0 + j}.
     */
    static void filter(float[] f, int cin, int cout, int col0, int cols, float[] u, int uOff, int plane) {
        runFilter(WinogradKernels.FILTER, FILTER, f, col0, cin * cout, cout, u, uOff, plane, cols, cin, cols);
    }

    /**
     * The 16 point gradients of input channels {@code [ci0, ci1)}, {@code w[p·cin·cout + ci·cout + co]},
     * transformed into the filter gradient's taps {@code df[tap·cin·cout + ci·cout + co]} (tap = 3·ky + kx).
     */
    static void filterGradient(float[] w, int cin, int cout, int ci0, int ci1, float[] df) {
        int tap = cin * cout;
        runFilter(WinogradKernels.FILTER_GRADIENT, FILTER_GRADIENT, df, ci0 * cout, tap, cout, w, ci0 * cout, tap, cout, ci1 - ci0, cout);
    }

    /**
     * {@code rows} rows of {@code n} channels: tap k of row r at {@code taps[tapOff + k·tapStride + r·tapRow]},
     * plane p at {@code planes[planeOff + p·planeStride + r·planeRow]}.
     */
    private static void runFilter(WinogradKernels.Transform t, FusedKernel kernel, float[] taps, int tapOff, int tapStride, int tapRow,
                                  float[] planes, int planeOff, int planeStride, int planeRow, int rows, int n) {
        int slots = t.slots().size();
        Object[] arrays = new Object[slots];
        int[] offsets = new int[slots], strides = new int[slots];
        for (int s = 0; s < slots; s++) {
            Operand o = t.slots().get(s);
            arrays[s] = o.plane() ? planes : taps;
            offsets[s] = o.plane() ? planeOff + o.index() * planeStride : tapOff + o.index() * tapStride;
            strides[s] = o.plane() ? planeRow : tapRow;
        }
        kernel.runRows(arrays, offsets, new int[slots][], n, strides, rows);
    }

    /** {@code table[q] = q·stride} for the 16 points of a 4x4 tile: planes {@code stride} apart. */
    static int[] planes(int[] table, int stride) {
        for (int q = 0; q < 16; q++) table[q] = q * stride;
        return table;
    }

    /** Transform {@code t} of channels {@code [0, count)}, the points addressed as the class describes; {@code e} holds {@link #TEMP_VECTORS} vectors. */
    static void apply(Tile t, float[] src, int srcBase, int[] from, float[] dst, int dstBase, int[] to, int count, float[] e) {
        int whole = count - count % L, rest = count - whole;
        run(t, src, srcBase, from, dst, dstBase, to, whole, e);
        if (rest == 0) return;
        if (count >= L && t != Tile.INPUT_ADJOINT) { // the last whole vector again (the same values), cheaper than staging
            run(t, src, srcBase + count - L, from, dst, dstBase + count - L, to, L, e);
            return;
        }
        // stage the rest: each point's channels at the start of a vector (a point outside the image as
        // zeros); the lanes past them hold what they held, and their results are not copied back
        int results = t == Tile.OUTPUT ? 4 : 16;
        for (int p = 0; p < 16; p++) {
            for (int i = 0; i < rest && p < (t == Tile.OUTPUT_ADJOINT ? 4 : 16); i++) {
                e[16 * L + p * L + i] = from[p] < 0 ? 0f : src[srcBase + from[p] + whole + i];
            }
            for (int i = 0; i < rest && p < results && to[p] >= 0; i++) e[32 * L + p * L + i] = dst[dstBase + to[p] + whole + i];
        }
        run(t, e, 16 * L, STAGED, e, 32 * L, STAGED, L, e);
        for (int q = 0; q < results; q++) {
            for (int i = 0; i < rest && to[q] >= 0; i++) dst[dstBase + to[q] + whole + i] = e[32 * L + q * L + i];
        }
    }

    private static void run(Tile t, float[] src, int srcBase, int[] from, float[] dst, int dstBase, int[] to, int count, float[] e) {
        switch (t) {
            case INPUT -> input(src, srcBase, from, dst, dstBase, to, count, e);
            case OUTPUT -> output(src, srcBase, from, dst, dstBase, to, count, e);
            case OUTPUT_ADJOINT -> outputAdjoint(src, srcBase, from, dst, dstBase, to, count);
            case INPUT_ADJOINT -> inputAdjoint(src, srcBase, from, dst, dstBase, to, count, e);
        }
    }

    /** Bᵀ·d·B: d·B row by row into {@code e} (a pass through L1 instead of an array of vectors), then Bᵀ times its columns. */
    private static void input(float[] x, int xb, int[] at, float[] v, int vb, int[] to, int count, float[] e) {
        FloatVector z = FloatVector.zero(S);
        for (int c = 0; c < count; c += L) {
            for (int r = 0; r < 16; r += 4) {
                FloatVector d0 = at[r] < 0 ? z : FloatVector.fromArray(S, x, xb + at[r] + c);
                FloatVector d1 = at[r + 1] < 0 ? z : FloatVector.fromArray(S, x, xb + at[r + 1] + c);
                FloatVector d2 = at[r + 2] < 0 ? z : FloatVector.fromArray(S, x, xb + at[r + 2] + c);
                FloatVector d3 = at[r + 3] < 0 ? z : FloatVector.fromArray(S, x, xb + at[r + 3] + c);
                d0.sub(d2).intoArray(e, r * L);
                d1.add(d2).intoArray(e, (r + 1) * L);
                d2.sub(d1).intoArray(e, (r + 2) * L);
                d1.sub(d3).intoArray(e, (r + 3) * L);
            }
            for (int j = 0; j < 4; j++) {
                FloatVector e0 = FloatVector.fromArray(S, e, j * L), e1 = FloatVector.fromArray(S, e, (4 + j) * L);
                FloatVector e2 = FloatVector.fromArray(S, e, (8 + j) * L), e3 = FloatVector.fromArray(S, e, (12 + j) * L);
                e0.sub(e2).intoArray(v, vb + to[j] + c);
                e1.add(e2).intoArray(v, vb + to[4 + j] + c);
                e2.sub(e1).intoArray(v, vb + to[8 + j] + c);
                e1.sub(e3).intoArray(v, vb + to[12 + j] + c);
            }
        }
    }

    /** Aᵀ·m·A of the halved products: Aᵀ·m column by column into {@code s} (2 rows of 4), then each row times A. */
    private static void output(float[] m, int mb, int[] from, float[] out, int ob, int[] to, int count, float[] s) {
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        for (int j = 0; j < count; j += L) {
            for (int c = 0; c < 4; c++) {
                int o = mb + j;
                FloatVector m0 = FloatVector.fromArray(S, m, o + from[c]), m1 = FloatVector.fromArray(S, m, o + from[4 + c]).mul(half);
                FloatVector m2 = FloatVector.fromArray(S, m, o + from[8 + c]).mul(half), m3 = FloatVector.fromArray(S, m, o + from[12 + c]);
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
            s0.add(s1).add(s2).intoArray(out, ob + to[0] + j);
            if (to[1] >= 0) s1.sub(s2).sub(s3).intoArray(out, ob + to[1] + j);
            if (to[2] >= 0 || to[3] >= 0) {
                FloatVector s4 = FloatVector.fromArray(S, s, 4 * L), s5 = FloatVector.fromArray(S, s, 5 * L);
                FloatVector s6 = FloatVector.fromArray(S, s, 6 * L), s7 = FloatVector.fromArray(S, s, 7 * L);
                if (to[2] >= 0) s4.add(s5).add(s6).intoArray(out, ob + to[2] + j);
                if (to[3] >= 0) s5.sub(s6).sub(s7).intoArray(out, ob + to[3] + j);
            }
        }
    }

    /** A·dY·Aᵀ: A times dY's columns (a, c) and (b, d), then each of those 4 rows times Aᵀ. */
    private static void outputAdjoint(float[] dy, int db, int[] from, float[] m, int mb, int[] to, int count) {
        FloatVector z = FloatVector.zero(S);
        for (int c = 0; c < count; c += L) {
            FloatVector a = FloatVector.fromArray(S, dy, db + from[0] + c);
            FloatVector b = from[1] < 0 ? z : FloatVector.fromArray(S, dy, db + from[1] + c);
            FloatVector cc = from[2] < 0 ? z : FloatVector.fromArray(S, dy, db + from[2] + c);
            FloatVector d = from[3] < 0 ? z : FloatVector.fromArray(S, dy, db + from[3] + c);
            pointRow(a, b, m, mb + c, to, 0);
            pointRow(a.add(cc), b.add(d), m, mb + c, to, 4);
            pointRow(a.sub(cc), b.sub(d), m, mb + c, to, 8);
            pointRow(cc.neg(), d.neg(), m, mb + c, to, 12);
        }
    }

    /** One row (x, y) of A·dY times Aᵀ: the four points x, x + y, x - y, -y. */
    private static void pointRow(FloatVector x, FloatVector y, float[] m, int o, int[] to, int q) {
        x.intoArray(m, o + to[q]);
        x.add(y).intoArray(m, o + to[q + 1]);
        x.sub(y).intoArray(m, o + to[q + 2]);
        y.neg().intoArray(m, o + to[q + 3]);
    }

    /** B·X·Bᵀ of the halved X, added: B·X column by column into {@code e}, then each row times Bᵀ. */
    private static void inputAdjoint(float[] x, int xb, int[] from, float[] dx, int db, int[] at, int count, float[] e) {
        FloatVector half = FloatVector.broadcast(S, 0.5f), quarter = FloatVector.broadcast(S, 0.25f);
        for (int c = 0; c < count; c += L) {
            for (int q = 0; q < 4; q++) {
                int o = xb + c;
                boolean middle = q == 1 || q == 2; // a middle column: its filter points were doubled too
                FloatVector x0 = FloatVector.fromArray(S, x, o + from[q]), x3 = FloatVector.fromArray(S, x, o + from[12 + q]);
                FloatVector x1 = FloatVector.fromArray(S, x, o + from[4 + q]).mul(middle ? quarter : half);
                FloatVector x2 = FloatVector.fromArray(S, x, o + from[8 + q]).mul(middle ? quarter : half);
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
            for (int r = 0; r < 16; r += 4) {
                FloatVector e0 = FloatVector.fromArray(S, e, r * L), e1 = FloatVector.fromArray(S, e, (r + 1) * L);
                FloatVector e2 = FloatVector.fromArray(S, e, (r + 2) * L), e3 = FloatVector.fromArray(S, e, (r + 3) * L);
                addInto(dx, db + c, at[r], e0);
                addInto(dx, db + c, at[r + 1], e1.sub(e2).add(e3));
                addInto(dx, db + c, at[r + 2], e1.add(e2).sub(e0));
                addInto(dx, db + c, at[r + 3], e3.neg());
            }
        }
    }

    private static void addInto(float[] dx, int base, int at, FloatVector v) {
        if (at >= 0) FloatVector.fromArray(S, dx, base + at).add(v).intoArray(dx, base + at);
    }
}
