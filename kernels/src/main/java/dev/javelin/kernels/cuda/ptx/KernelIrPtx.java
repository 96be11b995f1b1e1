package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.kernels.ir.KernelTable;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Renders a kernel body ({@link KernelIR}) as PTX: the GPU's side of the one IR. A float32 body is
 * first rewritten by {@link Decompositions}, the same pass the CPU code generator runs, so exp, log,
 * tanh, sigmoid, erf, sin and cos come out as the same fma/bits/select arithmetic on both devices
 * (no {@code ex2.approx}, no hand-written PTX math). Plain ops come from {@link ElementwiseOps}'
 * table, whose float add, sub and mul carry an explicit {@code .rn} so ptxas does not contract them
 * into FMAs: the arithmetic is rounded exactly where the IR says. Bodies over other dtypes (the CUDA backend's
 * one-op int, int64 and float64 kernels) render each op from {@link ElementwiseOps}' table.
 *
 * <pre>{@code
 * KernelIR body = KernelIrPtx.lower(ir);
 * Val result = KernelIrPtx.render(w, body, slot -> loadSlot(w, slot));   // loads happen where the body reads them
 * }</pre>
 */
public final class KernelIrPtx {
    private KernelIrPtx() {}

    /** {@code ir} ready to render: decomposed when every value is float32 or bool, as the CPU generator does. */
    public static KernelIR lower(KernelIR ir) {
        for (KernelIR.Load l : ir.loads()) if (!loopType(l.dtype())) return ir;
        for (Instr in : ir.body()) if (!loopType(in.dtype())) return ir;
        return Decompositions.apply(ir);
    }

    private static boolean loopType(DType t) {
        return t == DType.FLOAT32 || t == DType.BOOL;
    }

    /**
     * Emits {@code body}'s instructions (call {@link #lower} first); {@code load} is asked for a
     * slot's value where a load instruction stands (once per instruction). Returns the last
     * instruction's value.
     */
    public static Val render(PtxWriter w, KernelIR body, IntFunction<Val> load) {
        List<Val> vals = values(w, body, load);
        return vals.get(vals.size() - 1);
    }

    /** {@link #render}, returning every instruction's value (a kernel with several {@link KernelIR#results()} stores some of them). */
    public static List<Val> values(PtxWriter w, KernelIR body, IntFunction<Val> load) {
        List<Val> vals = new ArrayList<>(body.body().size());
        java.util.Map<Integer, String> regionEnds = new java.util.HashMap<>();
        for (Instr in : body.body()) {
            List<Val> args = new ArrayList<>(in.args().size());
            for (int a : in.args()) args.add(vals.get(a));
            Val v;
            if (in.load()) v = load.apply(in.slot());
            else if (in.prim() != null) v = prim(w, in, args);
            else v = op(w, in, args);
            vals.add(v);
            if (in.prim() == KernelIR.Prim.IF_ANY && in.constant() > 0) { // a thread whose mask is clear skips the region
                String skip = w.newLabel("skip"), p = w.reg(PtxWriter.Reg.PRED);
                w.op("setp.eq.b32 " + p + ", " + v.reg() + ", 0");
                w.opIf(p, "bra " + skip);
                regionEnds.put(vals.size() - 1 + in.constant(), skip);
            }
            String end = regionEnds.remove(vals.size() - 1);
            if (end != null) w.label(end);
        }
        return vals;
    }

    private static Val op(PtxWriter w, Instr in, List<Val> args) {
        Op op = in.op();
        if (op == Op.CAST) return ElementwiseOps.cast(w, args.get(0), in.dtype());
        DType t = op == Op.WHERE ? args.get(1).dtype() : args.get(0).dtype();
        if (t == DType.FLOAT32 && Decompositions.DECOMPOSED.contains(op)) {
            throw new IllegalArgumentException("KernelIrPtx: " + op.label() + " on float32 reached the renderer undecomposed; call lower() first");
        }
        return ElementwiseOps.apply(w, op, args);
    }

    private static Val prim(PtxWriter w, Instr in, List<Val> a) {
        DType t = in.dtype();
        String d = w.reg(PtxTypes.reg(t));
        switch (in.prim()) {
            case CONST -> w.op(switch (t) {
                case FLOAT32 -> "mov.f32 " + d + ", " + PtxWriter.f32Literal(Float.intBitsToFloat(in.constant()));
                case FLOAT64 -> "mov.f64 " + d + ", " + PtxWriter.f64Literal(in.constant());
                case INT64 -> "mov.b64 " + d + ", " + in.constant();
                case INT32 -> "mov.b32 " + d + ", " + in.constant();
                case BOOL -> "mov.b32 " + d + ", " + (in.constant() != 0 ? 1 : 0);
            });
            case FMA -> w.op("fma.rn.f32 " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg() + ", " + a.get(2).reg());
            case BITS, FROM_BITS -> w.op("mov.b32 " + d + ", " + a.get(0).reg());
            case TO_FLOAT -> w.op("cvt.rn.f32.s32 " + d + ", " + a.get(0).reg());
            case IADD -> w.op("add.s32 " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            case ISUB -> w.op("sub.s32 " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            case IAND, AND -> w.op("and.b32 " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            case IOR, OR -> w.op("or.b32 " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            case SHL -> w.op("shl.b32 " + d + ", " + a.get(0).reg() + ", " + in.constant());
            case SHR -> w.op("shr.s32 " + d + ", " + a.get(0).reg() + ", " + in.constant());
            case USHR -> w.op("shr.u32 " + d + ", " + a.get(0).reg() + ", " + in.constant());
            case IF_ANY -> w.op("mov.b32 " + d + ", " + a.get(0).reg()); // the mask; render() branches around the region
            case TABLE -> {
                KernelTable table = KernelTable.values()[in.constant()];
                String base = w.reg(PtxWriter.Reg.B64);
                w.op("mov.u64 " + base + ", " + w.constFloats(table.name().toLowerCase(java.util.Locale.ROOT), table.entries()));
                w.op("ld.const.f32 " + d + ", [" + w.address(base, a.get(0).reg(), 4) + "]");
            }
            default -> throw new IllegalArgumentException("KernelIrPtx: no PTX template for " + in.prim().label() + " yet");
        }
        return new Val(d, t);
    }

    // ---- the CUDA backend's one-op kernels as IR ----------------------------------------------

    /** One elementwise {@code op} over inputs of {@code types} in order, giving {@code out}. */
    public static KernelIR single(Op op, List<DType> types, DType out) {
        List<Instr> body = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        for (int k = 0; k < types.size(); k++) {
            body.add(Instr.load(k, types.get(k)));
            args.add(k);
        }
        body.add(Instr.op(op, args, out));
        return new KernelIR("E_" + op.label(), KernelIR.Mode.ELEMENTWISE, null, loads(types), body, out);
    }

    /** Input 0 as it is: the copy kernel. */
    public static KernelIR copy(DType t) {
        return new KernelIR("E_copy", KernelIR.Mode.ELEMENTWISE, null, loads(List.of(t)), List.of(Instr.load(0, t)), t);
    }

    /** Every element {@code value} (an integer, or a float32's bits for FLOAT32): no inputs. */
    public static KernelIR fill(DType t, int value) {
        return new KernelIR("E_fill", KernelIR.Mode.ELEMENTWISE, null, List.of(),
                List.of(Instr.prim(KernelIR.Prim.CONST, List.of(), t, value)), t);
    }

    private static List<KernelIR.Load> loads(List<DType> types) {
        List<KernelIR.Load> l = new ArrayList<>();
        for (DType t : types) l.add(new KernelIR.Load(t, KernelIR.Access.STRIDED));
        return l;
    }
}
