package dev.javelin.kernels.ir;

import java.util.List;

/**
 * The six transforms of Winograd's F(2x2, 3x3) convolution and its gradients, defined once as kernel
 * IR: each is an elementwise function over a channel axis (contiguous in NHWC and HWIO) with several
 * inputs and several results ({@link KernelIR#multiOutput}); the CPU runs them generated, with the
 * same arithmetic in the vector body and the masked last vector. Point (i, j) of a 4x4 transformed
 * tile is the plane {@code p = 4·i + j} (i along the image's rows).
 * <ul>
 *   <li>{@link #INPUT}: a 4x4 patch d becomes Bᵀ·d·B, with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1];
 *   <li>{@link #FILTER}: a 3x3 filter g becomes (2G)·g·(2G)ᵀ, with G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]: 2G has
 *       no multiplications;
 *   <li>{@link #OUTPUT}: the 16 products m become the 2x2 outputs Aᵀ·m·A, with Aᵀ = [1 1 1 0; 0 1 -1 -1],
 *       the products of the points whose row or column 2G doubled halved first;
 *   <li>{@link #OUTPUT_GRADIENT}: a tile's 2x2 upstream gradient dY becomes A·dY·Aᵀ;
 *   <li>{@link #INPUT_PATCH}: 16 point gradients X, halved in the middle rows and columns (undoing 2G),
 *       become B·X·Bᵀ, added into the tile's 4x4 input patch (read and written);
 *   <li>{@link #FILTER_GRADIENT}: 16 point gradients W become the 3x3 filter gradient Gᵀ·W·G.
 * </ul>
 * Scaling by a power of two is exact, so these are the exact matrices' arithmetic; each value's
 * expression is fixed as written here (e.g. G's middle rows as {@code (g0 + g2) ± g1}), which is
 * what fixes the bits: a different association of the same sums would round differently.
 *
 * <pre>{@code
 * KernelIR ir = WinogradKernels.INPUT.ir();   // 16 loads (the patch), 16 results (the planes)
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

    /**
     * One transform: its kernel, each slot's operand (reads, then writes), and the side of its image block.
     */
    public record Transform(KernelIR ir, List<Operand> slots, int size) {}

    private static final class Builder extends OperandKernelBuilder<Operand> {
        int image(int index) { return read(new Operand(false, index)); }
        int plane(int index) { return read(new Operand(true, index)); }
        void toImage(int index, int value) { write(new Operand(false, index), value); }
        void toPlane(int index, int value) { write(new Operand(true, index), value); }
        Transform transform(String name, int size) { return new Transform(ir("E_winograd_" + name), slots(), size); }
    }

    /** Bᵀ·d·B: d·B row by row, then Bᵀ times its columns. */
    public static final Transform INPUT = input();
    /** (2G)·g·(2G)ᵀ: 2G times the filter's columns, then each row times (2G)ᵀ. */
    public static final Transform FILTER = filter();
    /** Aᵀ·m·A with the doubled points halved: Aᵀ times the columns, then each row times A. */
    public static final Transform OUTPUT = output();
    /** A·dY·Aᵀ. */
    public static final Transform OUTPUT_GRADIENT = outputGradient();
    /** The patch plus B·X'·Bᵀ, X' halved where 2G doubled: B times the columns, then each row times Bᵀ. */
    public static final Transform INPUT_PATCH = inputPatch();
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

    private static Transform outputGradient() {
        Builder k = new Builder();
        int a = k.image(0), b = k.image(1), c = k.image(2), d = k.image(3);
        pointRow(k, a, b, 0);
        pointRow(k, k.add(a, c), k.add(b, d), 4);
        pointRow(k, k.sub(a, c), k.sub(b, d), 8);
        pointRow(k, k.neg(c), k.neg(d), 12);
        return k.transform("output_gradient", 2);
    }

    /** One row (x, y) of A·dY times Aᵀ: the points x, x + y, x - y, -y, planes from {@code p}. */
    private static void pointRow(Builder k, int x, int y, int p) {
        k.toPlane(p, x);
        k.toPlane(p + 1, k.add(x, y));
        k.toPlane(p + 2, k.sub(x, y));
        k.toPlane(p + 3, k.neg(y));
    }

    private static Transform inputPatch() {
        Builder k = new Builder();
        int half = k.constant(0.5f), quarter = k.constant(0.25f);
        int[] e = new int[16]; // B·X': 4 rows of 4
        for (int q = 0; q < 4; q++) {
            boolean middle = q == 1 || q == 2; // a middle column: its filter points were doubled too
            int x0 = k.plane(q), x3 = k.plane(12 + q);
            int x1 = k.mul(k.plane(4 + q), middle ? quarter : half), x2 = k.mul(k.plane(8 + q), middle ? quarter : half);
            if (middle) {
                x0 = k.mul(x0, half);
                x3 = k.mul(x3, half);
            }
            e[q] = x0;
            e[4 + q] = k.add(k.sub(x1, x2), x3);
            e[8 + q] = k.sub(k.add(x1, x2), x0);
            e[12 + q] = k.neg(x3);
        }
        for (int r = 0; r < 4; r++) {
            int e0 = e[4 * r], e1 = e[4 * r + 1], e2 = e[4 * r + 2], e3 = e[4 * r + 3];
            addInto(k, 4 * r, e0);
            addInto(k, 4 * r + 1, k.add(k.sub(e1, e2), e3));
            addInto(k, 4 * r + 2, k.sub(k.add(e1, e2), e0));
            addInto(k, 4 * r + 3, k.neg(e3));
        }
        return k.transform("input_patch", 4);
    }

    private static void addInto(Builder k, int point, int value) {
        k.toImage(point, k.add(k.image(point), value));
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
