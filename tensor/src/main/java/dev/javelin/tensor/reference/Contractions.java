package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;

/**
 * MATMUL and the three convolutions, as the textbook loops with double accumulation. Layouts: NHWC
 * activations, HWIO filters [KH,KW,Cin/groups,Cout]; output channel {@code co} belongs to group
 * {@code co / (Cout/groups)} and reads input channels {@code g*Cin/groups ..}.
 */
final class Contractions {
    private Contractions() {}

    /** [B...,M,K] @ [B...,K,N] with equal batch dims. */
    static void matmul(OpCall call, Tensor out) {
        Tensor a = call.input(0), b = call.input(1);
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        int batch = 1;
        for (int d = 0; d < out.rank() - 2; d++) batch *= out.dim(d);
        double[] x = Dense.doubles(a), y = Dense.doubles(b);
        double[] z = new double[out.shape().sizeAsInt()];
        for (int bi = 0; bi < batch; bi++) {
            int xo = bi * m * k, yo = bi * k * n, zo = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += x[xo + i * k + p] * y[yo + p * n + j];
                    z[zo + i * n + j] = s;
                }
            }
        }
        Dense.store(out, z);
    }

    /** Shapes and group sizes of one convolution, read from the input, filter and output shapes. */
    private record Geometry(int n, int h, int w, int cin, int kh, int kw, int cinG, int cout, int coutG, int oh, int ow,
                            OpAttrs.Conv c) {
        static Geometry of(int[] x, int[] f, int[] y, OpAttrs.Conv c) {
            return new Geometry(x[0], x[1], x[2], x[3], f[0], f[1], f[2], f[3], f[3] / c.groups(), y[1], y[2], c);
        }

        /** Input row for output row {@code o} and filter row {@code r}; may fall in the padding. */
        int inRow(int o, int r) { return o * c.strideH() - c.padTop() + r * c.dilationH(); }

        int inCol(int o, int s) { return o * c.strideW() - c.padLeft() + s * c.dilationW(); }

        int xIndex(int b, int i, int j, int ch) { return ((b * h + i) * w + j) * cin + ch; }

        int yIndex(int b, int i, int j, int co) { return ((b * oh + i) * ow + j) * cout + co; }

        int fIndex(int r, int s, int ci, int co) { return ((r * kw + s) * cinG + ci) * cout + co; }
    }

    /** y[b,i,j,co] = sum over r,s,ci of x[b, row, col, g*cinG + ci] * f[r,s,ci,co]. */
    static void conv2d(OpCall call, Tensor out) {
        Tensor xt = call.input(0), ft = call.input(1);
        Geometry g = Geometry.of(xt.shape().toArray(), ft.shape().toArray(), out.shape().toArray(), call.attrs(OpAttrs.Conv.class));
        double[] x = Dense.doubles(xt), f = Dense.doubles(ft);
        double[] y = new double[out.shape().sizeAsInt()];
        forEachProduct(g, (yi, xi, fi) -> y[yi] += x[xi] * f[fi]);
        Dense.store(out, y);
    }

    /** dx: every product in the forward sum sends dy * f back to the input element it read. */
    static void conv2dBackwardInput(OpCall call, Tensor out) {
        Tensor dyt = call.input(0), ft = call.input(1);
        Geometry g = Geometry.of(out.shape().toArray(), ft.shape().toArray(), dyt.shape().toArray(), call.attrs(OpAttrs.Conv.class));
        double[] dy = Dense.doubles(dyt), f = Dense.doubles(ft);
        double[] dx = new double[out.shape().sizeAsInt()];
        forEachProduct(g, (yi, xi, fi) -> dx[xi] += dy[yi] * f[fi]);
        Dense.store(out, dx);
    }

    /** dfilter: every product in the forward sum sends dy * x back to the filter element it used. */
    static void conv2dBackwardFilter(OpCall call, Tensor out) {
        Tensor xt = call.input(0), dyt = call.input(1);
        Geometry g = Geometry.of(xt.shape().toArray(), out.shape().toArray(), dyt.shape().toArray(), call.attrs(OpAttrs.Conv.class));
        double[] x = Dense.doubles(xt), dy = Dense.doubles(dyt);
        double[] df = new double[out.shape().sizeAsInt()];
        forEachProduct(g, (yi, xi, fi) -> df[fi] += dy[yi] * x[xi]);
        Dense.store(out, df);
    }

    /** One product x[xi] * f[fi] of the forward sum that makes y[yi]. */
    @FunctionalInterface
    private interface Product {
        void visit(int yi, int xi, int fi);
    }

    /**
     * Visits every product of the convolution's forward sum, in one fixed order (outputs in row-major
     * order, then filter rows, columns and input channels), skipping taps that fall in the padding.
     * The three conv ops are the three ways of accumulating these products.
     */
    private static void forEachProduct(Geometry g, Product p) {
        for (int b = 0; b < g.n; b++)
            for (int i = 0; i < g.oh; i++)
                for (int j = 0; j < g.ow; j++)
                    for (int co = 0; co < g.cout; co++) {
                        int yi = g.yIndex(b, i, j, co);
                        int c0 = (co / g.coutG) * g.cinG;
                        for (int r = 0; r < g.kh; r++) {
                            int row = g.inRow(i, r);
                            if (row < 0 || row >= g.h) continue;
                            for (int q = 0; q < g.kw; q++) {
                                int col = g.inCol(j, q);
                                if (col < 0 || col >= g.w) continue;
                                for (int ci = 0; ci < g.cinG; ci++) p.visit(yi, g.xIndex(b, row, col, c0 + ci), g.fIndex(r, q, ci, co));
                            }
                        }
                    }
    }
}
