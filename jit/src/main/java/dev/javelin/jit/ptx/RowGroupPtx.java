package dev.javelin.jit.ptx;

import dev.javelin.jit.plan.Launch;
import dev.javelin.jit.plan.Plan;
import dev.javelin.kernels.cuda.PtxCache;
import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.ElementwisePtx;
import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.kernels.cuda.ptx.PtxTypes;
import dev.javelin.kernels.cuda.ptx.PtxWriter;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.cuda.ptx.ReductionPtx;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A row group of the plan ({@link Plan.RowGroup}: softmax, log-softmax, layer norm, cross-entropy)
 * as one PTX kernel, one block per row: the block runs the members in order over its row, each a
 * loop of the block's threads over the row's positions, a row reduction ending in a block reduction
 * whose result thread 0 stores, and a barrier between members, after which every thread of the block
 * sees what the previous member wrote (the row is still in L1/L2). A member that the plan folded
 * ({@link KernelIR#storesValue()}: softmax's exp(x - max) and its sum) stores its value and reduces
 * it in the same loop. One launch instead of one per member, each row read from memory once.
 *
 * <p>A member that computes one value per row (n = 1 in its launch) loops over one position.
 *
 * <p>Parameters: {@code n, keptDim1.., then per member and slot (inputs, output, a folded
 * reduction's output): ptr, offset, keptStride0.., innerStride}. Grid: one block per row.
 */
public final class RowGroupPtx {
    public static final int BLOCK = 256;

    private RowGroupPtx() {}

    /**
     * True when {@code g} runs as one kernel: it holds a row reduction (a group of elementwise
     * kernels over one long run keeps a full grid per kernel instead) and its members share rows.
     */
    public static boolean applies(Plan.RowGroup g) {
        boolean reduces = false;
        int[] kept = g.members().get(0).launch().keptDims();
        for (Plan.Member m : g.members()) {
            reduces |= m.ir().mode() == KernelIR.Mode.REDUCE_ROW;
            if (m.ir().mode() == KernelIR.Mode.REDUCE_COLUMNS || m.launch().reducedDims().length > 0
                    || !Arrays.equals(kept, m.launch().keptDims()) || m.launch().n() != g.members().get(0).launch().n() && !onePerRow(m)) {
                return false;
            }
        }
        return reduces;
    }

    /** True when member {@code m} computes one value per row (its loop has length 1: layer norm's 1 / sqrt(var + eps)). */
    private static boolean onePerRow(Plan.Member m) {
        return m.launch().n() == 1 && m.ir().mode() == KernelIR.Mode.ELEMENTWISE;
    }

    /** The kernel of {@code members}' bodies (cached by them). */
    public static String entry(List<Plan.Member> members) {
        int keptRank = members.get(0).launch().keptDims().length;
        StringBuilder key = new StringBuilder("k" + keptRank);
        StringBuilder names = new StringBuilder();
        for (Plan.Member m : members) {
            key.append('\n').append(onePerRow(m) ? "one per row\n" : "").append(m.ir().key());
            names.append(names.length() > 0 ? "_" : "").append(m.ir().name().replaceFirst("_[0-9x]+$", "").replaceFirst("^[ER]_", ""));
        }
        String base = ("G_" + names).replaceAll("[^A-Za-z0-9_]", "_");
        if (base.length() > 40) base = base.substring(0, 40);
        String name = base + "_" + PtxRenderer.digest(key.toString());
        return PtxCache.entry(name, () -> render(name, members, keptRank));
    }

    /** The kernel's name in {@code entry}. */
    public static String name(String entry) {
        return entry.substring(entry.indexOf(".entry ") + 7, entry.indexOf('('));
    }

    /**
     * Arguments in the kernel's order; {@code addresses[m][s]} is the device address of member m's
     * slot s (its tensor's offset included).
     */
    public static List<Object> arguments(List<Plan.Member> members, long[][] addresses) {
        Launch first = members.get(0).launch();
        List<Object> args = new ArrayList<>();
        args.add(first.n());
        for (int d = 1; d < first.keptDims().length; d++) args.add(first.keptDims()[d]);
        for (int m = 0; m < members.size(); m++) {
            Launch l = members.get(m).launch();
            if (addresses[m].length != l.innerStrides().length) {
                throw new IllegalArgumentException("RowGroupPtx: member " + members.get(m).ir().name() + " has " + l.innerStrides().length
                        + " slots, got " + addresses[m].length + " addresses");
            }
            for (int s = 0; s < addresses[m].length; s++) {
                args.add(addresses[m][s]);
                args.add(l.offsets()[s]);
                for (int v : l.keptStrides()[s]) args.add(v);
                args.add(l.innerStrides()[s]);
            }
        }
        return args;
    }

    /** Blocks to launch: one per row. */
    public static int grid(List<Plan.Member> members) {
        return (int) Math.max(1, members.get(0).launch().keptCount());
    }

    private static String render(String name, List<Plan.Member> members, int keptRank) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String n = w.paramU32("n");
        String[] keptDims = new String[keptRank];
        for (int d = 1; d < keptRank; d++) keptDims[d] = w.paramU32("kd" + d);
        List<String[]> ptrs = new ArrayList<>(), inner = new ArrayList<>();
        List<List<String>> offs = new ArrayList<>();
        List<List<String[]>> kept = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            int slots = members.get(m).launch().innerStrides().length;
            String[] p = new String[slots], in = new String[slots];
            List<String> o = new ArrayList<>();
            List<String[]> k = new ArrayList<>();
            for (int s = 0; s < slots; s++) {
                p[s] = w.paramPtr("m" + m + "p" + s);
                o.add(w.paramU32("m" + m + "o" + s));
                String[] ks = new String[keptRank];
                for (int d = 0; d < keptRank; d++) ks[d] = w.paramU32("m" + m + "k" + s + "_" + d);
                k.add(ks);
                in[s] = w.paramU32("m" + m + "i" + s);
            }
            ptrs.add(p);
            offs.add(o);
            kept.add(k);
            inner.add(in);
        }
        String row = w.reg(Reg.B32), tid = w.reg(Reg.B32), nt = w.reg(Reg.B32);
        w.op("mov.u32 " + row + ", %ctaid.x");
        w.op("mov.u32 " + tid + ", %tid.x");
        w.op("mov.u32 " + nt + ", %ntid.x");
        for (int m = 0; m < members.size(); m++) {
            member(w, members.get(m).ir(), ptrs.get(m), inner.get(m),
                    ElementwisePtx.stridedOffsets(w, row, keptDims, offs.get(m), kept.get(m)), onePerRow(members.get(m)) ? "1" : n, tid, nt);
            w.op("bar.sync 0"); // what this member wrote is seen by the next one
        }
        return w.finish();
    }

    /** One member over the block's row ({@code n} positions, a register or an immediate): the loop, then (a reduction) the block reduction and thread 0's store. */
    private static void member(PtxWriter w, KernelIR ir, String[] ptrs, String[] inner, List<String> bases, String n, String tid, String nt) {
        KernelIR body = KernelIrPtx.lower(ir);
        int value = ir.loads().size();
        boolean reduce = ir.mode() == KernelIR.Mode.REDUCE_ROW;
        DType t = ir.outDtype();
        ReductionPtx.Acc acc = reduce ? ReductionPtx.Acc.identity(w, ir.reduceOp(), t) : null;
        String j = w.reg(Reg.B32), p = w.reg(Reg.PRED);
        String loop = w.newLabel("row"), exit = w.newLabel("row_end");
        w.op("mov.u32 " + j + ", " + tid);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + j + ", " + n);
        w.opIf(p, "bra.uni " + exit);
        String[] at = new String[ptrs.length];
        for (int s = 0; s < ptrs.length; s++) {
            at[s] = w.reg(Reg.B32);
            w.op("mad.lo.s32 " + at[s] + ", " + j + ", " + inner[s] + ", " + bases.get(s));
        }
        Val v = KernelIrPtx.render(w, body, slot -> {
            DType lt = body.loads().get(slot).dtype();
            return new Val(PtxTypes.load(w, lt, w.address(ptrs[slot], at[slot], PtxTypes.bytes(lt)), false), lt);
        });
        if (!reduce || ir.storesValue()) PtxTypes.store(w, v.dtype(), w.address(ptrs[value], at[value], PtxTypes.bytes(v.dtype())), v.reg());
        if (reduce) acc.combine(w, ir.reduceOp(), t, v.reg(), null);
        w.op("add.s32 " + j + ", " + j + ", " + nt);
        w.op("bra.uni " + loop);
        w.label(exit);
        if (!reduce) return;
        String done = w.newLabel("reduced");
        ReductionPtx.Acc fin = ReductionPtx.blockReduce(w, ir.reduceOp(), t, acc, tid, nt, done);
        int out = ir.storesValue() ? value + 1 : value;
        PtxTypes.store(w, t, w.address(ptrs[out], bases.get(out), PtxTypes.bytes(t)), fin.value);
        w.label(done);
    }
}
