package dev.javelin.kernels.cpu;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The convolution and its gradients as direct loops in double over any strides: the float64 path
 * (gradient checks), where clarity matters more than speed. Parallel over images; each image's
 * result is summed in one fixed order.
 */
final class DirectConv2d {
    private DirectConv2d() {}

    static void forward(Tensor x, Tensor f, OpAttrs.Conv c, Tensor out) {
        Conv2d.Geometry g = new Conv2d.Geometry(x.shape().toArray(), f.shape().toArray(), out.shape().toArray(), c);
        HeapStorage xh = Elementwise.heap(x), fh = Elementwise.heap(f), oh = Elementwise.heap(out);
        int[] xs = x.strides(), fs = f.strides();
        perImage(g, n -> {
            for (int oy = 0; oy < g.oh; oy++) {
                for (int ox = 0; ox < g.ow; ox++) {
                    for (int co = 0; co < g.cout; co++) {
                        int grp = co / g.coutg;
                        double s = 0;
                        for (int ky = 0; ky < g.kh; ky++) {
                            int iy = oy * g.sh - g.padTop + ky * g.dh;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kx = 0; kx < g.kw; kx++) {
                                int ix = ox * g.sw - g.padLeft + kx * g.dw;
                                if (ix < 0 || ix >= g.w) continue;
                                for (int ci = 0; ci < g.cg; ci++) {
                                    s += xh.getDouble(x.offset() + n * xs[0] + iy * xs[1] + ix * xs[2] + (grp * g.cg + ci) * xs[3])
                                            * fh.getDouble(f.offset() + ky * fs[0] + kx * fs[1] + ci * fs[2] + co * fs[3]);
                                }
                            }
                        }
                        oh.setDouble(((n * g.oh + oy) * g.ow + ox) * g.cout + co, s);
                    }
                }
            }
        });
    }

    static void backwardInput(Tensor dy, Tensor f, OpAttrs.Conv c, Tensor dx) {
        Conv2d.Geometry g = new Conv2d.Geometry(dx.shape().toArray(), f.shape().toArray(), dy.shape().toArray(), c);
        HeapStorage dh = Elementwise.heap(dy), fh = Elementwise.heap(f), oh = Elementwise.heap(dx);
        int[] ds = dy.strides(), fs = f.strides();
        perImage(g, n -> {
            for (int oy = 0; oy < g.oh; oy++) {
                for (int ox = 0; ox < g.ow; ox++) {
                    for (int co = 0; co < g.cout; co++) {
                        int grp = co / g.coutg;
                        double d = dh.getDouble(dy.offset() + n * ds[0] + oy * ds[1] + ox * ds[2] + co * ds[3]);
                        for (int ky = 0; ky < g.kh; ky++) {
                            int iy = oy * g.sh - g.padTop + ky * g.dh;
                            if (iy < 0 || iy >= g.h) continue;
                            for (int kx = 0; kx < g.kw; kx++) {
                                int ix = ox * g.sw - g.padLeft + kx * g.dw;
                                if (ix < 0 || ix >= g.w) continue;
                                for (int ci = 0; ci < g.cg; ci++) {
                                    int o = ((n * g.h + iy) * g.w + ix) * g.cin + grp * g.cg + ci;
                                    oh.setDouble(o, oh.getDouble(o)
                                            + d * fh.getDouble(f.offset() + ky * fs[0] + kx * fs[1] + ci * fs[2] + co * fs[3]));
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    static void backwardFilter(Tensor x, Tensor dy, OpAttrs.Conv c, Tensor df) {
        Conv2d.Geometry g = new Conv2d.Geometry(x.shape().toArray(), df.shape().toArray(), dy.shape().toArray(), c);
        HeapStorage xh = Elementwise.heap(x), dh = Elementwise.heap(dy), oh = Elementwise.heap(df);
        int[] xs = x.strides(), ds = dy.strides();
        // One task per filter element: each sums over images and pixels in a fixed order.
        int total = g.kh * g.kw * g.cg * g.cout;
        CpuThreads.parallelFor(total, Math.max(1, (int) (CpuThreads.SMALL_WORK / Math.max(1, (long) g.n * g.oh * g.ow))), (from, to) -> {
            for (int e = from; e < to; e++) {
                int co = e % g.cout, ci = (e / g.cout) % g.cg, kx = (e / (g.cout * g.cg)) % g.kw, ky = e / (g.cout * g.cg * g.kw);
                int grp = co / g.coutg;
                double s = 0;
                for (int n = 0; n < g.n; n++) {
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = oy * g.sh - g.padTop + ky * g.dh;
                        if (iy < 0 || iy >= g.h) continue;
                        for (int ox = 0; ox < g.ow; ox++) {
                            int ix = ox * g.sw - g.padLeft + kx * g.dw;
                            if (ix < 0 || ix >= g.w) continue;
                            s += xh.getDouble(x.offset() + n * xs[0] + iy * xs[1] + ix * xs[2] + (grp * g.cg + ci) * xs[3])
                                    * dh.getDouble(dy.offset() + n * ds[0] + oy * ds[1] + ox * ds[2] + co * ds[3]);
                        }
                    }
                }
                oh.setDouble(e, s);
            }
        });
    }

    private interface ImageTask {
        void run(int n);
    }

    private static void perImage(Conv2d.Geometry g, ImageTask task) {
        long perImage = Math.max(1L, (long) g.oh * g.ow * g.cout * g.k);
        CpuThreads.parallelFor(g.n, (int) Math.max(1, CpuThreads.SMALL_WORK / perImage), (from, to) -> {
            for (int n = from; n < to; n++) task.run(n);
        });
    }
}
