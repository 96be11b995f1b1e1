package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;
import java.util.List;

/**
 * Index-driven kernels: GATHER, SCATTER_ADD (atomic adds) and PAD. Gather and scatter check every
 * index against the axis size; a bad one sets a flag word (and records the index) that the host
 * reads after the launch and turns into the same {@link IndexOutOfBoundsException} the reference
 * backend throws. Scatter-add's float atomics make the order of additions, and so the last bits of
 * a sum with repeated indices, vary from run to run.
 *
 * <pre>{@code
 * String entry = IndexPtx.gather(DType.FLOAT32, DType.INT64, 2);
 * }</pre>
 */
public final class IndexPtx {
    public static final int BLOCK = 256;

    private IndexPtx() {}

    public static String gatherName(DType x, DType idx, int rank) {
        return "gather_" + PtxTypes.tag(x) + "_" + PtxTypes.tag(idx) + "_r" + rank;
    }

    /**
     * out[i] = x[xoff + sum_d c_d * xs_d + idx[i] * axisStride]; x's strides have the axis zeroed.
     * Parameters: {@code out, n, dim1.., x, xoff, xs0.., idx, ioff, is0.., axisSize, axisStride, flag}.
     */
    public static String gather(DType x, DType idx, int rank) {
        PtxWriter w = new PtxWriter(gatherName(x, idx, rank));
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        String[] dims = dims(w, rank);
        String xp = w.paramPtr("x");
        String xoff = w.paramU32("xoff");
        String[] xs = strides(w, "xs", rank);
        String ip = w.paramPtr("idx");
        String ioff = w.paramU32("ioff");
        String[] is = strides(w, "is", rank);
        String size = w.paramU32("axisSize");
        String axisStride = w.paramU32("axisStride");
        String flag = w.paramPtr("flag");
        Loop loop = Loop.open(w, n);
        List<String> offs = ElementwisePtx.stridedOffsets(w, loop.index, dims, List.of(xoff, ioff), List.of(xs, is));
        String v = checkedIndex(w, idx, ip, offs.get(1), size, flag);
        String xo = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + xo + ", " + v + ", " + axisStride + ", " + offs.get(0));
        String val = PtxTypes.load(w, x, w.address(xp, xo, PtxTypes.bytes(x)), true);
        PtxTypes.store(w, x, w.address(out, loop.index, PtxTypes.bytes(x)), val);
        loop.close(w);
        return w.finish();
    }

    public static String scatterName(DType x, DType idx, int rank) {
        return "scatter_add_" + PtxTypes.tag(x) + "_" + PtxTypes.tag(idx) + "_r" + rank;
    }

    /**
     * out[os . c (axis zeroed) + idx[i] * axisStride] += src[i] with atomics, for i over idx's shape;
     * out already holds the base. Parameters: {@code out, n, dim1.., src, soff, ss0.., idx, ioff,
     * is0.., os0.., axisSize, axisStride, flag}.
     */
    public static String scatterAdd(DType x, DType idx, int rank) {
        if (x == DType.BOOL) throw new IllegalArgumentException("IndexPtx: scatter_add has no atomic add for bool");
        PtxWriter w = new PtxWriter(scatterName(x, idx, rank));
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        String[] dims = dims(w, rank);
        String sp = w.paramPtr("src");
        String soff = w.paramU32("soff");
        String[] ss = strides(w, "ss", rank);
        String ip = w.paramPtr("idx");
        String ioff = w.paramU32("ioff");
        String[] is = strides(w, "is", rank);
        String[] os = strides(w, "os", rank);
        String size = w.paramU32("axisSize");
        String axisStride = w.paramU32("axisStride");
        String flag = w.paramPtr("flag");
        String zero = w.reg(Reg.B32);
        w.op("mov.u32 " + zero + ", 0");
        Loop loop = Loop.open(w, n);
        List<String> offs = ElementwisePtx.stridedOffsets(w, loop.index, dims, List.of(soff, ioff, zero), List.of(ss, is, os));
        String v = checkedIndex(w, idx, ip, offs.get(1), size, flag);
        String oo = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + oo + ", " + v + ", " + axisStride + ", " + offs.get(2));
        String val = PtxTypes.load(w, x, w.address(sp, offs.get(0), PtxTypes.bytes(x)), true);
        String type = switch (x) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "u32";
            case INT64 -> "u64";
            case BOOL -> throw new IllegalStateException();
        };
        w.op("red.global.add." + type + " [" + w.address(out, oo, PtxTypes.bytes(x)) + "], " + val);
        loop.close(w);
        return w.finish();
    }

    public static String padName(DType t, int rank) {
        return "pad_" + PtxTypes.tag(t) + "_r" + rank;
    }

    /**
     * XLA-style pad into a dense output. Per axis d: j = c_d - low_d; an input element sits where
     * j >= 0, j % step_d == 0 and j / step_d < inDim_d (step = interior + 1); everything else is the
     * value. Parameters: {@code out, n, dim1.., low0.., step0.., inDim0.., in, ioff, is0.., value}.
     */
    public static String pad(DType t, int rank) {
        PtxWriter w = new PtxWriter(padName(t, rank));
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        String[] dims = dims(w, rank);
        String[] low = strides(w, "low", rank);
        String[] step = strides(w, "step", rank);
        String[] inDims = strides(w, "indim", rank);
        String in = w.paramPtr("in");
        String ioff = w.paramU32("ioff");
        String[] is = strides(w, "is", rank);
        String valueType = t == DType.BOOL ? "u32" : PtxTypes.arith(t);
        String value = w.paramValue("value", valueType, PtxTypes.reg(t));
        Loop loop = Loop.open(w, n);
        String off = w.reg(Reg.B32);
        String outside = w.reg(Reg.PRED);
        w.op("mov.u32 " + off + ", " + ioff);
        w.op("setp.ne.u32 " + outside + ", " + off + ", " + off + ""); // false: every element starts inside
        String rest = w.reg(Reg.B32);
        w.op("mov.u32 " + rest + ", " + loop.index);
        for (int d = rank - 1; d >= 0; d--) {
            String c;
            if (d == 0) {
                c = rest;
            } else {
                String q = w.reg(Reg.B32);
                c = w.reg(Reg.B32);
                w.op("div.u32 " + q + ", " + rest + ", " + dims[d]);
                w.op("mul.lo.s32 " + c + ", " + q + ", " + dims[d]);
                w.op("sub.s32 " + c + ", " + rest + ", " + c);
                rest = q;
            }
            String j = w.reg(Reg.B32);
            String qd = w.reg(Reg.B32);
            String rem = w.reg(Reg.B32);
            String bad = w.reg(Reg.PRED);
            w.op("sub.s32 " + j + ", " + c + ", " + low[d]);
            w.op("setp.lt.s32 " + bad + ", " + j + ", 0");
            w.op("or.pred " + outside + ", " + outside + ", " + bad);
            w.op("max.s32 " + j + ", " + j + ", 0");
            w.op("div.u32 " + qd + ", " + j + ", " + step[d]);
            w.op("mul.lo.s32 " + rem + ", " + qd + ", " + step[d]);
            w.op("setp.ne.s32 " + bad + ", " + rem + ", " + j);
            w.op("or.pred " + outside + ", " + outside + ", " + bad);
            w.op("setp.ge.u32 " + bad + ", " + qd + ", " + inDims[d]);
            w.op("or.pred " + outside + ", " + outside + ", " + bad);
            w.op("mad.lo.s32 " + off + ", " + qd + ", " + is[d] + ", " + off);
        }
        String v = w.reg(PtxTypes.reg(t));
        w.op("mov." + (t == DType.BOOL ? "u32" : PtxTypes.reg(t) == Reg.F32 ? "f32" : PtxTypes.reg(t) == Reg.F64 ? "f64" : PtxTypes.reg(t) == Reg.B64 ? "b64" : "b32")
                + " " + v + ", " + value);
        String inside = w.reg(Reg.PRED);
        w.op("not.pred " + inside + ", " + outside);
        String addr = w.address(in, off, PtxTypes.bytes(t));
        w.opIf(inside, "ld.global.nc." + PtxTypes.mem(t) + " " + v + ", [" + addr + "]");
        PtxTypes.store(w, t, w.address(out, loop.index, PtxTypes.bytes(t)), v);
        loop.close(w);
        return w.finish();
    }

    /** Loads idx at {@code off}, checks 0 <= v < size (flagging and clamping to 0 otherwise); returns it as s32. */
    private static String checkedIndex(PtxWriter w, DType idx, String ip, String off, String size, String flag) {
        String raw = PtxTypes.load(w, idx, w.address(ip, off, PtxTypes.bytes(idx)), true);
        String v64 = w.reg(Reg.B64);
        if (idx == DType.INT64) w.op("mov.b64 " + v64 + ", " + raw);
        else w.op("cvt.s64.s32 " + v64 + ", " + raw);
        String size64 = w.reg(Reg.B64);
        w.op("cvt.u64.u32 " + size64 + ", " + size);
        String bad = w.reg(Reg.PRED);
        w.op("setp.ge.u64 " + bad + ", " + v64 + ", " + size64); // negative values are huge unsigned
        w.opIf(bad, "st.global.u32 [" + flag + "], 1");
        w.opIf(bad, "st.global.u64 [" + flag + "+8], " + v64);
        w.opIf(bad, "mov.u64 " + v64 + ", 0");
        String v = w.reg(Reg.B32);
        w.op("cvt.u32.u64 " + v + ", " + v64);
        return v;
    }

    private static String[] dims(PtxWriter w, int rank) {
        String[] d = new String[rank];
        for (int i = 1; i < rank; i++) d[i] = w.paramU32("dim" + i);
        return d;
    }

    private static String[] strides(PtxWriter w, String prefix, int rank) {
        String[] s = new String[rank];
        for (int i = 0; i < rank; i++) s[i] = w.paramU32(prefix + i);
        return s;
    }

    /** A grid-stride loop over [0, n). */
    static final class Loop {
        final String index;
        private final String step;
        private final String n;
        private final String head;
        private final String end;

        private Loop(String index, String step, String n, String head, String end) {
            this.index = index;
            this.step = step;
            this.n = n;
            this.head = head;
            this.end = end;
        }

        static Loop open(PtxWriter w, String n) {
            String i = w.globalThreadId();
            String step = w.gridStride();
            String p = w.reg(Reg.PRED);
            String end = w.newLabel("end");
            String head = w.newLabel("loop");
            w.op("setp.ge.u32 " + p + ", " + i + ", " + n);
            w.opIf(p, "bra.uni " + end);
            w.label(head);
            return new Loop(i, step, n, head, end);
        }

        void close(PtxWriter w) {
            String p = w.reg(Reg.PRED);
            w.op("add.s32 " + index + ", " + index + ", " + step);
            w.op("setp.lt.u32 " + p + ", " + index + ", " + n);
            w.opIf(p, "bra.uni " + head);
            w.label(end);
        }
    }
}
