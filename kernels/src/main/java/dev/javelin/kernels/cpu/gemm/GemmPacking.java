package dev.javelin.kernels.cpu.gemm;

import static dev.javelin.kernels.cpu.gemm.SgemmVector.L;
import static dev.javelin.kernels.cpu.gemm.SgemmVector.MR;
import static dev.javelin.kernels.cpu.gemm.SgemmVector.NR;
import static dev.javelin.kernels.cpu.gemm.SgemmVector.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of A and B into the panel layouts the micro-kernel streams through, reading the
 * operands through their strides (so a transposed operand costs nothing extra) and padding the
 * last panel with zeros (so edge tiles run the same kernel on a scratch tile).
 *
 * <p>An A panel holds {@code MR} rows for {@code kc} steps of k, k-major: {@code [p][r]}. A B strip
 * holds {@code NR} columns for {@code kc} steps, k-major: {@code [p][j]}. The panels, strips and edge tiles live in
 * a thread's {@link #scratch} arrays, so that calls do not allocate.
 */
final class GemmPacking {
    /**
     * The species of one A panel step ({@code MR} floats), when the machine's vectors are that wide:
     * a transposed A's step is then one vector load and store (JFR: the scalar copy was 20% of a
     * 512x128x4096 weight gradient). Null where narrower vectors would not be intrinsified.
     */
    private static final VectorSpecies<Float> A_STEP =
            S.vectorBitSize() >= MR * Float.SIZE ? VectorSpecies.of(float.class, VectorShape.forBitSize(MR * Float.SIZE)) : null;
    /** Scratch slots: {@link SgemmVector}'s shared packed A and B of a call, an item's A panels and edge strip, the edge tile; {@link SgemmRowMajorTile}'s panels. */
    static final int SHARED_A = 0, SHARED_B = 1, ITEM_A = 2, ITEM_EDGE = 3, EDGE_TILE = 4, TILE_A = 5, TILE_B = 6;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[7][0]);

    private GemmPacking() {}

    /** The calling thread's array of slot {@code slot}, at least {@code size} floats, grown on demand and kept; its contents are the last user's. */
    static float[] scratch(int slot, int size) {
        float[][] arrays = SCRATCH.get();
        if (arrays[slot].length < size) arrays[slot] = new float[size];
        return arrays[slot];
    }

    /*
     * A panel of A and a strip of B are the same copy with A's strides swapped: lane l of step p of an A panel is row
     * row0 + l, of a B strip column col0 + l. A full panel whose lanes are adjacent (a transposed A, a row-major B) is
     * copied a vector per step; everything else goes to pack. The vector copies stay out of pack (each in its own
     * method, with its constant species, which C2 needs to intrinsify them): with the copies inside it, a 4096x128x128
     * product whose packing takes neither branch ran 5% slower (1.33 -> 1.40 ms on one thread).
     */

    /** {@link #pack} for an {@code MR}-row panel of A. */
    static void packAPanel(float[] a, int aOffset, int aRowStride, int aColStride, int m,
                           int row0, int p0, int kc, float[] dst, int dstOff) {
        if (aRowStride == 1 && aColStride != 1 && A_STEP != null && m - row0 >= MR) {
            copyASteps(a, aOffset + row0 + p0 * aColStride, aColStride, kc, dst, dstOff);
        } else {
            pack(a, aOffset, aRowStride, aColStride, m, row0, MR, p0, kc, dst, dstOff);
        }
    }

    /** {@link #pack} for an {@code NR}-column strip of B. */
    static void packBStrip(float[] b, int bOffset, int bRowStride, int bColStride, int n,
                           int col0, int p0, int kc, float[] dst, int dstOff) {
        if (bColStride == 1 && n - col0 >= NR) {
            copyBSteps(b, bOffset + p0 * bRowStride + col0, bRowStride, kc, dst, dstOff);
        } else {
            pack(b, bOffset, bColStride, bRowStride, n, col0, NR, p0, kc, dst, dstOff);
        }
    }

    /** {@code kc} A panel steps of {@code MR} floats, {@code stride} apart from {@code src}, to {@code dst[d..]}. */
    private static void copyASteps(float[] a, int src, int stride, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, src += stride, d += MR) FloatVector.fromArray(A_STEP, a, src).intoArray(dst, d);
    }

    /** {@code kc} B strip steps of {@code NR} floats, {@code stride} apart from {@code src}, to {@code dst[d..]}. */
    private static void copyBSteps(float[] b, int src, int stride, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++, src += stride, d += NR) {
            FloatVector.fromArray(S, b, src).intoArray(dst, d);
            FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
        }
    }

    /**
     * Packs lanes {@code [lane0, lane0+width)} (those below {@code count}) of steps {@code [p0, p0+kc)}, lane l of step p
     * at {@code src[offset + l·laneStride + p·stepStride]}, to {@code dst[dstOff + (p-p0)·width + (l-lane0)]}, zeros past
     * {@code count}: an A panel with A's (row, column) strides as (lane, step), a B strip with B's (column, row) strides.
     */
    static void pack(float[] src, int offset, int laneStride, int stepStride, int count,
                     int lane0, int width, int p0, int kc, float[] dst, int dstOff) {
        int lanes = Math.min(width, count - lane0);
        if (laneStride == 1) {
            // A step's lanes adjacent (a row-major B, a transposed A): walk k outside and copy each step's lanes; lane by
            // lane would read one float per cache line (a transposed A measured 53 GFLOP/s for 512x128x4096 on one thread).
            for (int p = 0, s = offset + lane0 + p0 * stepStride, d = dstOff; p < kc; p++, s += stepStride, d += width) {
                System.arraycopy(src, s, dst, d, lanes);
                if (lanes < width) java.util.Arrays.fill(dst, d + lanes, d + width, 0f);
            }
            return;
        }
        for (int l = 0; l < lanes; l++) { // each lane's steps one stream (a row-major A, a transposed B)
            int s = offset + (lane0 + l) * laneStride + p0 * stepStride, d = dstOff + l;
            if (stepStride == 1) { // src[s + p]: a constant scale, so C2 takes the range checks out of the loop
                for (int p = 0; p < kc; p++, d += width) dst[d] = src[s + p];
            } else {
                for (int p = 0; p < kc; p++, s += stepStride, d += width) dst[d] = src[s];
            }
        }
        for (int l = lanes; l < width; l++) {
            for (int p = 0, d = dstOff + l; p < kc; p++, d += width) dst[d] = 0f;
        }
    }
}
