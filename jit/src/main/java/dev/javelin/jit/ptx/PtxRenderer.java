package dev.javelin.jit.ptx;

import dev.javelin.kernels.cuda.PtxCache;
import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.ElementwisePtx;
import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.PtxTypes;
import dev.javelin.kernels.cuda.ptx.PtxWriter;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.cuda.ptx.ReductionPtx;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders one of the JIT's fused kernels ({@link KernelIR}: the same body the CPU code generator
 * walks) as one PTX kernel. The body goes through {@link KernelIrPtx}: decomposed by the IR's one
 * pass, then each instruction from the CUDA backend's table, so a fused kernel computes what the
 * CPU's does, transcendentals included. Kernels are cached by their body and ranks;
 * {@code JAVELIN_DEBUG=2} prints each as it is first rendered.
 * <ul>
 *   <li>Elementwise, rank R: a grid-stride loop over the output elements; each input and the
 *   output are addressed through their own offset and strides. Parameters: {@code out, outOffset,
 *   outStride0.., n, dim1.., then per input: ptr, offset, stride0..}; a kernel with several
 *   {@link KernelIR#results() results} has {@code out, outOffset, outStride0..} once per result, in
 *   order, before {@code n}.</li>
 *   <li>Reduce, K kept and Rr reduced dimensions: one block per output element; threads walk the
 *   reduced positions evaluating the program, then a shuffle + shared-memory reduction. Parameters:
 *   {@code out, outOffset, outStride0.., nOut, R, keptDim1.., redDim1.., then per input: ptr, offset,
 *   keptStride0.., redStride0..}. Launch with grid nOut and 256 threads.</li>
 * </ul>
 *
 * <pre>{@code
 * String entry = PtxRenderer.elementwise(step.ir(), 2);   // a PlanStep.Kernel's body over a rank-2 loop space
 * String ptx = PtxRenderer.module(entry, 80);
 * }</pre>
 */
public final class PtxRenderer {
    public static final int BLOCK = 256;

    private PtxRenderer() {}

    /** The kernel name: the kernel's name made an identifier, plus 64 bits of a hash of everything that shapes the code. */
    public static String kernelName(KernelIR ir, String ranks) {
        String base = ir.name().replaceAll("[^A-Za-z0-9_]", "_");
        if (base.length() > 40) base = base.substring(0, 40);
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = "F" + base;
        return base + "_" + digest(ir.key() + ranks);
    }

    /** The elementwise kernel {@code ir} over a loop space of rank {@code rank}. */
    public static String elementwise(KernelIR ir, int rank) {
        if (ir.mode() != KernelIR.Mode.ELEMENTWISE) throw new IllegalArgumentException("PtxRenderer: " + ir.name() + " is a " + ir.mode());
        if (rank < 1) throw new IllegalArgumentException("PtxRenderer: rank " + rank + " for " + ir.name() + ", expected >= 1");
        String name = kernelName(ir, "r" + rank);
        return PtxCache.entry(name, () -> renderElementwise(name, ir, rank));
    }

    /**
     * The reduction kernel {@code ir} (REDUCE_ROW or REDUCE_COLUMNS: on the GPU the loop order is
     * the launch's business) with {@code keptRank} kept and {@code redRank} reduced dimensions.
     */
    public static String reduce(KernelIR ir, int keptRank, int redRank) {
        if (ir.mode() == KernelIR.Mode.ELEMENTWISE || ir.storesValue()) {
            throw new IllegalArgumentException("PtxRenderer: " + ir.name() + " is " + ir.mode() + (ir.storesValue() ? " and stores its value" : "")
                    + "; expected a reduction that only reduces");
        }
        if (keptRank < 1 || redRank < 1) {
            throw new IllegalArgumentException("PtxRenderer: ranks " + keptRank + "/" + redRank + " for " + ir.name() + ", expected >= 1");
        }
        String name = kernelName(ir, "k" + keptRank + "r" + redRank);
        return PtxCache.entry(name, () -> renderReduce(name, ir, keptRank, redRank));
    }

    /** A loadable module holding {@code entry} for compute capability {@code sm}. */
    public static String module(String entry, int sm) {
        return new PtxModule(sm).add(entry).text();
    }

    private static String renderElementwise(String name, KernelIR g, int rank) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        int outputs = g.outputs();
        String[] outs = new String[outputs], outOffs = new String[outputs];
        List<String[]> outStrides = new ArrayList<>();
        for (int j = 0; j < outputs; j++) { // out, outoff, os0..; a second result's as out1, outoff1, os1_0..
            String sfx = j == 0 ? "" : Integer.toString(j);
            outs[j] = w.paramPtr("out" + sfx);
            outOffs[j] = w.paramU32("outoff" + sfx);
            outStrides.add(u32s(w, j == 0 ? "os" : "os" + j + "_", 0, rank));
        }
        String n = w.paramU32("n");
        String[] dims = u32s(w, "dim", 1, rank);
        List<String> ptrs = new ArrayList<>();
        List<String> offs = new ArrayList<>();
        List<String[]> strides = new ArrayList<>();
        for (int k = 0; k < g.loads().size(); k++) {
            ptrs.add(w.paramPtr("in" + k));
            offs.add(w.paramU32("off" + k));
            strides.add(u32s(w, "s" + k + "_", 0, rank));
        }
        offs.addAll(List.of(outOffs));
        strides.addAll(outStrides);
        w.gridStrideLoop(n, i -> {
            List<String> at = ElementwisePtx.stridedOffsets(w, i, dims, offs, strides);
            KernelIR body = KernelIrPtx.lower(g);
            List<Val> values = KernelIrPtx.values(w, body, slot -> load(w, body, ptrs, at, slot));
            for (int j = 0; j < outputs; j++) {
                Val result = values.get(body.results().get(j));
                PtxTypes.store(w, result.dtype(), w.address(outs[j], at.get(ptrs.size() + j), PtxTypes.bytes(result.dtype())), result.reg());
            }
        });
        return w.finish();
    }

    private static String renderReduce(String name, KernelIR g, int keptRank, int redRank) {
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
        for (int k = 0; k < g.loads().size(); k++) {
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
        DType t = g.outDtype();
        KernelIR body = KernelIrPtx.lower(g);
        ReductionPtx.Acc acc = ReductionPtx.Acc.identity(w, g.reduceOp(), t);
        String r = w.reg(Reg.B32);
        String p = w.reg(Reg.PRED);
        String loop = w.newLabel("acc");
        String exit = w.newLabel("acc_end");
        w.op("mov.u32 " + r + ", " + tid);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + r + ", " + total);
        w.opIf(p, "bra.uni " + exit);
        List<String> at = ElementwisePtx.stridedOffsets(w, r, redDims, bases.subList(0, g.loads().size()), red);
        Val v = run(w, body, ptrs, at);
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

    /** Renders the lowered {@code body} at element offsets {@code at} (one per input), loading each slot where the body reads it. */
    private static Val run(PtxWriter w, KernelIR body, List<String> ptrs, List<String> at) {
        return KernelIrPtx.render(w, body, slot -> load(w, body, ptrs, at, slot));
    }

    private static Val load(PtxWriter w, KernelIR body, List<String> ptrs, List<String> at, int slot) {
        DType t = body.loads().get(slot).dtype();
        return new Val(PtxTypes.load(w, t, w.address(ptrs.get(slot), at.get(slot), PtxTypes.bytes(t)), true), t);
    }

    private static String[] u32s(PtxWriter w, String prefix, int from, int rank) {
        String[] r = new String[rank];
        for (int d = from; d < rank; d++) r[d] = w.paramU32(prefix + d);
        return r;
    }

    static String digest(String text) {
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
