package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one pass that rewrites each float32 transcendental of a kernel into machine-level arithmetic
 * ({@link Prim}s and the plain elementwise ops): after it, a kernel body holds only operations every
 * renderer emits inline, so no generated loop calls a helper that C2 might compile on its own and
 * then refuse to inline. Each function is defined here once, in {@link MathDecompositions}; the
 * accuracy of each is stated there and measured by {@code DecompositionAccuracyTest}.
 *
 * <pre>{@code
 * KernelIR plain = Decompositions.apply(ir);   // exp, tanh, ... become fma, bits, shifts, selects
 * }</pre>
 */
public final class Decompositions {
    /** The ops this pass rewrites; every other op of a kernel body is rendered as it is. */
    public static final Set<Op> DECOMPOSED = EnumSet.of(Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.ERF, Op.SIN, Op.COS, Op.POW,
            Op.RELU, Op.RECIPROCAL, Op.SIGN, Op.FLOOR, Op.CEIL, Op.ROUND, Op.CAST);

    private Decompositions() {}

    /** {@code ir} with every op in {@link #DECOMPOSED} rewritten; the same kernel when there is none. */
    public static KernelIR apply(KernelIR ir) {
        if (ir.body().stream().noneMatch(in -> in.op() != null && DECOMPOSED.contains(in.op()))) return ir;
        Builder b = new Builder();
        int[] map = new int[ir.body().size()];
        for (int k = 0; k < map.length; k++) {
            Instr in = ir.body().get(k);
            List<Integer> args = in.args().stream().map(a -> map[a]).toList();
            if (in.load() || in.prim() != null) {
                map[k] = b.emit(new Instr(in.op(), in.prim(), in.slot(), args, in.dtype(), in.constant()));
            } else if (DECOMPOSED.contains(in.op())) {
                map[k] = b.decompose(in, args, ir.body().get(in.args().get(0)).dtype());
            } else {
                map[k] = b.emit(Instr.op(in.op(), args, in.dtype()));
            }
        }
        if (ir.outputs() > 1) { // each result where its rewrite left it
            return new KernelIR(ir.name(), ir.mode(), ir.reduceOp(), ir.loads(), b.body, ir.outDtype(), false,
                    ir.results().stream().map(r -> map[r]).toList(), ir.groups());
        }
        int result = map[ir.results().get(0)];
        if (result != b.body.size() - 1) { // the result is an earlier value (a constant, a cast to its own type): copy it last
            result = in(b, result).dtype() == DType.BOOL ? b.or(result, result) : b.emit(Instr.op(Op.MAX, List.of(result, result), DType.FLOAT32));
        }
        return new KernelIR(ir.name(), ir.mode(), ir.reduceOp(), ir.loads(), b.body, ir.outDtype(), ir.storesValue(),
                List.of(result), ir.groups());
    }

    private static final Map<Op, Integer> SIZES = new java.util.concurrent.ConcurrentHashMap<>();

    /** What a skippable region adds to a loop body where it is called rather than written out (the CPU's): about a few instructions' worth. */
    private static final int REGION_CALL = 6;
    /**
     * Regions of up to this many instructions the CPU renderer writes into the loop behind a branch;
     * longer ones (sin's large-argument reduction) are methods it calls, which keeps the loop's bytecode
     * small but costs the loop its registers around the call: pow's special cases as a called region
     * ran 4.1 ns per float against 3.1 computed always, and 1.85 written inline (1M floats, one thread).
     */
    public static final int INLINE_REGION = 80;

    /**
     * How many instructions {@code op}'s decomposition puts in a loop body (constants included, though
     * a kernel shares equal ones between functions; an {@link Prim#IF_ANY} region longer than
     * {@link #INLINE_REGION} counted as the call of its own method); 0 for an op that is not decomposed
     * or only becomes one or two instructions.
     */
    public static int size(Op op) {
        if (!DECOMPOSED.contains(op) || op == Op.CAST || op == Op.RELU || op == Op.RECIPROCAL) return 0;
        return SIZES.computeIfAbsent(op, o -> {
            Builder b = new Builder();
            int x = b.emit(Instr.load(0, DType.FLOAT32));
            List<Integer> args = o.kind() == Op.Kind.BINARY ? List.of(x, x) : List.of(x);
            b.decompose(Instr.op(o, args, DType.FLOAT32), args, DType.FLOAT32);
            int size = b.body.size() - 1;
            for (Instr in : b.body) if (in.prim() == Prim.IF_ANY && in.constant() > INLINE_REGION) size -= in.constant() - REGION_CALL;
            return size;
        });
    }

    private static Instr in(Builder b, int k) {
        return b.body.get(k);
    }

    /**
     * Appends instructions to a body: the vocabulary {@link MathDecompositions} writes its functions
     * in. Equal constants are made once per kernel (two functions in one loop share them).
     */
    static final class Builder {
        final List<Instr> body = new ArrayList<>();
        private final Map<Long, Integer> constants = new HashMap<>();

        int emit(Instr in) {
            body.add(in);
            return body.size() - 1;
        }

        private int decompose(Instr in, List<Integer> args, DType argType) {
            int x = args.get(0);
            return switch (in.op()) {
                case EXP -> MathDecompositions.exp(this, x);
                case LOG -> MathDecompositions.log(this, x);
                case TANH -> MathDecompositions.tanh(this, x);
                case SIGMOID -> MathDecompositions.sigmoid(this, x);
                case ERF -> MathDecompositions.erf(this, x);
                case SIN -> MathDecompositions.sin(this, x);
                case COS -> MathDecompositions.cos(this, x);
                case POW -> PowDecomposition.pow(this, x, args.get(1));
                case RELU -> max(x, c(0f));
                case RECIPROCAL -> div(c(1f), x);
                case SIGN -> select(lt(x, c(0f)), c(-1f), select(gt(x, c(0f)), c(1f), x));
                case ROUND -> rint(x);
                case FLOOR -> { // rint, less 1 where it rounded up; the sign of x kept (floor(-0.5) is -1, floor(-0) is -0)
                    int r = rint(x);
                    yield withSignOf(sub(r, select(gt(r, x), c(1f), c(0f))), x);
                }
                case CEIL -> {
                    int r = rint(x);
                    yield withSignOf(add(r, select(lt(r, x), c(1f), c(0f))), x);
                }
                case CAST -> {
                    if (argType == in.dtype()) yield x;
                    if (in.dtype() == DType.BOOL) yield emit(Instr.op(Op.NE, List.of(x, c(0f)), DType.BOOL));
                    yield select(x, c(1f), c(0f));
                }
                default -> throw new IllegalStateException("Decompositions: no decomposition of " + in.op());
            };
        }

        // ---- constants ----
        int c(float v) {
            return constant(DType.FLOAT32, Float.floatToRawIntBits(v));
        }

        int ci(int v) {
            return constant(DType.INT32, v);
        }

        private int constant(DType t, int bits) {
            long key = ((long) t.ordinal() << 32) | (bits & 0xffffffffL);
            return constants.computeIfAbsent(key, k -> emit(Instr.prim(Prim.CONST, List.of(), t, bits)));
        }

        // ---- float32 ----
        private int f(Op op, int... args) {
            return emit(Instr.op(op, ints(args), DType.FLOAT32));
        }

        int add(int a, int b) { return f(Op.ADD, a, b); }
        int sub(int a, int b) { return f(Op.SUB, a, b); }
        int mul(int a, int b) { return f(Op.MUL, a, b); }
        int div(int a, int b) { return f(Op.DIV, a, b); }
        int max(int a, int b) { return f(Op.MAX, a, b); }
        int neg(int a) { return f(Op.NEG, a); }
        int abs(int a) { return f(Op.ABS, a); }
        int sqrt(int a) { return f(Op.SQRT, a); }

        /** {@code a * b + c}, rounded once. */
        int fma(int a, int b, int c) {
            return emit(Instr.prim(Prim.FMA, ints(a, b, c), DType.FLOAT32, 0));
        }

        /** {@code mask ? a : b} for float32 values. */
        int select(int mask, int a, int b) {
            return f(Op.WHERE, mask, a, b);
        }

        // ---- comparisons and masks ----
        private int cmp(Op op, int a, int b) {
            return emit(Instr.op(op, ints(a, b), DType.BOOL));
        }

        int lt(int a, int b) { return cmp(Op.LT, a, b); }
        int gt(int a, int b) { return cmp(Op.GT, a, b); }
        int ge(int a, int b) { return cmp(Op.GE, a, b); }
        int eq(int a, int b) { return cmp(Op.EQ, a, b); }
        /** True where {@code a} is NaN. */
        int isNaN(int a) { return cmp(Op.NE, a, a); }
        int not(int a) { return emit(Instr.op(Op.LOGICAL_NOT, ints(a), DType.BOOL)); }
        /** True where the masks agree. */
        int maskEq(int a, int b) { return emit(Instr.op(Op.EQ, ints(a, b), DType.BOOL)); }
        int or(int a, int b) { return emit(Instr.prim(Prim.OR, ints(a, b), DType.BOOL, 0)); }
        int and(int a, int b) { return emit(Instr.prim(Prim.AND, ints(a, b), DType.BOOL, 0)); }

        // ---- bits ----
        private int i(Prim p, int constant, int... args) {
            return emit(Instr.prim(p, ints(args), DType.INT32, constant));
        }

        int bits(int a) { return i(Prim.BITS, 0, a); }
        int fromBits(int a) { return emit(Instr.prim(Prim.FROM_BITS, ints(a), DType.FLOAT32, 0)); }
        int toFloat(int a) { return emit(Instr.prim(Prim.TO_FLOAT, ints(a), DType.FLOAT32, 0)); }
        int iadd(int a, int b) { return i(Prim.IADD, 0, a, b); }
        int isub(int a, int b) { return i(Prim.ISUB, 0, a, b); }
        int iand(int a, int b) { return i(Prim.IAND, 0, a, b); }
        int ior(int a, int b) { return i(Prim.IOR, 0, a, b); }
        int shl(int a, int n) { return i(Prim.SHL, n, a); }
        int shr(int a, int n) { return i(Prim.SHR, n, a); }
        int ushr(int a, int n) { return i(Prim.USHR, n, a); }

        /** Entry {@code index} (an int32 value) of {@code table}, per lane. */
        int table(KernelTable table, int index) {
            return emit(Instr.prim(Prim.TABLE, ints(index), DType.FLOAT32, table.ordinal()));
        }

        /**
         * Opens a region that a renderer may skip when no lane of {@code mask} is true
         * ({@link Prim#IF_ANY}); returns the mask to select the region's values with.
         */
        int ifAny(int mask) {
            return emit(Instr.prim(Prim.IF_ANY, ints(mask), DType.BOOL, 0));
        }

        /** Closes the region {@code ifAny} opened: its length recorded, its constants not shared past it. */
        void endRegion(int ifAny) {
            Instr open = body.get(ifAny);
            body.set(ifAny, Instr.prim(Prim.IF_ANY, open.args(), DType.BOOL, body.size() - ifAny - 1));
            constants.values().removeIf(k -> k > ifAny); // a skipped region leaves them unset
        }

        /**
         * x rounded to an integer, ties to even: adding and removing 2^23 rounds |x| below 2^23 (from
         * there on every float is an integer); the sign of x kept, NaN passed through.
         */
        int rint(int x) {
            int a = abs(x), two23 = c(8388608f);
            int r = withSignOfNonNegative(sub(add(a, two23), two23), x);
            return select(or(ge(a, two23), isNaN(x)), x, r);
        }

        /** The float32 {@code x} with the sign bit of {@code sign}. */
        int withSignOf(int x, int sign) {
            return fromBits(ior(iand(bits(x), ci(0x7fffffff)), iand(bits(sign), ci(0x80000000))));
        }

        /** {@link #withSignOf} for an {@code x} whose sign bit is clear: one operation fewer. */
        int withSignOfNonNegative(int x, int sign) {
            return fromBits(ior(bits(x), iand(bits(sign), ci(0x80000000))));
        }

        private static List<Integer> ints(int... v) {
            List<Integer> l = new ArrayList<>(v.length);
            for (int x : v) l.add(x);
            return l;
        }
    }
}
