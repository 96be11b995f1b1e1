package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.kernels.ir.KernelTable;
import dev.javelin.kernels.ir.ReductionOrder;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.Arrays;

/**
 * Runs a kernel's decomposed body with plain Java arithmetic, one instruction at a time over blocks
 * of positions: the executable definition of the kernel IR on the CPU, and what a kernel runs while
 * its generated Vector API code is still cold ({@link TieredKernel}). Every instruction is one
 * correctly rounded float32 operation (or an int32 or mask operation), which gives the same bits
 * lane by lane as the Vector API's; a row reduction follows the generated loop's order exactly (the
 * four rotating accumulators of {@code lanes} lanes, the masked tail's identity lanes, the fixed lane
 * tree), so its result has the generated kernel's bits too.
 *
 * <p>Why not the generated code from the first call: the Vector API runs interpreted, then through
 * C1's boxed fallbacks, until C2 has compiled each kernel; a fresh JVM spent most of a train step's
 * first call there. The interpreter's loops are few, small and shared by every kernel, so C1 compiles
 * them within the first milliseconds.
 *
 * <pre>{@code
 * FusedKernel k = new KernelInterpreter(ir, KernelSupport.S.length());
 * k.run(new Object[] {x, out}, new int[] {0, 0}, new int[2][], x.length);
 * }</pre>
 */
public final class KernelInterpreter implements FusedKernel {
    /** Positions per block: the registers of a block stay in L1/L2. */
    static final int BLOCK = 256;
    private static final int ACCUMULATORS = 4;

    private final KernelIR ir;
    private final Instr[] body;
    /** Per instruction: true for a float32 op whose first argument is a mask (mask logic). */
    private final boolean[] onMasks;
    private final int lanes;
    private final ThreadLocal<Object[]> registers;

    /** {@code ir} as given (it is decomposed here); {@code lanes}: the generated loop's vector length. */
    public KernelInterpreter(KernelIR ir, int lanes) {
        this.ir = Decompositions.apply(ir);
        this.body = this.ir.body().toArray(new Instr[0]);
        this.lanes = lanes;
        onMasks = new boolean[body.length];
        for (int k = 0; k < body.length; k++) {
            Instr in = body[k];
            if (in.prim() == Prim.TABLE && in.args().size() != 1) throw new IllegalStateException("KernelInterpreter: a table read takes one index");
            onMasks[k] = in.op() != null && in.op() != Op.WHERE && !in.args().isEmpty() && body[in.args().get(0)].dtype() == DType.BOOL;
        }
        registers = ThreadLocal.withInitial(this::allocate);
    }

    /** Instructions of the decomposed body. */
    int instructions() {
        return body.length;
    }

    /** One register of BLOCK values per instruction, of its dtype; constants filled once. */
    private Object[] allocate() {
        Object[] r = new Object[body.length];
        for (int k = 0; k < body.length; k++) {
            Instr in = body[k];
            r[k] = switch (in.dtype()) {
                case BOOL -> new boolean[BLOCK];
                case INT32 -> new int[BLOCK];
                default -> new float[BLOCK];
            };
            if (in.prim() == Prim.CONST) {
                if (in.dtype() == DType.INT32) Arrays.fill((int[]) r[k], in.constant());
                else Arrays.fill((float[]) r[k], Float.intBitsToFloat(in.constant()));
            }
        }
        return r;
    }

    @Override
    public void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (ir.mode() == Mode.REDUCE_ROW) throw new UnsupportedOperationException(ir.name() + " is a row reduction; call reduce");
        Object[] r = registers.get();
        int out = ir.inputSlots();
        for (int i0 = 0; i0 < n; i0 += BLOCK) {
            int len = Math.min(BLOCK, n - i0);
            evaluate(r, arrays, offsets, maps, i0, len);
            Object v = r[body.length - 1];
            int at = offsets[out] + i0;
            if (ir.mode() == Mode.ELEMENTWISE) { // every input of the block is read before any result is stored
                for (int j = 0; j < ir.outputs(); j++) {
                    Object res = r[ir.results().get(j)];
                    int to = offsets[out + j] + i0;
                    if (res instanceof boolean[] m) System.arraycopy(m, 0, (boolean[]) arrays[out + j], to, len);
                    else System.arraycopy((float[]) res, 0, (float[]) arrays[out + j], to, len);
                }
            } else { // REDUCE_COLUMNS: out = out (op) v, the vector code's operand order
                float[] o = (float[]) arrays[out], f = (float[]) v;
                switch (ir.reduceOp()) {
                    case REDUCE_SUM -> { for (int j = 0; j < len; j++) o[at + j] = o[at + j] + f[j]; }
                    case REDUCE_MAX -> { for (int j = 0; j < len; j++) o[at + j] = Math.max(o[at + j], f[j]); }
                    default -> { for (int j = 0; j < len; j++) o[at + j] = Math.min(o[at + j], f[j]); }
                }
            }
        }
    }

    @Override
    public float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (ir.mode() != Mode.REDUCE_ROW) throw new UnsupportedOperationException(ir.name() + " is not a row reduction; call run");
        Object[] r = registers.get();
        float identity = identity();
        float[][] acc = new float[ACCUMULATORS][lanes];
        for (float[] a : acc) Arrays.fill(a, identity);
        // Whole blocks of four vectors rotate through the accumulators; the rest go to the first.
        int bound4 = n - n % (ACCUMULATORS * lanes);
        int out = ir.inputSlots();
        for (int i0 = 0; i0 < n; i0 += BLOCK) {
            int len = Math.min(BLOCK, n - i0);
            evaluate(r, arrays, offsets, maps, i0, len);
            float[] v = (float[]) r[body.length - 1];
            if (ir.storesValue()) System.arraycopy(v, 0, (float[]) arrays[out], offsets[out] + i0, len);
            for (int j = 0; j < len; j++) {
                int p = i0 + j;
                float[] a = acc[p < bound4 ? (p / lanes) % ACCUMULATORS : 0];
                a[p % lanes] = combine(a[p % lanes], v[j]);
            }
        }
        if (n % lanes != 0) { // the masked tail vector's inactive lanes combine the identity
            for (int l = n % lanes; l < lanes; l++) acc[0][l] = combine(acc[0][l], identity);
        }
        float[] t = new float[lanes];
        for (int l = 0; l < lanes; l++) t[l] = combine(combine(acc[0][l], acc[1][l]), combine(acc[2][l], acc[3][l]));
        if (ir.reduceOp() == Op.REDUCE_SUM) { // the generated kernel's lane tree
            for (int w = lanes / 2; w >= 1; w /= 2) for (int l = 0; l < w; l++) t[l] = t[l] + t[l + w];
            return t[0];
        }
        float m = t[0]; // max and min do not depend on the order
        for (int l = 1; l < lanes; l++) m = combine(m, t[l]);
        return m;
    }

    private float identity() {
        return ReductionOrder.identity(ir.reduceOp());
    }

    private float combine(float acc, float v) {
        return ReductionOrder.combine(ir.reduceOp(), acc, v);
    }

    /** Computes every instruction at positions {@code [i0, i0 + len)} into the registers. */
    private void evaluate(Object[] r, Object[] arrays, int[] offsets, int[][] maps, int i0, int len) {
        for (int k = 0; k < body.length; k++) {
            Instr in = body[k];
            if (in.load()) {
                load(r[k], in.slot(), arrays, offsets, maps, i0, len);
            } else if (in.prim() != null) {
                if (in.prim() != Prim.CONST) prim(in, r, k, len);
            } else if (onMasks[k]) {
                maskOp(in.op(), (boolean[]) r[in.args().get(0)], in.args().size() > 1 ? (boolean[]) r[in.args().get(1)] : null, (boolean[]) r[k], len);
            } else {
                op(in, r, k, len);
            }
        }
    }

    private void load(Object reg, int s, Object[] arrays, int[] offsets, int[][] maps, int i0, int len) {
        Access a = ir.loads().get(s).access();
        int o = offsets[s];
        if (reg instanceof boolean[] m) {
            boolean[] src = (boolean[]) arrays[s];
            switch (a) {
                case CONTIGUOUS -> System.arraycopy(src, o + i0, m, 0, len);
                case BROADCAST -> Arrays.fill(m, 0, len, src[o]);
                default -> { int[] map = maps[s]; for (int j = 0; j < len; j++) m[j] = src[o + map[i0 + j]]; }
            }
        } else {
            float[] f = (float[]) reg, src = (float[]) arrays[s];
            switch (a) {
                case CONTIGUOUS -> System.arraycopy(src, o + i0, f, 0, len);
                case BROADCAST -> Arrays.fill(f, 0, len, src[o]);
                default -> { int[] map = maps[s]; for (int j = 0; j < len; j++) f[j] = src[o + map[i0 + j]]; }
            }
        }
    }

    private void prim(Instr in, Object[] r, int k, int len) {
        Object a = r[in.args().get(0)];
        Object b = in.args().size() > 1 ? r[in.args().get(1)] : null;
        switch (in.prim()) {
            case FMA -> ScalarOps.fma((float[]) a, (float[]) b, (float[]) r[in.args().get(2)], (float[]) r[k], len);
            case BITS -> ScalarOps.bits((float[]) a, (int[]) r[k], len);
            case FROM_BITS -> ScalarOps.fromBits((int[]) a, (float[]) r[k], len);
            case TO_FLOAT -> ScalarOps.toFloat((int[]) a, (float[]) r[k], len);
            case IADD, ISUB, IAND, IOR -> ScalarOps.intOp(in.prim(), (int[]) a, (int[]) b, (int[]) r[k], len);
            case SHL, SHR, USHR -> ScalarOps.shift(in.prim(), (int[]) a, in.constant(), (int[]) r[k], len);
            case AND -> maskOp(Op.MIN, (boolean[]) a, (boolean[]) b, (boolean[]) r[k], len);
            case OR -> maskOp(Op.MAX, (boolean[]) a, (boolean[]) b, (boolean[]) r[k], len);
            case TABLE -> ScalarOps.table(KernelTable.entries(in.constant()), (int[]) a, (float[]) r[k], len);
            case IF_ANY -> System.arraycopy((boolean[]) a, 0, (boolean[]) r[k], 0, len); // every region is computed
            default -> throw new IllegalStateException("KernelInterpreter: unexpected " + in.prim());
        }
    }

    private void op(Instr in, Object[] r, int k, int len) {
        Op op = in.op();
        if (op == Op.WHERE) {
            boolean[] c = (boolean[]) r[in.args().get(0)];
            Object a = r[in.args().get(1)], b = r[in.args().get(2)];
            if (a instanceof boolean[] x) ScalarOps.where(c, x, (boolean[]) b, (boolean[]) r[k], len);
            else ScalarOps.where(c, (float[]) a, (float[]) b, (float[]) r[k], len);
            return;
        }
        float[] a = (float[]) r[in.args().get(0)];
        switch (op) {
            case NEG, ABS, SQRT -> ScalarOps.unary(op, a, (float[]) r[k], len);
            case ADD, SUB, MUL, DIV, MAX, MIN -> ScalarOps.binary(op, a, (float[]) r[in.args().get(1)], (float[]) r[k], len);
            case EQ, NE, LT, LE, GT, GE -> ScalarOps.compare(op, a, (float[]) r[in.args().get(1)], (boolean[]) r[k], len);
            default -> throw new IllegalStateException("KernelInterpreter: no instruction for " + op + " (decompose it first)");
        }
    }

    /** Ops on masks, as the generated code renders them: max is or, min is and, a > b is a and not b. */
    private static void maskOp(Op op, boolean[] a, boolean[] b, boolean[] r, int len) {
        switch (op) {
            case LOGICAL_NOT -> { for (int j = 0; j < len; j++) r[j] = !a[j]; }
            case MAX -> { for (int j = 0; j < len; j++) r[j] = a[j] | b[j]; }
            case MIN -> { for (int j = 0; j < len; j++) r[j] = a[j] & b[j]; }
            case EQ -> { for (int j = 0; j < len; j++) r[j] = a[j] == b[j]; }
            case NE -> { for (int j = 0; j < len; j++) r[j] = a[j] != b[j]; }
            case GT -> { for (int j = 0; j < len; j++) r[j] = a[j] & !b[j]; }
            case LE -> { for (int j = 0; j < len; j++) r[j] = !(a[j] & !b[j]); }
            case LT -> { for (int j = 0; j < len; j++) r[j] = b[j] & !a[j]; }
            case GE -> { for (int j = 0; j < len; j++) r[j] = !(b[j] & !a[j]); }
            default -> throw new IllegalStateException("KernelInterpreter: no instruction for " + op + " on bool values");
        }
    }
}
