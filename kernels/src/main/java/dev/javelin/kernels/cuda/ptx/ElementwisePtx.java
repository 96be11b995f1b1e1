package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Elementwise kernels with broadcasting and arbitrary strides: one thread per output element in a
 * grid-stride loop; each input's element offset is decoded from the linear index with the shape and
 * that input's strides, which arrive as kernel parameters (so one kernel serves every shape of a
 * rank). The host coalesces dimensions first, so dense operands arrive as rank 1 and pay no
 * division. The output is dense.
 *
 * <p>Parameters, in order: {@code out}, {@code n}, {@code dim1..dim(rank-1)}, then per input
 * {@code ptr, offset, stride0..stride(rank-1)} (all u32/s32 except the u64 pointers).
 *
 * <pre>{@code
 * String entry = ElementwisePtx.kernel("E_add_f32_r1", List.of(FLOAT32, FLOAT32),
 *         PtxExpr.apply(Op.ADD, new PtxExpr.Input(0), new PtxExpr.Input(1)), 1);
 * }</pre>
 */
public final class ElementwisePtx {
    /** Threads per block for elementwise kernels. */
    public static final int BLOCK = 256;
    /** The most dimensions a strided operand may have after coalescing (any real layout fits). */
    public static final int MAX_RANK = 12;

    private ElementwisePtx() {}

    public static String kernel(String name, List<DType> inputs, PtxExpr expr, int rank) {
        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("ElementwisePtx: rank " + rank + " outside 1.." + MAX_RANK + " for " + name);
        }
        DType outType = expr.dtype(inputs);
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        String[] dims = new String[rank];
        for (int d = 1; d < rank; d++) dims[d] = w.paramU32("dim" + d);
        List<String> ptrs = new ArrayList<>();
        List<String> offs = new ArrayList<>();
        List<String[]> strides = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            ptrs.add(w.paramPtr("in" + k));
            offs.add(w.paramU32("off" + k));
            String[] s = new String[rank];
            for (int d = 0; d < rank; d++) s[d] = w.paramU32("s" + k + "_" + d);
            strides.add(s);
        }
        String i = w.globalThreadId();
        String step = w.gridStride();
        String p = w.reg(Reg.PRED);
        String end = w.newLabel("end");
        String loop = w.newLabel("loop");
        w.op("setp.ge.u32 " + p + ", " + i + ", " + n);
        w.opIf(p, "bra.uni " + end);
        w.label(loop);
        List<String> offsets = stridedOffsets(w, i, dims, offs, strides);
        List<Val> vals = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            String addr = w.address(ptrs.get(k), offsets.get(k), PtxTypes.bytes(inputs.get(k)));
            vals.add(new Val(PtxTypes.load(w, inputs.get(k), addr, true), inputs.get(k)));
        }
        Val result = ElementwiseOps.eval(w, expr, vals);
        PtxTypes.store(w, outType, w.address(out, i, PtxTypes.bytes(outType)), result.reg());
        w.op("add.s32 " + i + ", " + i + ", " + step);
        w.op("setp.lt.u32 " + p + ", " + i + ", " + n);
        w.opIf(p, "bra.uni " + loop);
        w.label(end);
        return w.finish();
    }

    /**
     * Element offsets of every operand for linear index {@code linear}: the index is split into
     * coordinates from the last dimension (dims[1..]) and each coordinate multiplied by its stride.
     */
    public static List<String> stridedOffsets(PtxWriter w, String linear, String[] dims, List<String> base, List<String[]> strides) {
        int rank = dims.length;
        List<String> result = new ArrayList<>();
        for (String b : base) {
            String r = w.reg(Reg.B32);
            w.op("mov.u32 " + r + ", " + b);
            result.add(r);
        }
        String rest = w.reg(Reg.B32);
        w.op("mov.u32 " + rest + ", " + linear);
        for (int d = rank - 1; d >= 0; d--) {
            String coord;
            if (d == 0) {
                coord = rest;
            } else {
                String q = w.reg(Reg.B32);
                coord = w.reg(Reg.B32);
                w.op("div.u32 " + q + ", " + rest + ", " + dims[d]);
                w.op("mul.lo.s32 " + coord + ", " + q + ", " + dims[d]);
                w.op("sub.s32 " + coord + ", " + rest + ", " + coord);
                rest = q;
            }
            for (int k = 0; k < result.size(); k++) {
                w.op("mad.lo.s32 " + result.get(k) + ", " + coord + ", " + strides.get(k)[d] + ", " + result.get(k));
            }
        }
        return result;
    }
}
