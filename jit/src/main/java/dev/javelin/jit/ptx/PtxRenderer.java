package dev.javelin.jit.ptx;

import dev.javelin.kernels.cuda.PtxCache;
import dev.javelin.kernels.cuda.ptx.ElementwiseOps;
import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.ElementwisePtx;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.PtxTypes;
import dev.javelin.kernels.cuda.ptx.PtxWriter;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.cuda.ptx.ReductionPtx;
import dev.javelin.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link FusedGroup} as one PTX kernel, with the CUDA backend's instruction table
 * ({@link ElementwiseOps}) for every op, so a fused kernel computes exactly what the unfused ops
 * would on the GPU. Kernels are cached by their program and ranks; {@code JAVELIN_DEBUG=2} prints
 * each as it is first rendered.
 * <ul>
 *   <li>Elementwise, rank R: a grid-stride loop over the output elements; each input and the
 *   output are addressed through their own offset and strides. Parameters: {@code out, outOffset,
 *   outStride0.., n, dim1.., then per input: ptr, offset, stride0..}.</li>
 *   <li>Reduce, K kept and Rr reduced dimensions: one block per output element; threads walk the
 *   reduced positions evaluating the program, then a shuffle + shared-memory reduction. Parameters:
 *   {@code out, outOffset, outStride0.., nOut, R, keptDim1.., redDim1.., then per input: ptr, offset,
 *   keptStride0.., redStride0..}. Launch with grid nOut and 256 threads.</li>
 * </ul>
 *
 * <pre>{@code
 * String entry = PtxRenderer.elementwise(group, 2);
 * String ptx = PtxRenderer.module(entry, 80);
 * }</pre>
 */
public final class PtxRenderer {
    public static final int BLOCK = 256;

    private PtxRenderer() {}

    /** The kernel name: the group's name made an identifier, plus 64 bits of a hash of everything that shapes the code. */
    public static String kernelName(FusedGroup g, String ranks) {
        String base = g.name().replaceAll("[^A-Za-z0-9_]", "_");
        if (base.length() > 40) base = base.substring(0, 40);
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = "F" + base;
        return base + "_" + digest(g.key() + ranks);
    }

    /** The elementwise kernel of {@code g} over a loop space of rank {@code rank}. */
    public static String elementwise(FusedGroup g, int rank) {
        if (g.kind() != FusedGroup.Kind.ELEMENTWISE) throw new IllegalArgumentException("PtxRenderer: " + g.name() + " is a reduction");
        if (rank < 1) throw new IllegalArgumentException("PtxRenderer: rank " + rank + " for " + g.name() + ", expected >= 1");
        String name = kernelName(g, "r" + rank);
        return PtxCache.entry(name, () -> renderElementwise(name, g, rank));
    }

    /** The reduction kernel of {@code g} with {@code keptRank} kept and {@code redRank} reduced dimensions. */
    public static String reduce(FusedGroup g, int keptRank, int redRank) {
        if (g.kind() != FusedGroup.Kind.REDUCE) throw new IllegalArgumentException("PtxRenderer: " + g.name() + " is elementwise");
        if (keptRank < 1 || redRank < 1) {
            throw new IllegalArgumentException("PtxRenderer: ranks " + keptRank + "/" + redRank + " for " + g.name() + ", expected >= 1");
        }
        String name = kernelName(g, "k" + keptRank + "r" + redRank);
        return PtxCache.entry(name, () -> renderReduce(name, g, keptRank, redRank));
    }

    /** A loadable module holding {@code entry} for compute capability {@code sm}. */
    public static String module(String entry, int sm) {
        return new PtxModule(sm).add(entry).text();
    }

    private static String renderElementwise(String name, FusedGroup g, int rank) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String outOff = w.paramU32("outoff");
        String[] outStrides = u32s(w, "os", 0, rank);
        String n = w.paramU32("n");
        String[] dims = u32s(w, "dim", 1, rank);
        List<String> ptrs = new ArrayList<>();
        List<String> offs = new ArrayList<>();
        List<String[]> strides = new ArrayList<>();
        for (int k = 0; k < g.inputs().size(); k++) {
            ptrs.add(w.paramPtr("in" + k));
            offs.add(w.paramU32("off" + k));
            strides.add(u32s(w, "s" + k + "_", 0, rank));
        }
        offs.add(outOff);
        strides.add(outStrides);
        String i = w.globalThreadId();
        String step = w.gridStride();
        String p = w.reg(Reg.PRED);
        String end = w.newLabel("end");
        String loop = w.newLabel("loop");
        w.op("setp.ge.u32 " + p + ", " + i + ", " + n);
        w.opIf(p, "bra.uni " + end);
        w.label(loop);
        List<String> at = ElementwisePtx.stridedOffsets(w, i, dims, offs, strides);
        Val result = run(w, g, ptrs, at);
        PtxTypes.store(w, result.dtype(), w.address(out, at.get(at.size() - 1), PtxTypes.bytes(result.dtype())), result.reg());
        w.op("add.s32 " + i + ", " + i + ", " + step);
        w.op("setp.lt.u32 " + p + ", " + i + ", " + n);
        w.opIf(p, "bra.uni " + loop);
        w.label(end);
        return w.finish();
    }

    private static String renderReduce(String name, FusedGroup g, int keptRank, int redRank) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String outOff = w.paramU32("outoff");
        String[] outStrides = u32s(w, "os", 0, keptRank);
        w.paramU32("nout"); // the grid's size: part of the launch contract, not read by the code
        String total = w.paramU32("R");
        String[] keptDims = u32s(w, "kd", 1, keptRank);
        String[] redDims = u32s(w, "rd", 1, redRank);
        List<String> ptrs = new ArrayList<>();
        List<String> offs = new ArrayList<>();
        List<String[]> kept = new ArrayList<>();
        List<String[]> red = new ArrayList<>();
        for (int k = 0; k < g.inputs().size(); k++) {
            ptrs.add(w.paramPtr("in" + k));
            offs.add(w.paramU32("off" + k));
            kept.add(u32s(w, "ks" + k + "_", 0, keptRank));
            red.add(u32s(w, "rs" + k + "_", 0, redRank));
        }
        offs.add(outOff);
        kept.add(outStrides);
        String o = w.reg(Reg.B32);
        String tid = w.reg(Reg.B32);
        String nt = w.reg(Reg.B32);
        w.op("mov.u32 " + o + ", %ctaid.x");
        w.op("mov.u32 " + tid + ", %tid.x");
        w.op("mov.u32 " + nt + ", %ntid.x");
        List<String> bases = ElementwisePtx.stridedOffsets(w, o, keptDims, offs, kept);
        DType t = resultType(g);
        ReductionPtx.Acc acc = ReductionPtx.Acc.identity(w, g.reduceOp(), t);
        String r = w.reg(Reg.B32);
        String p = w.reg(Reg.PRED);
        String loop = w.newLabel("acc");
        String exit = w.newLabel("acc_end");
        w.op("mov.u32 " + r + ", " + tid);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + r + ", " + total);
        w.opIf(p, "bra.uni " + exit);
        List<String> at = ElementwisePtx.stridedOffsets(w, r, redDims, bases.subList(0, g.inputs().size()), red);
        Val v = run(w, g, ptrs, at);
        acc.combine(w, g.reduceOp(), t, v.reg(), null);
        w.op("add.s32 " + r + ", " + r + ", " + nt);
        w.op("bra.uni " + loop);
        w.label(exit);
        String done = w.newLabel("done");
        ReductionPtx.Acc fin = ReductionPtx.blockReduce(w, g.reduceOp(), t, acc, tid, nt, done);
        PtxTypes.store(w, t, w.address(out, bases.get(bases.size() - 1), PtxTypes.bytes(t)), fin.value);
        w.label(done);
        return w.finish();
    }

    /** Evaluates the program at element offsets {@code at} (one per input); returns the last step's value. */
    private static Val run(PtxWriter w, FusedGroup g, List<String> ptrs, List<String> at) {
        List<Val> vals = new ArrayList<>();
        for (FusedGroup.Step s : g.steps()) {
            vals.add(switch (s) {
                case FusedGroup.Load l -> {
                    DType t = g.inputs().get(l.input());
                    String addr = w.address(ptrs.get(l.input()), at.get(l.input()), PtxTypes.bytes(t));
                    yield new Val(PtxTypes.load(w, t, addr, true), t);
                }
                case FusedGroup.Const c -> ElementwiseOps.eval(w, new dev.javelin.kernels.cuda.ptx.PtxExpr.Constant(c.value(), c.dtype()), List.of());
                case FusedGroup.Cast c -> ElementwiseOps.cast(w, vals.get(c.arg()), c.to());
                case FusedGroup.Apply a -> {
                    List<Val> args = new ArrayList<>();
                    for (int i : a.args()) args.add(vals.get(i));
                    yield ElementwiseOps.apply(w, a.op(), args);
                }
            });
        }
        return vals.get(vals.size() - 1);
    }

    /** The dtype of the group's result, found by walking the program symbolically. */
    public static DType resultType(FusedGroup g) {
        List<DType> types = new ArrayList<>();
        for (FusedGroup.Step s : g.steps()) {
            types.add(switch (s) {
                case FusedGroup.Load l -> g.inputs().get(l.input());
                case FusedGroup.Const c -> c.dtype();
                case FusedGroup.Cast c -> c.to();
                case FusedGroup.Apply a -> a.op().isComparison() || a.op() == dev.javelin.tensor.Op.LOGICAL_NOT ? DType.BOOL
                        : a.op() == dev.javelin.tensor.Op.WHERE ? types.get(a.args().get(1)) : types.get(a.args().get(0));
            });
        }
        return types.get(types.size() - 1);
    }

    private static String[] u32s(PtxWriter w, String prefix, int from, int rank) {
        String[] r = new String[rank];
        for (int d = from; d < rank; d++) r[d] = w.paramU32(prefix + d);
        return r;
    }

    private static String digest(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) sb.append(String.format("%02x", h[i] & 0xff));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
