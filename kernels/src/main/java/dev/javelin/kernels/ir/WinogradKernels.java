package dev.javelin.kernels.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * The transforms of Winograd's F(2x2, 3x3) convolution and of its gradients, defined once as kernel IR:
 * each an elementwise function over a channel axis (contiguous in NHWC and in the transformed planes)
 * with several inputs and several results ({@link KernelIR#multiOutput}), generated for the CPU and run
 * a row of blocks per call ({@code WinogradTiles}, {@code WinogradFilters}). Point (i, j) of a 4x4
 * transformed block is the plane {@code p = 4·i + j}; point (r, c) of an image block is {@code size·r + c}.
 * <ul>
 *   <li>{@link #INPUT}: a 4x4 input patch d becomes Bᵀ·d·B, with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1];
 *   <li>{@link #FILTER}: a 3x3 filter g becomes (2G)·g·(2G)ᵀ, with G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]: 2G has
 *       no multiplications (the tile transforms halve the doubled points again);
 *   <li>{@link #OUTPUT}: the 16 products m become the 2x2 outputs Aᵀ·m·A, with Aᵀ = [1 1 1 0; 0 1 -1 -1];
 *   <li>{@link #FILTER_GRADIENT}: the filter transform's adjoint, 16 point gradients W to the 3x3 filter gradient Gᵀ·W·G.
 * </ul>
 * The tile transforms' adjoints (A·dY·Aᵀ, B·X·Bᵀ) are still hand-written loops ({@code WinogradAdjointTransforms}):
 * generated, a tile row per call, they ran 1.3-1.6x the hand-written loops' time on the MNIST convnet's conv2 (64 and
 * 32 channels: 4 and 2 vectors a tile; perf/NOTES.md, `wino8`).
 * Scaling by a power of two is exact, so these are the exact matrices' arithmetic; each value's
 * expression is fixed as written here (G's middle rows as {@code (g0 + g2) ± g1}), which is what
 * fixes the bits: another association of the same sums would round differently.
 * A transform's image points are one {@link KernelIR#withSlotGroups slot group} and its planes another
 * (each group's points a fixed distance apart for a whole call), so a call over a row of blocks steps
 * two offsets per block, not one per point.
 *
 * <pre>{@code
 * KernelIR ir = WinogradKernels.INPUT.ir();   // 16 loads (the patch), 16 results (the planes), 2 slot groups
 * }</pre>
 */
public final class WinogradKernels {
    private WinogradKernels() {}

    /**
     * An operand of a transform: point {@code index} of a {@code size}x{@code size} block of the image
     * (index = size·row + column; the input patch 4x4, the output block 2x2, the filter's taps 3x3),
     * or plane {@code index} of the 16 transformed points.
     */
    public record Operand(boolean plane, int index) {}

    /** One transform: its kernel, each slot's operand (reads, then writes), and the side of its image block. */
    public record Transform(KernelIR ir, List<Operand> slots, int size) {}

    private static final class Builder extends OperandKernelBuilder<Operand> {
        int image(int index) { return read(new Operand(false, index)); }
        int plane(int index) { return read(new Operand(true, index)); }
        void toImage(int index, int value) { write(new Operand(false, index), value); }
        void toPlane(int index, int value) { write(new Operand(true, index), value); }

        /** The kernel with its image points one slot group and its planes another. */
        Transform transform(String name, int size) {
            List<Operand> slots = slots();
            List<Integer> groups = new ArrayList<>();
            for (Operand o : slots) {
                int first = 0;
                while (slots.get(first).plane() != o.plane()) first++;
                groups.add(first);
            }
            return new Transform(ir("E_winograd_" + name).withSlotGroups(groups), slots, size);
        }
    }

    /** Bᵀ·d·B: d·B row by row, then Bᵀ times its columns. */
    public static final Transform INPUT = input();
    /** (2G)·g·(2G)ᵀ: 2G times the filter's columns, then each row times (2G)ᵀ. */
    public static final Transform FILTER = filter();
    /** Aᵀ·m·A with the doubled points halved: Aᵀ times the columns, then each row times A. */
    public static final Transform OUTPUT = output();
    /** Gᵀ·W·G: Gᵀ times the columns, then each row times G. */
    public static final Transform FILTER_GRADIENT = filterGradient();

    private static Transform input() {
        Builder k = new Builder();
        int[] e = new int[16];
        for (int r = 0; r < 4; r++) {
            int d0 = k.image(4 * r), d1 = k.image(4 * r + 1), d2 = k.image(4 * r + 2), d3 = k.image(4 * r + 3);
            e[4 * r] = k.sub(d0, d2);
            e[4 * r + 1] = k.add(d1, d2);
            e[4 * r + 2] = k.sub(d2, d1);
            e[4 * r + 3] = k.sub(d1, d3);
        }
        for (int j = 0; j < 4; j++) {
            int e0 = e[j], e1 = e[4 + j], e2 = e[8 + j], e3 = e[12 + j];
            k.toPlane(j, k.sub(e0, e2));
            k.toPlane(4 + j, k.add(e1, e2));
            k.toPlane(8 + j, k.sub(e2, e1));
            k.toPlane(12 + j, k.sub(e1, e3));
        }
        return k.transform("input", 4);
    }

    private static Transform filter() {
        Builder k = new Builder();
        int[] a = new int[12]; // 2G·g: 4 rows of 3
        for (int kx = 0; kx < 3; kx++) {
            int g0 = k.image(kx), g1 = k.image(3 + kx), g2 = k.image(6 + kx), g02 = k.add(g0, g2);
            a[kx] = g0;
            a[3 + kx] = k.add(g02, g1);
            a[6 + kx] = k.sub(g02, g1);
            a[9 + kx] = g2;
        }
        for (int i = 0; i < 4; i++) {
            int g0 = a[3 * i], g1 = a[3 * i + 1], g2 = a[3 * i + 2], g02 = k.add(g0, g2);
            k.toPlane(4 * i, g0);
            k.toPlane(4 * i + 1, k.add(g02, g1));
            k.toPlane(4 * i + 2, k.sub(g02, g1));
            k.toPlane(4 * i + 3, g2);
        }
        return k.transform("filter", 3);
    }

    private static Transform output() {
        Builder k = new Builder();
        int half = k.constant(0.5f);
        int[] s = new int[8]; // Aᵀ·m: 2 rows of 4
        for (int c = 0; c < 4; c++) {
            int m0 = k.plane(c), m1 = k.mul(k.plane(4 + c), half), m2 = k.mul(k.plane(8 + c), half), m3 = k.plane(12 + c);
            if (c == 1 || c == 2) { // a middle column: its filter points were doubled too
                m0 = k.mul(m0, half);
                m1 = k.mul(m1, half);
                m2 = k.mul(m2, half);
                m3 = k.mul(m3, half);
            }
            s[c] = k.add(k.add(m0, m1), m2);
            s[4 + c] = k.sub(k.sub(m1, m2), m3);
        }
        for (int r = 0; r < 2; r++) {
            k.toImage(2 * r, k.add(k.add(s[4 * r], s[4 * r + 1]), s[4 * r + 2]));
            k.toImage(2 * r + 1, k.sub(k.sub(s[4 * r + 1], s[4 * r + 2]), s[4 * r + 3]));
        }
        return k.transform("output", 2);
    }

    private static Transform filterGradient() {
        Builder k = new Builder();
        int half = k.constant(0.5f);
        int[] e = new int[12]; // Gᵀ·W: 3 rows of 4
        for (int q = 0; q < 4; q++) {
            int w0 = k.plane(q), w3 = k.plane(12 + q), w1 = k.mul(k.plane(4 + q), half), w2 = k.mul(k.plane(8 + q), half);
            int w12 = k.add(w1, w2);
            e[q] = k.add(w0, w12);
            e[4 + q] = k.sub(w1, w2);
            e[8 + q] = k.add(w12, w3);
        }
        for (int ky = 0; ky < 3; ky++) {
            int g0 = e[4 * ky], g3 = e[4 * ky + 3], g1 = k.mul(e[4 * ky + 1], half), g2 = k.mul(e[4 * ky + 2], half);
            int g12 = k.add(g1, g2);
            k.toImage(3 * ky, k.add(g0, g12));
            k.toImage(3 * ky + 1, k.sub(g1, g2));
            k.toImage(3 * ky + 2, k.add(g12, g3));
        }
        return k.transform("filter_gradient", 3);
    }
}
