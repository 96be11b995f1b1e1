package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.CudaMatmul.Operand;
import dev.javelin.kernels.cuda.CudaMatmul.Problem;
import dev.javelin.kernels.cuda.ptx.ConvPtx;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Convolution as im2col + GEMM, one GEMM batch entry per group (NHWC input, HWIO filter):
 * <ul>
 *   <li>forward: out_g [N*OH*OW, Cout/g] = cols_g [rows, KH*KW*Cg] @ filter_g [KH*KW*Cg, Cout/g]
 *   (a 1x1, stride-1, unpadded, ungrouped conv of a dense input skips im2col: x is the matrix);</li>
 *   <li>input gradient: dcols_g = dy_g @ filter_g^T, then {@link ConvPtx#fold} sums the windows
 *   back (gather-style, no atomics);</li>
 *   <li>filter gradient: dfilter_g = cols_g^T @ dy_g, with im2col writing cols transposed.</li>
 * </ul>
 * Filter and dy columns of a group are addressed in place through the GEMM's leading dimension and
 * batch stride; only the transposed filter needs a copy. float32 (the tiled SGEMM, epilogues in its
 * store) and float64 (the float64 GEMM: gradient checks run on the device too).
 */
final class CudaConv {
    private CudaConv() {}

    /** Geometry shared by the three ops; x is [N,H,W,Cin], the filter [KH,KW,Cg,Cout]. */
    private record Geo(int n, int h, int w, int cin, int kh, int kw, int cg, int cout, int coutG, int oh, int ow, int groups,
                       OpAttrs.Conv c) {
        int rows() { return n * oh * ow; }
        int cols() { return kh * kw * cg; }

        static Geo of(Shape x, Shape f, Shape y, OpAttrs.Conv c) {
            return new Geo(x.dim(0), x.dim(1), x.dim(2), x.dim(3), f.dim(0), f.dim(1), f.dim(2), f.dim(3), f.dim(3) / c.groups(),
                    y.dim(1), y.dim(2), c.groups(), c);
        }
    }

    /** True when a forward convolution can apply {@code epilogue} in its GEMM's store (one group; see {@link CudaMatmul#takes}). */
    static boolean takes(OpCall call, GemmEpilogue epilogue) {
        return call.attrs(OpAttrs.Conv.class).groups() == 1 && CudaMatmul.takes(epilogue, 1);
    }

    /** The forward convolution {@code call} into {@code out} (null: not stored) with {@code epilogue} in its GEMM's store. */
    static void forward(KernelRunner r, OpCall call, Tensor out, GemmEpilogue epilogue) {
        OpAttrs.Conv c = call.attrs(OpAttrs.Conv.class);
        forward(r, call.input(0), call.input(1), out, Geo.of(call.input(0).shape(), call.input(1).shape(), call.shape(), c), epilogue);
    }

    static void execute(KernelRunner r, OpCall call, Tensor out) {
        OpAttrs.Conv c = call.attrs(OpAttrs.Conv.class);
        switch (call.op()) {
            case CONV2D -> forward(r, call.input(0), call.input(1), out, Geo.of(call.input(0).shape(), call.input(1).shape(), out.shape(), c), null);
            case CONV2D_BACKWARD_INPUT -> backwardInput(r, call.input(0), call.input(1), out,
                    Geo.of(out.shape(), call.input(1).shape(), call.input(0).shape(), c));
            case CONV2D_BACKWARD_FILTER -> backwardFilter(r, call.input(0), call.input(1), out,
                    Geo.of(call.input(0).shape(), out.shape(), call.input(1).shape(), c));
            default -> throw new IllegalArgumentException("cuda: " + call.op().label() + " is not a convolution");
        }
    }

    private static void forward(KernelRunner r, Tensor x, Tensor f, Tensor out, Geo g, GemmEpilogue epilogue) {
        Operand a;
        OpAttrs.Conv c = g.c();
        boolean pointwise = g.kh() == 1 && g.kw() == 1 && c.strideH() == 1 && c.strideW() == 1 && c.padTop() == 0 && c.padBottom() == 0
                && c.padLeft() == 0 && c.padRight() == 0 && g.groups() == 1 && x.isContiguous();
        DType t = x.dtype();
        if (pointwise) {
            a = new Operand(CudaKernels.address(x, false) + (long) x.offset() * t.byteSize(), g.cin(), 0);
        } else {
            long cols = im2col(r, x, g, false);
            a = new Operand(cols, g.cols(), g.rows() * g.cols());
        }
        long fa = denseAddress(r, f);
        Operand b = new Operand(fa, g.cout(), g.coutG());
        Operand o = out == null ? null : new Operand(CudaKernels.address(out, true), g.cout(), g.coutG());
        CudaMatmul.gemm(r, new Problem(t, g.groups(), g.rows(), g.coutG(), g.cols(), a, b, o), epilogue);
    }

    private static void backwardInput(KernelRunner r, Tensor dy, Tensor f, Tensor dx, Geo g) {
        long dyAddr = denseAddress(r, dy);
        long fAddr = denseAddress(r, f);
        // filter_g^T as [G][Cout/g][cols]: element (g, co, kk) of the dense HWIO filter sits at kk*Cout + g*Cout/g + co
        DType t = f.dtype();
        Tensor fView = Tensor.wrap(new RawStorage(f.device(), t, g.cols() * g.cout(), fAddr),
                Shape.of(g.groups(), g.coutG(), g.cols()), new int[] {g.coutG(), 1, g.cout()}, 0);
        long ft = CudaKernels.denseCopy(r, fView);
        long dcols = r.scratch((long) g.groups() * g.rows() * g.cols() * t.byteSize());
        CudaMatmul.gemm(r, new Problem(t, g.groups(), g.rows(), g.cols(), g.coutG(),
                new Operand(dyAddr, g.cout(), g.coutG()), new Operand(ft, g.cols(), g.coutG() * g.cols()),
                new Operand(dcols, g.cols(), g.rows() * g.cols())));
        int[] s = {g.oh() * g.ow() * g.cols(), g.ow() * g.cols(), g.cols(), g.kw() * g.cg(), g.cg(), 1};
        foldLaunch(r, CudaKernels.address(dx, true), t, g.n(), g.h(), g.w(), g.cin(), g.cg(), g.kh(), g.kw(), g.oh(), g.ow(),
                g.c().strideH(), g.c().strideW(), g.c().dilationH(), g.c().dilationW(), g.c().padTop(), g.c().padLeft(),
                dcols, 0, g.rows() * g.cols(), s);
    }

    private static void backwardFilter(KernelRunner r, Tensor x, Tensor dy, Tensor df, Geo g) {
        long colsT = im2col(r, x, g, true);
        long dyAddr = denseAddress(r, dy);
        CudaMatmul.gemm(r, new Problem(x.dtype(), g.groups(), g.cols(), g.coutG(), g.rows(),
                new Operand(colsT, g.rows(), g.rows() * g.cols()), new Operand(dyAddr, g.cout(), g.coutG()),
                new Operand(CudaKernels.address(df, true), g.cout(), g.coutG())));
    }

    /** The address of t's first element when dense, else of a dense scratch copy. */
    private static long denseAddress(KernelRunner r, Tensor t) {
        if (t.isContiguous()) return CudaKernels.address(t, false) + (long) t.offset() * t.dtype().byteSize();
        return CudaKernels.denseCopy(r, t);
    }

    /** im2col of every group into scratch, [G][rows][cols] or transposed [G][cols][rows]. */
    private static long im2col(KernelRunner r, Tensor x, Geo g, boolean transposed) {
        long total = (long) g.groups() * g.rows() * g.cols();
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda: conv2d im2col of " + x.shape() + " needs " + total
                    + " elements, above 2^31; split the batch");
        }
        DType t = x.dtype();
        long dst = r.scratch(total * t.byteSize());
        String name = ConvPtx.im2colName(t);
        String entry = PtxCache.entry(name, () -> ConvPtx.im2col(t));
        int[] xs = x.strides();
        OpAttrs.Conv c = g.c();
        List<Object> args = new ArrayList<>(List.of(dst, (int) total, g.rows(), g.cols(), CudaKernels.address(x, false), x.offset(),
                xs[0], xs[1], xs[2], xs[3], g.h(), g.w(), g.cg(), g.kw(), g.oh(), g.ow(), c.strideH(), c.strideW(),
                c.dilationH(), c.dilationW(), c.padTop(), c.padLeft(), transposed ? 1 : g.cols(), transposed ? g.rows() : 1));
        if (total > 0) r.launch(new Launch(name, entry, CudaKernels.gridFor(total, ConvPtx.BLOCK), 1, 1, ConvPtx.BLOCK, 0, args));
        return dst;
    }

    /** The FOLD primitive: windows [N,OH,OW,KH,KW,C] (any strides) summed into dense [N,H,W,C]. */
    static void fold(KernelRunner r, OpCall call, Tensor out) {
        Tensor win = call.input(0);
        OpAttrs.Window w = call.attrs(OpAttrs.Window.class);
        int[] s = win.strides();
        foldLaunch(r, CudaKernels.address(out, true), out.dtype(), out.dim(0), out.dim(1), out.dim(2), out.dim(3), out.dim(3),
                w.kh(), w.kw(), win.dim(1), win.dim(2), w.strideH(), w.strideW(), w.dilationH(), w.dilationW(), 0, 0,
                CudaKernels.address(win, false), win.offset(), 0, s);
    }

    private static void foldLaunch(KernelRunner r, long out, DType t, int n, int h, int w, int ctot, int cg, int kh, int kw, int oh, int ow,
                                   int sh, int sw, int dh, int dw, int pt, int pl, long src, int soff, int sg, int[] s) {
        int total = n * h * w * ctot;
        if (total == 0) return;
        String name = ConvPtx.foldName(t);
        String entry = PtxCache.entry(name, () -> ConvPtx.fold(t));
        List<Object> args = new ArrayList<>(List.of(out, total, h, w, ctot, cg, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, src, soff, sg));
        for (int v : s) args.add(v);
        r.launch(new Launch(name, entry, CudaKernels.gridFor(total, ConvPtx.BLOCK), 1, 1, ConvPtx.BLOCK, 0, args));
    }
}
