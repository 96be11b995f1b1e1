package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Elementwise kernels with broadcasting and arbitrary strides: one thread per output element in a
 * grid-stride loop; each input's element offset is decoded from the linear index with the shape and
 * that input's strides, which arrive as kernel parameters (so one kernel serves every shape of a
 * rank). The host coalesces dimensions first, so dense operands arrive as rank 1 and pay no
 * division. The output is dense. The body is a {@link KernelIR}, rendered by {@link KernelIrPtx}.
 *
 * <p>Parameters, in order: {@code out}, {@code n}, {@code dim1..dim(rank-1)}, then per input
 * {@code ptr, offset, stride0..stride(rank-1)} (all u32/s32 except the u64 pointers).
 *
 * <pre>{@code
 * String entry = ElementwisePtx.kernel("E_add_f32_r1", KernelIrPtx.single(Op.ADD, List.of(FLOAT32, FLOAT32), FLOAT32), 1);
 * }</pre>
 */
public final class ElementwisePtx {
    /** Threads per block for elementwise kernels. */
    public static final int BLOCK = 256;
    /** The most dimensions a strided operand may have after coalescing (any real layout fits). */
    public static final int MAX_RANK = 12;

    private ElementwisePtx() {}

    public static String kernel(String name, KernelIR ir, int rank) {
        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("ElementwisePtx: rank " + rank + " outside 1.." + MAX_RANK + " for " + name);
        }
        List<DType> inputs = dtypes(ir);
        KernelIR body = KernelIrPtx.lower(ir);
        DType outType = ir.outDtype();
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
        w.gridStrideLoop(n, i -> {
            List<String> offsets = stridedOffsets(w, i, dims, offs, strides);
            Val result = KernelIrPtx.render(w, body, k -> {
                String addr = w.address(ptrs.get(k), offsets.get(k), PtxTypes.bytes(inputs.get(k)));
                return new Val(PtxTypes.load(w, inputs.get(k), addr, true), inputs.get(k));
            });
            PtxTypes.store(w, outType, w.address(out, i, PtxTypes.bytes(outType)), result.reg());
        });
        return w.finish();
    }

    /**
     * The dense fast path: every operand is either contiguous (stride 1) or one broadcast element
     * (stride 0), and every dtype is 4 bytes wide. Each thread handles four consecutive elements with
     * one {@code ld.global.nc.v4} per contiguous input and one {@code st.global.v4}; the last n % 4
     * elements are done one each by the first threads. The host picks it only when the contiguous
     * operands' first elements are 16-byte aligned. Parameters: {@code out, n, then per input: ptr, offset}.
     *
     * @param broadcast per input, true when it is a single element read by every position
     */
    public static String vectorKernel(String name, KernelIR ir, boolean[] broadcast) {
        List<DType> inputs = dtypes(ir);
        KernelIR body = KernelIrPtx.lower(ir);
        DType outType = ir.outDtype();
        for (DType t : inputs) {
            if (t.byteSize() != 4) throw new IllegalArgumentException("ElementwisePtx: v4 kernel " + name + " needs 4-byte dtypes, got " + t);
        }
        if (outType.byteSize() != 4) throw new IllegalArgumentException("ElementwisePtx: v4 kernel " + name + " writes " + outType);
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        List<String> base = new ArrayList<>();
        List<Val> scalars = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            String ptr = w.paramPtr("in" + k);
            String off = w.paramU32("off" + k);
            String b = w.address(ptr, off, 4);
            base.add(b);
            scalars.add(broadcast[k] ? new Val(PtxTypes.load(w, inputs.get(k), b, true), inputs.get(k)) : null);
        }
        String i = w.globalThreadId();
        String step = w.gridStride();
        String n4 = w.reg(Reg.B32);
        w.op("shr.u32 " + n4 + ", " + n + ", 2");
        String p = w.reg(Reg.PRED);
        String loop = w.newLabel("v4");
        String tail = w.newLabel("tail");
        String g = w.reg(Reg.B32);
        w.op("mov.u32 " + g + ", " + i);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + g + ", " + n4);
        w.opIf(p, "bra.uni " + tail);
        String byteOff = w.reg(Reg.B64);
        w.op("mul.wide.u32 " + byteOff + ", " + g + ", 16");
        List<Val[]> lanes = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            Val[] v = new Val[4];
            if (broadcast[k]) {
                java.util.Arrays.fill(v, scalars.get(k));
            } else {
                String a = w.reg(Reg.B64);
                w.op("add.s64 " + a + ", " + base.get(k) + ", " + byteOff);
                String[] r = new String[4];
                for (int j = 0; j < 4; j++) r[j] = w.reg(PtxTypes.reg(inputs.get(k)));
                w.op("ld.global.nc.v4." + PtxTypes.mem(inputs.get(k)) + " {" + String.join(", ", r) + "}, [" + a + "]");
                for (int j = 0; j < 4; j++) v[j] = new Val(r[j], inputs.get(k));
            }
            lanes.add(v);
        }
        String[] res = new String[4];
        for (int j = 0; j < 4; j++) {
            List<Val> in = new ArrayList<>();
            for (Val[] v : lanes) in.add(v[j]);
            res[j] = KernelIrPtx.render(w, body, in::get).reg();
        }
        String oa = w.reg(Reg.B64);
        w.op("add.s64 " + oa + ", " + out + ", " + byteOff);
        w.op("st.global.v4." + PtxTypes.mem(outType) + " [" + oa + "], {" + String.join(", ", res) + "}");
        w.op("add.s32 " + g + ", " + g + ", " + step);
        w.op("bra.uni " + loop);
        w.label(tail);
        String end = w.newLabel("end");
        String t = w.reg(Reg.B32);
        w.op("shl.b32 " + t + ", " + n4 + ", 2");
        w.op("add.s32 " + t + ", " + t + ", " + i);
        w.op("setp.ge.u32 " + p + ", " + t + ", " + n);
        w.opIf(p, "bra.uni " + end);
        List<Val> in = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            in.add(broadcast[k] ? scalars.get(k)
                    : new Val(PtxTypes.load(w, inputs.get(k), w.address(base.get(k), t, 4), true), inputs.get(k)));
        }
        Val r = KernelIrPtx.render(w, body, in::get);
        PtxTypes.store(w, outType, w.address(out, t, 4), r.reg());
        w.label(end);
        return w.finish();
    }

    private static List<DType> dtypes(KernelIR ir) {
        if (ir.mode() != KernelIR.Mode.ELEMENTWISE) throw new IllegalArgumentException("ElementwisePtx: " + ir.name() + " is a " + ir.mode());
        return ir.loads().stream().map(KernelIR.Load::dtype).toList();
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
