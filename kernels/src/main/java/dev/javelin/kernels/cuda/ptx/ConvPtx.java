package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;

/**
 * The two data-movement halves of convolution through GEMM, for NHWC tensors with explicit padding,
 * strides, dilations and groups.
 * <ul>
 *   <li>{@link #im2col}: per group g, the matrix [N*OH*OW, KH*KW*Cg] of input windows (zeros in the
 *   padding), written at {@code dst + g*rows*cols + row*rowStride + col*colStride}, so the same
 *   kernel writes it transposed for the filter gradient.</li>
 *   <li>{@link #fold}: the adjoint (col2im), gather-style: each output element sums the window
 *   entries that cover it, so no atomics and a fixed summation order. It also implements the FOLD
 *   primitive (one group, no padding).</li>
 * </ul>
 *
 * <pre>{@code
 * String im2col = ConvPtx.im2col(DType.FLOAT32);
 * String col2im = ConvPtx.fold(DType.FLOAT32);
 * }</pre>
 */
public final class ConvPtx {
    public static final int BLOCK = 256;

    private ConvPtx() {}

    public static String im2colName(DType t) {
        return "im2col_" + PtxTypes.tag(t);
    }

    /**
     * Parameters: {@code dst, total, rows, cols, x, xoff, xs0..xs3, H, W, Cg, KW, OH, OW, sh, sw, dh, dw,
     * padTop, padLeft, rowStride, colStride}; total = groups * rows * cols.
     */
    public static String im2col(DType t) {
        PtxWriter w = new PtxWriter(im2colName(t));
        w.maxThreads(BLOCK);
        String dst = w.paramPtr("dst");
        String total = w.paramU32("total");
        String rows = w.paramU32("rows");
        String cols = w.paramU32("cols");
        String x = w.paramPtr("x");
        String xoff = w.paramU32("xoff");
        String[] xs = new String[4];
        for (int i = 0; i < 4; i++) xs[i] = w.paramU32("xs" + i);
        String h = w.paramU32("H");
        String wd = w.paramU32("W");
        String cg = w.paramU32("Cg");
        String kw = w.paramU32("KW");
        String oh = w.paramU32("OH");
        String ow = w.paramU32("OW");
        String sh = w.paramU32("sh");
        String sw = w.paramU32("sw");
        String dh = w.paramU32("dh");
        String dw = w.paramU32("dw");
        String pt = w.paramU32("pt");
        String pl = w.paramU32("pl");
        String rs = w.paramU32("rowStride");
        String cs = w.paramU32("colStride");
        IndexPtx.Loop loop = IndexPtx.Loop.open(w, total);
        String[] gRowCol = divmod(w, loop.index, cols);          // [i / cols, i % cols]
        String[] gRow = divmod(w, gRowCol[0], rows);               // [g, row]
        String[] kk = divmod(w, gRowCol[1], cg);                   // [kh*KW + kw, ci]
        String[] khkw = divmod(w, kk[0], kw);                      // [kh, kw]
        String[] nohow = divmod(w, gRow[1], ow);                   // [n*OH + oh, ow]
        String[] noh = divmod(w, nohow[0], oh);                    // [n, oh]
        String hi = w.reg(Reg.B32);
        String wi = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + hi + ", " + noh[1] + ", " + sh);
        w.op("mad.lo.s32 " + hi + ", " + khkw[0] + ", " + dh + ", " + hi);
        w.op("sub.s32 " + hi + ", " + hi + ", " + pt);
        w.op("mul.lo.s32 " + wi + ", " + nohow[1] + ", " + sw);
        w.op("mad.lo.s32 " + wi + ", " + khkw[1] + ", " + dw + ", " + wi);
        w.op("sub.s32 " + wi + ", " + wi + ", " + pl);
        String in = w.reg(Reg.PRED);
        String ok = w.reg(Reg.PRED);
        w.op("setp.lt.u32 " + in + ", " + hi + ", " + h);   // negative rows are huge unsigned
        w.op("setp.lt.u32 " + ok + ", " + wi + ", " + wd);
        w.op("and.pred " + in + ", " + in + ", " + ok);
        String ch = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + ch + ", " + gRow[0] + ", " + cg + ", " + kk[1]);
        String off = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + off + ", " + noh[0] + ", " + xs[0] + ", " + xoff);
        w.op("mad.lo.s32 " + off + ", " + hi + ", " + xs[1] + ", " + off);
        w.op("mad.lo.s32 " + off + ", " + wi + ", " + xs[2] + ", " + off);
        w.op("mad.lo.s32 " + off + ", " + ch + ", " + xs[3] + ", " + off);
        String v = w.reg(PtxTypes.reg(t));
        w.op("mov." + PtxTypes.arith(t) + " " + v + ", " + PtxTypes.literal(0, t));
        w.opIf(in, "ld.global.nc." + PtxTypes.mem(t) + " " + v + ", [" + w.address(x, off, PtxTypes.bytes(t)) + "]");
        String d = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + d + ", " + gRow[0] + ", " + rows);
        w.op("mul.lo.s32 " + d + ", " + d + ", " + cols);
        w.op("mad.lo.s32 " + d + ", " + gRow[1] + ", " + rs + ", " + d);
        w.op("mad.lo.s32 " + d + ", " + gRowCol[1] + ", " + cs + ", " + d);
        PtxTypes.store(w, t, w.address(dst, d, PtxTypes.bytes(t)), v);
        loop.close(w);
        return w.finish();
    }

    public static String foldName(DType t) {
        return "fold_" + PtxTypes.tag(t);
    }

    /**
     * out[n,h,w,ch] (dense, Ctot channels; group g = ch / Cg, c = ch % Cg) = sum over kh, kw with
     * h + padTop - kh*dh = oh*sh (0 <= oh < OH), likewise w, of src[g*sg + n*s0 + oh*s1 + ow*s2 + kh*s3 + kw*s4 + c*s5].
     * Parameters: {@code out, total, H, W, Ctot, Cg, KH, KW, OH, OW, sh, sw, dh, dw, padTop, padLeft, src, soff, sg, s0..s5}.
     */
    public static String fold(DType t) {
        if (!t.isFloating()) throw new IllegalArgumentException("ConvPtx: fold sums windows, expected a floating dtype, got " + t);
        PtxWriter w = new PtxWriter(foldName(t));
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String total = w.paramU32("total");
        String h = w.paramU32("H");
        String wd = w.paramU32("W");
        String ctot = w.paramU32("Ctot");
        String cg = w.paramU32("Cg");
        String kh = w.paramU32("KH");
        String kw = w.paramU32("KW");
        String oh = w.paramU32("OH");
        String ow = w.paramU32("OW");
        String sh = w.paramU32("sh");
        String sw = w.paramU32("sw");
        String dh = w.paramU32("dh");
        String dw = w.paramU32("dw");
        String pt = w.paramU32("pt");
        String pl = w.paramU32("pl");
        String src = w.paramPtr("src");
        String soff = w.paramU32("soff");
        String sg = w.paramU32("sg");
        String[] s = new String[6];
        for (int i = 0; i < 6; i++) s[i] = w.paramU32("s" + i);
        IndexPtx.Loop loop = IndexPtx.Loop.open(w, total);
        String[] rest = divmod(w, loop.index, ctot);   // [n*H*W + h*W + w, ch]
        String[] gc = divmod(w, rest[1], cg);          // [g, c]
        String[] nhw = divmod(w, rest[0], wd);         // [n*H + h, w]
        String[] nh = divmod(w, nhw[0], h);            // [n, h]
        String base = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + base + ", " + gc[0] + ", " + sg + ", " + soff);
        w.op("mad.lo.s32 " + base + ", " + nh[0] + ", " + s[0] + ", " + base);
        w.op("mad.lo.s32 " + base + ", " + gc[1] + ", " + s[5] + ", " + base);
        String acc = w.reg(PtxTypes.reg(t));
        w.op("mov." + PtxTypes.arith(t) + " " + acc + ", " + PtxTypes.literal(0, t));
        String hp = w.reg(Reg.B32);
        String wp = w.reg(Reg.B32);
        w.op("add.s32 " + hp + ", " + nh[1] + ", " + pt);
        w.op("add.s32 " + wp + ", " + nhw[1] + ", " + pl);
        String i = w.reg(Reg.B32);
        String j = w.reg(Reg.B32);
        String p = w.reg(Reg.PRED);
        String iLoop = w.newLabel("kh");
        String iEnd = w.newLabel("kh_end");
        String jLoop = w.newLabel("kw");
        String jEnd = w.newLabel("kw_end");
        w.op("mov.u32 " + i + ", 0");
        w.label(iLoop);
        w.op("setp.ge.u32 " + p + ", " + i + ", " + kh);
        w.opIf(p, "bra.uni " + iEnd);
        String ohv = windowIndex(w, hp, i, dh, sh, oh);
        String rowOk = w.reg(Reg.PRED);
        w.op("setp.ge.s32 " + rowOk + ", " + ohv + ", 0");
        w.op("mov.u32 " + j + ", 0");
        w.label(jLoop);
        w.op("setp.ge.u32 " + p + ", " + j + ", " + kw);
        w.opIf(p, "bra.uni " + jEnd);
        String owv = windowIndex(w, wp, j, dw, sw, ow);
        String ok = w.reg(Reg.PRED);
        w.op("setp.ge.s32 " + ok + ", " + owv + ", 0");
        w.op("and.pred " + ok + ", " + ok + ", " + rowOk);
        String off = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + off + ", " + ohv + ", " + s[1] + ", " + base);
        w.op("mad.lo.s32 " + off + ", " + owv + ", " + s[2] + ", " + off);
        w.op("mad.lo.s32 " + off + ", " + i + ", " + s[3] + ", " + off);
        w.op("mad.lo.s32 " + off + ", " + j + ", " + s[4] + ", " + off);
        String v = w.reg(PtxTypes.reg(t));
        w.op("mov." + PtxTypes.arith(t) + " " + v + ", " + PtxTypes.literal(0, t));
        w.opIf(ok, "ld.global.nc." + PtxTypes.mem(t) + " " + v + ", [" + w.address(src, off, PtxTypes.bytes(t)) + "]");
        w.op("add." + PtxTypes.arith(t) + " " + acc + ", " + acc + ", " + v);
        w.op("add.s32 " + j + ", " + j + ", 1");
        w.op("bra.uni " + jLoop);
        w.label(jEnd);
        w.op("add.s32 " + i + ", " + i + ", 1");
        w.op("bra.uni " + iLoop);
        w.label(iEnd);
        PtxTypes.store(w, t, w.address(out, loop.index, PtxTypes.bytes(t)), acc);
        loop.close(w);
        return w.finish();
    }

    /** (pos - k*dil) / stride when it divides exactly and lands in [0, count), else -1. */
    private static String windowIndex(PtxWriter w, String pos, String k, String dil, String stride, String count) {
        String d = w.reg(Reg.B32);
        String q = w.reg(Reg.B32);
        String r = w.reg(Reg.B32);
        String bad = w.reg(Reg.PRED);
        String b2 = w.reg(Reg.PRED);
        w.op("mul.lo.s32 " + d + ", " + k + ", " + dil);
        w.op("sub.s32 " + d + ", " + pos + ", " + d);
        w.op("setp.lt.s32 " + bad + ", " + d + ", 0");
        w.op("max.s32 " + d + ", " + d + ", 0");
        w.op("div.u32 " + q + ", " + d + ", " + stride);
        w.op("mul.lo.s32 " + r + ", " + q + ", " + stride);
        w.op("setp.ne.s32 " + b2 + ", " + r + ", " + d);
        w.op("or.pred " + bad + ", " + bad + ", " + b2);
        w.op("setp.ge.u32 " + b2 + ", " + q + ", " + count);
        w.op("or.pred " + bad + ", " + bad + ", " + b2);
        w.op("selp.s32 " + q + ", -1, " + q + ", " + bad);
        return q;
    }

    /** {quotient, remainder} of unsigned a / b. */
    private static String[] divmod(PtxWriter w, String a, String b) {
        String q = w.reg(Reg.B32);
        String r = w.reg(Reg.B32);
        w.op("div.u32 " + q + ", " + a + ", " + b);
        w.op("mul.lo.s32 " + r + ", " + q + ", " + b);
        w.op("sub.s32 " + r + ", " + a + ", " + r);
        return new String[] {q, r};
    }
}
