package dev.javelin.kernels.cuda.ptx;

import static dev.javelin.kernels.cuda.ptx.PtxTypes.arith;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The renderer's table: each elementwise op to the PTX that computes it from argument registers
 * (tinygrad's "op to instruction template" map). Short ops are one instruction. float32
 * transcendentals are not here: {@link KernelIrPtx} renders them from the kernel IR's one
 * definition ({@code dev.javelin.kernels.ir.MathDecompositions}, pow's in {@code PowDecomposition}).
 * float64 transcendentals have no PTX instruction, so
 * {@link #supports} says no and the backend runs them on the host.
 *
 * <pre>{@code
 * Val sum = ElementwiseOps.apply(w, Op.ADD, List.of(a, b));
 * }</pre>
 */
public final class ElementwiseOps {
    /** A register holding a value of a dtype. */
    public record Val(String reg, DType dtype) {}

    @FunctionalInterface
    interface Template {
        String emit(PtxWriter w, String d, List<Val> a, String t);
    }

    private static final Map<Op, Template> TABLE = new EnumMap<>(Op.class);
    private static final Set<Op> FLOAT32_ONLY = EnumSet.of(Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.ERF);

    private ElementwiseOps() {}

    private static void one(Op op, String mnemonic) {
        TABLE.put(op, (w, d, a, t) -> {
            w.op(mnemonic + "." + t + " " + d + ", " + a.get(0).reg());
            return d;
        });
    }

    private static void two(Op op, String floatMnemonic, String intMnemonic) {
        TABLE.put(op, (w, d, a, t) -> {
            String m = t.startsWith("f") ? floatMnemonic : intMnemonic;
            w.op(m + "." + t + " " + d + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            return d;
        });
    }

    private static void compare(Op op, String floatCmp, String intCmp) {
        TABLE.put(op, (w, d, a, t) -> {
            String p = w.reg(Reg.PRED);
            w.op("setp." + (t.startsWith("f") ? floatCmp : intCmp) + "." + t + " " + p + ", " + a.get(0).reg() + ", " + a.get(1).reg());
            w.op("selp.u32 " + d + ", 1, 0, " + p);
            return d;
        });
    }

    /** MAX/MIN propagate NaN as Math.max/min do (the PTX instructions return the other operand). */
    private static void minMax(Op op, String mnemonic) {
        TABLE.put(op, (w, d, a, t) -> {
            String x = a.get(0).reg();
            String y = a.get(1).reg();
            w.op(mnemonic + "." + t + " " + d + ", " + x + ", " + y);
            if (t.startsWith("f")) {
                String p = w.reg(Reg.PRED);
                String s = w.reg(t.equals("f32") ? Reg.F32 : Reg.F64);
                w.op("setp.nan." + t + " " + p + ", " + x + ", " + y);
                w.op("add." + t + " " + s + ", " + x + ", " + y);
                w.op("selp." + t + " " + d + ", " + s + ", " + d + ", " + p);
            }
            return d;
        });
    }

    static {
        one(Op.NEG, "neg");
        one(Op.ABS, "abs");
        one(Op.SQRT, "sqrt.rn");
        one(Op.RECIPROCAL, "rcp.rn");
        TABLE.put(Op.FLOOR, (w, d, a, t) -> cvtRound(w, d, a, t, "rmi"));
        TABLE.put(Op.CEIL, (w, d, a, t) -> cvtRound(w, d, a, t, "rpi"));
        TABLE.put(Op.ROUND, (w, d, a, t) -> cvtRound(w, d, a, t, "rni"));
        TABLE.put(Op.RELU, (w, d, a, t) -> { // x > 0 or NaN keeps x, as torch.relu does
            String p = w.reg(Reg.PRED);
            w.op("setp.gtu." + t + " " + p + ", " + a.get(0).reg() + ", " + PtxTypes.literal(0, a.get(0).dtype()));
            w.op("selp." + t + " " + d + ", " + a.get(0).reg() + ", " + PtxTypes.literal(0, a.get(0).dtype()) + ", " + p);
            return d;
        });
        TABLE.put(Op.SIGN, (w, d, a, t) -> {
            DType dt = a.get(0).dtype();
            String x = a.get(0).reg();
            String gt = w.reg(Reg.PRED);
            String lt = w.reg(Reg.PRED);
            String zero = PtxTypes.literal(0, dt);
            w.op("setp.gt." + t + " " + gt + ", " + x + ", " + zero);
            w.op("setp.lt." + t + " " + lt + ", " + x + ", " + zero);
            w.op("selp." + t + " " + d + ", " + PtxTypes.literal(1, dt) + ", " + zero + ", " + gt);
            w.op("selp." + t + " " + d + ", " + PtxTypes.literal(-1, dt) + ", " + d + ", " + lt);
            if (dt.isFloating()) { // NaN stays NaN
                String nan = w.reg(Reg.PRED);
                w.op("setp.nan." + t + " " + nan + ", " + x + ", " + x);
                w.op("selp." + t + " " + d + ", " + x + ", " + d + ", " + nan);
            }
            return d;
        });
        TABLE.put(Op.LOGICAL_NOT, (w, d, a, t) -> {
            w.op("xor.b32 " + d + ", " + a.get(0).reg() + ", 1");
            return d;
        });
        // explicit .rn on floats: ptxas may not contract a multiply and an add into one FMA, so the
        // rounding is where the op (and the kernel IR) puts it, as on the CPU
        two(Op.ADD, "add.rn", "add");
        two(Op.SUB, "sub.rn", "sub");
        two(Op.MUL, "mul.rn", "mul.lo");
        two(Op.DIV, "div.rn", "div");
        minMax(Op.MAX, "max");
        minMax(Op.MIN, "min");
        compare(Op.EQ, "eq", "eq");
        compare(Op.NE, "neu", "ne");
        compare(Op.LT, "lt", "lt");
        compare(Op.LE, "le", "le");
        compare(Op.GT, "gt", "gt");
        compare(Op.GE, "ge", "ge");
        TABLE.put(Op.WHERE, (w, d, a, t) -> {
            String p = w.reg(Reg.PRED);
            w.op("setp.ne.u32 " + p + ", " + a.get(0).reg() + ", 0");
            w.op("selp." + t + " " + d + ", " + a.get(1).reg() + ", " + a.get(2).reg() + ", " + p);
            return d;
        });
    }

    private static String cvtRound(PtxWriter w, String d, List<Val> a, String t, String mode) {
        if (t.startsWith("f")) w.op("cvt." + mode + "." + t + "." + t + " " + d + ", " + a.get(0).reg());
        else w.op("mov.b" + (t.endsWith("64") ? "64 " : "32 ") + d + ", " + a.get(0).reg());
        return d;
    }

    /** True when {@code op} on operands of {@code dtype} renders as PTX: from this table or, for float32, from the IR's decompositions. */
    public static boolean supports(Op op, DType dtype) {
        if (op == Op.CAST) return true;
        if (dtype == DType.FLOAT32 && Decompositions.DECOMPOSED.contains(op)) return true;
        if (!TABLE.containsKey(op)) return false;
        return !(FLOAT32_ONLY.contains(op) && dtype != DType.FLOAT32);
    }

    /** Emits {@code op} over {@code args}; returns the result. */
    public static Val apply(PtxWriter w, Op op, List<Val> args) {
        DType operand = op == Op.WHERE ? args.get(1).dtype() : args.get(0).dtype();
        if (!supports(op, operand)) {
            throw new IllegalArgumentException("cuda: no PTX template for " + op.label() + " on " + operand);
        }
        DType result = op.isComparison() || op == Op.LOGICAL_NOT ? DType.BOOL : operand;
        String d = w.reg(PtxTypes.reg(result));
        String r = TABLE.get(op).emit(w, d, args, arith(operand));
        return new Val(r, result);
    }

    /** CAST with the host's rules: floats truncate toward zero (saturating, NaN to 0), anything to bool is != 0. */
    public static Val cast(PtxWriter w, Val v, DType to) {
        DType from = v.dtype();
        if (from == to) return v;
        String d = w.reg(PtxTypes.reg(to));
        String s = v.reg();
        if (to == DType.BOOL) {
            String p = w.reg(Reg.PRED);
            w.op("setp." + (from.isFloating() ? "neu." : "ne.") + arith(from) + " " + p + ", " + s + ", " + PtxTypes.literal(0, from));
            w.op("selp.u32 " + d + ", 1, 0, " + p);
            return new Val(d, to);
        }
        String src = from == DType.BOOL ? "u32" : arith(from);
        String dst = arith(to);
        String mode;
        if (to.isFloating() && from.isFloating()) mode = to == DType.FLOAT32 ? ".rn" : "";
        else if (to.isFloating()) mode = ".rn";
        else if (from.isFloating()) mode = ".rzi";
        else mode = "";
        if (to == DType.INT32 && from == DType.INT64) {
            w.op("cvt.u32.u64 " + d + ", " + s);
        } else if (to == DType.INT32 && from == DType.BOOL) {
            w.op("mov.b32 " + d + ", " + s);
        } else {
            w.op("cvt" + mode + "." + dst + "." + src + " " + d + ", " + s);
        }
        return new Val(d, to);
    }
}
