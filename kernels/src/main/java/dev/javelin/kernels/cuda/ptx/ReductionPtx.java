package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;

/**
 * Reductions over strided inputs. The host splits the input's dimensions into kept ones (one per
 * output element, row-major) and reduced ones, coalesces each group, and passes sizes and strides as
 * parameters. Two shapes of kernel:
 * <ul>
 *   <li>{@link #blockKernel}: one block per output element (and per chunk of the reduced range, for a
 *   two-pass reduction of a few long rows); threads stride over the range, then warp shuffles and a
 *   shared-memory step reduce the block.</li>
 *   <li>{@link #threadKernel}: one thread per output element, for many short rows.</li>
 * </ul>
 * The combination order is fixed by the launch shape, so results are the same on every run.
 * ARGMAX/ARGMIN carry (value, index) pairs and prefer the larger (smaller) value, then the smaller
 * index, with NaN above everything as NumPy does, which makes the result independent of order.
 *
 * <p>Parameters: {@code out, in, inOffset, nOut, R, chunk, keptDim1.., keptStride0.., redDim1.., redStride0..}.
 *
 * <pre>{@code
 * String rows = ReductionPtx.blockKernel(Op.REDUCE_SUM, DType.FLOAT32, 1, 1);
 * }</pre>
 */
public final class ReductionPtx {
    /** Threads per block of {@link #blockKernel}. */
    public static final int BLOCK = 256;

    private ReductionPtx() {}

    /** The output dtype of {@code op} on {@code dtype} input. */
    public static DType outType(Op op, DType dtype) {
        return op == Op.ARGMAX || op == Op.ARGMIN ? DType.INT64 : dtype;
    }

    public static String name(Op op, DType dtype, int keptRank, int redRank, boolean block) {
        return "r_" + op.label() + "_" + PtxTypes.tag(dtype) + "_k" + keptRank + "_r" + redRank + (block ? "_blk" : "_thr");
    }

    private record Params(String out, String in, String off, String nOut, String r, String chunk, String[] keptDims,
                          String[] keptStrides, String[] redDims, String[] redStrides) {}

    private static Params params(PtxWriter w, int keptRank, int redRank) {
        String out = w.paramPtr("out");
        String in = w.paramPtr("in");
        String off = w.paramU32("off");
        String nOut = w.paramU32("nout");
        String r = w.paramU32("R");
        String chunk = w.paramU32("chunk");
        String[] kd = new String[keptRank];
        String[] ks = new String[keptRank];
        String[] rd = new String[redRank];
        String[] rs = new String[redRank];
        for (int d = 1; d < keptRank; d++) kd[d] = w.paramU32("kd" + d);
        for (int d = 0; d < keptRank; d++) ks[d] = w.paramU32("ks" + d);
        for (int d = 1; d < redRank; d++) rd[d] = w.paramU32("rd" + d);
        for (int d = 0; d < redRank; d++) rs[d] = w.paramU32("rs" + d);
        return new Params(out, in, off, nOut, r, chunk, kd, ks, rd, rs);
    }

    /** One thread per output element, a serial loop over the reduced range. */
    public static String threadKernel(Op op, DType dtype, int keptRank, int redRank) {
        PtxWriter w = new PtxWriter(name(op, dtype, keptRank, redRank, false));
        w.maxThreads(BLOCK);
        Params p = params(w, keptRank, redRank);
        String o = w.globalThreadId();
        String step = w.gridStride();
        String pr = w.reg(Reg.PRED);
        String end = w.newLabel("end");
        String loop = w.newLabel("outer");
        w.op("setp.ge.u32 " + pr + ", " + o + ", " + p.nOut);
        w.opIf(pr, "bra.uni " + end);
        w.label(loop);
        String base = ElementwisePtx.stridedOffsets(w, o, p.keptDims, List.of(p.off), List.<String[]>of(p.keptStrides)).get(0);
        Acc acc = Acc.identity(w, op, dtype);
        String r = w.reg(Reg.B32);
        w.op("mov.u32 " + r + ", 0");
        accumulateRange(w, op, dtype, p, base, acc, r, p.r, "1");
        storeResult(w, op, dtype, p.out, o, acc);
        w.op("add.s32 " + o + ", " + o + ", " + step);
        w.op("setp.lt.u32 " + pr + ", " + o + ", " + p.nOut);
        w.opIf(pr, "bra.uni " + loop);
        w.label(end);
        return w.finish();
    }

    /** One block per (output element, chunk): grid (nOut, chunks); the result goes to {@code out[o * chunks + chunkIndex]}. */
    public static String blockKernel(Op op, DType dtype, int keptRank, int redRank) {
        PtxWriter w = new PtxWriter(name(op, dtype, keptRank, redRank, true));
        w.maxThreads(BLOCK);
        Params p = params(w, keptRank, redRank);
        String o = w.reg(Reg.B32);
        String y = w.reg(Reg.B32);
        String ny = w.reg(Reg.B32);
        String tid = w.reg(Reg.B32);
        String nt = w.reg(Reg.B32);
        w.op("mov.u32 " + o + ", %ctaid.x");
        w.op("mov.u32 " + y + ", %ctaid.y");
        w.op("mov.u32 " + ny + ", %nctaid.y");
        w.op("mov.u32 " + tid + ", %tid.x");
        w.op("mov.u32 " + nt + ", %ntid.x");
        String base = ElementwisePtx.stridedOffsets(w, o, p.keptDims, List.of(p.off), List.<String[]>of(p.keptStrides)).get(0);
        String start = w.reg(Reg.B32);
        String stop = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + start + ", " + y + ", " + p.chunk);
        w.op("add.s32 " + stop + ", " + start + ", " + p.chunk);
        w.op("min.u32 " + stop + ", " + stop + ", " + p.r);
        String r = w.reg(Reg.B32);
        w.op("add.s32 " + r + ", " + start + ", " + tid);
        Acc acc = Acc.identity(w, op, dtype);
        accumulateRange(w, op, dtype, p, base, acc, r, stop, nt);
        String done = w.newLabel("done");
        Acc fin = blockReduce(w, op, dtype, acc, tid, nt, done);
        String outIdx = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + outIdx + ", " + o + ", " + ny + ", " + y);
        storeResult(w, op, dtype, p.out, outIdx, fin);
        w.label(done);
        return w.finish();
    }

    /**
     * Combines every thread's accumulator across the block (warp shuffles, then one value per warp
     * through shared memory, then warp 0). Threads other than thread 0 branch to {@code done}; the
     * returned accumulator holds the block's result in thread 0. Use once per kernel.
     */
    public static Acc blockReduce(PtxWriter w, Op op, DType dtype, Acc acc, String tid, String nt, String done) {
        boolean arg = op == Op.ARGMAX || op == Op.ARGMIN;
        String sval = w.shared("vals", 32 * 8);
        String sidx = arg ? w.shared("idx", 32 * 4) : null;
        warpReduce(w, op, dtype, acc);
        // lane 0 of each warp publishes; warp 0 combines the published values
        String lane = w.reg(Reg.B32);
        String warp = w.reg(Reg.B32);
        String pl = w.reg(Reg.PRED);
        w.op("and.b32 " + lane + ", " + tid + ", 31");
        w.op("shr.u32 " + warp + ", " + tid + ", 5");
        w.op("setp.eq.u32 " + pl + ", " + lane + ", 0");
        String slot = w.reg(Reg.B32);
        w.op("mov.u32 " + slot + ", " + sval);
        w.op("mad.lo.s32 " + slot + ", " + warp + ", 8, " + slot);
        w.opIf(pl, "st.shared." + PtxTypes.arith(dtype) + " [" + slot + "], " + acc.value);
        String islot = null;
        if (arg) {
            islot = w.reg(Reg.B32);
            w.op("mov.u32 " + islot + ", " + sidx);
            w.op("mad.lo.s32 " + islot + ", " + warp + ", 4, " + islot);
            w.opIf(pl, "st.shared.u32 [" + islot + "], " + acc.index);
        }
        w.op("bar.sync 0");
        String pw = w.reg(Reg.PRED);
        w.op("setp.ne.u32 " + pw + ", " + warp + ", 0");
        w.opIf(pw, "bra.uni " + done);
        Acc fin = Acc.identity(w, op, dtype);
        String nw = w.reg(Reg.B32);
        String has = w.reg(Reg.PRED);
        w.op("add.s32 " + nw + ", " + nt + ", 31");
        w.op("shr.u32 " + nw + ", " + nw + ", 5");
        w.op("setp.lt.u32 " + has + ", " + lane + ", " + nw);
        String ls = w.reg(Reg.B32);
        w.op("mov.u32 " + ls + ", " + sval);
        w.op("mad.lo.s32 " + ls + ", " + lane + ", 8, " + ls);
        w.opIf(has, "ld.shared." + PtxTypes.arith(dtype) + " " + fin.value + ", [" + ls + "]");
        if (arg) {
            String li = w.reg(Reg.B32);
            w.op("mov.u32 " + li + ", " + sidx);
            w.op("mad.lo.s32 " + li + ", " + lane + ", 4, " + li);
            w.opIf(has, "ld.shared.u32 " + fin.index + ", [" + li + "]");
        }
        warpReduce(w, op, dtype, fin);
        String p0 = w.reg(Reg.PRED);
        w.op("setp.ne.u32 " + p0 + ", " + tid + ", 0");
        w.opIf(p0, "bra.uni " + done);
        return fin;
    }

    /** acc = combine(acc, in[base + offset(r)]) for r from {@code r} below {@code stop} in steps of {@code step}. */
    private static void accumulateRange(PtxWriter w, Op op, DType dtype, Params p, String base, Acc acc, String r, String stop, String step) {
        String pr = w.reg(Reg.PRED);
        String loop = w.newLabel("acc");
        String exit = w.newLabel("acc_end");
        w.label(loop);
        w.op("setp.ge.u32 " + pr + ", " + r + ", " + stop);
        w.opIf(pr, "bra.uni " + exit);
        String off = ElementwisePtx.stridedOffsets(w, r, p.redDims, List.of(base), List.<String[]>of(p.redStrides)).get(0);
        String v = PtxTypes.load(w, dtype, w.address(p.in, off, PtxTypes.bytes(dtype)), true);
        acc.combine(w, op, dtype, v, r);
        w.op("add.s32 " + r + ", " + r + ", " + step);
        w.op("bra.uni " + loop);
        w.label(exit);
    }

    /** Reduces {@code acc} across the 32 lanes of each warp with shuffles; lane 0 holds the result. */
    public static void warpReduce(PtxWriter w, Op op, DType dtype, Acc acc) {
        for (int offset = 16; offset >= 1; offset /= 2) {
            String v = shuffleDown(w, dtype, acc.value, offset);
            String i = acc.index == null ? null : shuffleDown(w, DType.INT32, acc.index, offset);
            acc.combine(w, op, dtype, v, i);
        }
    }

    private static String shuffleDown(PtxWriter w, DType dtype, String value, int offset) {
        Reg reg = PtxTypes.reg(dtype);
        String d = w.reg(reg);
        if (reg == Reg.F64 || reg == Reg.B64) {
            String lo = w.reg(Reg.B32);
            String hi = w.reg(Reg.B32);
            w.op("mov.b64 {" + lo + ", " + hi + "}, " + value);
            w.op("shfl.sync.down.b32 " + lo + ", " + lo + ", " + offset + ", 31, -1");
            w.op("shfl.sync.down.b32 " + hi + ", " + hi + ", " + offset + ", 31, -1");
            w.op("mov.b64 " + d + ", {" + lo + ", " + hi + "}");
        } else {
            w.op("shfl.sync.down.b32 " + d + ", " + value + ", " + offset + ", 31, -1");
        }
        return d;
    }

    private static void storeResult(PtxWriter w, Op op, DType dtype, String out, String index, Acc acc) {
        DType ot = outType(op, dtype);
        String addr = w.address(out, index, PtxTypes.bytes(ot));
        if (acc.index != null) {
            String wide = w.reg(Reg.B64);
            w.op("cvt.s64.s32 " + wide + ", " + acc.index);
            PtxTypes.store(w, ot, addr, wide);
        } else {
            PtxTypes.store(w, ot, addr, acc.value);
        }
    }

    /** The running value (and index, for ARGMAX/ARGMIN) of a reduction. */
    public static final class Acc {
        /** The register holding the value so far. */
        public final String value;
        /** The register holding the index so far (ARGMAX/ARGMIN), else null. */
        public final String index;

        private Acc(String value, String index) {
            this.value = value;
            this.index = index;
        }

        /** A fresh accumulator holding the identity of {@code op} (0, -inf, +inf, ...). */
        public static Acc identity(PtxWriter w, Op op, DType dtype) {
            String v = w.reg(PtxTypes.reg(dtype));
            String t = dtype == DType.BOOL ? "u32" : PtxTypes.arith(dtype);
            String movType = t.startsWith("s") ? "b" + t.substring(1) : t;
            w.op("mov." + movType + " " + v + ", " + identityLiteral(op, dtype));
            String i = null;
            if (op == Op.ARGMAX || op == Op.ARGMIN) {
                i = w.reg(Reg.B32);
                w.op("mov.u32 " + i + ", 2147483647"); // above every real index, so any element wins a tie
            }
            return new Acc(v, i);
        }

        private static String identityLiteral(Op op, DType dtype) {
            boolean max = op == Op.REDUCE_MAX || op == Op.ARGMAX;
            return switch (op) {
                case REDUCE_SUM -> PtxTypes.literal(0, dtype);
                default -> switch (dtype) {
                    case FLOAT32 -> PtxWriter.f32Literal(max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
                    case FLOAT64 -> PtxWriter.f64Literal(max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                    case INT32 -> Integer.toString(max ? Integer.MIN_VALUE : Integer.MAX_VALUE);
                    case INT64 -> Long.toString(max ? Long.MIN_VALUE : Long.MAX_VALUE);
                    case BOOL -> max ? "0" : "1";
                };
            };
        }

        /** this = combine(this, (v, i)); i may be null for the value-only reductions. */
        public void combine(PtxWriter w, Op op, DType dtype, String v, String i) {
            String t = PtxTypes.arith(dtype);
            switch (op) {
                case REDUCE_SUM -> w.op("add." + t + " " + value + ", " + value + ", " + v);
                case REDUCE_MAX, REDUCE_MIN -> {
                    Val r = ElementwiseOps.apply(w, op == Op.REDUCE_MAX ? Op.MAX : Op.MIN, List.of(new Val(value, dtype), new Val(v, dtype)));
                    w.op("mov." + (t.startsWith("s") ? "b" + t.substring(1) : t) + " " + value + ", " + r.reg());
                }
                case ARGMAX, ARGMIN -> {
                    String better = w.reg(Reg.PRED);
                    String tie = w.reg(Reg.PRED);
                    String earlier = w.reg(Reg.PRED);
                    w.op("setp." + (op == Op.ARGMAX ? "gt." : "lt.") + t + " " + better + ", " + v + ", " + value);
                    w.op("setp.eq." + t + " " + tie + ", " + v + ", " + value);
                    w.op("setp.lt.u32 " + earlier + ", " + i + ", " + index);
                    w.op("and.pred " + tie + ", " + tie + ", " + earlier);
                    w.op("or.pred " + better + ", " + better + ", " + tie);
                    if (dtype.isFloating()) { // a NaN beats numbers and later NaNs; a number never beats a NaN (compares are false)
                        String vNan = w.reg(Reg.PRED);
                        String accNum = w.reg(Reg.PRED);
                        w.op("setp.nan." + t + " " + vNan + ", " + v + ", " + v);
                        w.op("setp.num." + t + " " + accNum + ", " + value + ", " + value);
                        w.op("or.pred " + accNum + ", " + accNum + ", " + earlier);
                        w.op("and.pred " + accNum + ", " + accNum + ", " + vNan);
                        w.op("or.pred " + better + ", " + better + ", " + accNum);
                    }
                    w.op("selp." + t + " " + value + ", " + v + ", " + value + ", " + better);
                    w.op("selp.u32 " + index + ", " + i + ", " + index + ", " + better);
                }
                default -> throw new IllegalArgumentException("ReductionPtx: " + op.label() + " is not a reduction");
            }
        }
    }
}
