package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.KernelTable;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.Arrays;
import java.util.List;

/**
 * A kernel run by evaluating its decomposed body in plain Java, position by position: the kernel IR's
 * executable definition, and the CPU's kernels where the Vector API is absent. Each instruction is the
 * IEEE (or int32, or mask) operation the Vector API method {@link VectorInstructions} writes for it
 * performs per lane, so every position gets the bits the generated loop gives it; a row reduction
 * combines in the generated loop's order for vectors of {@code lanes} lanes (four rotating
 * accumulators, the rest into the first, a partial last vector padded with the identity, a fixed lane
 * tree), so a sum gets those bits too where the vector width is the same.
 *
 * <pre>{@code
 * FusedKernel k = new ScalarKernel(ir, 16);   // what CpuCodegen.compile(ir).kernel() computes, without FloatVector
 * }</pre>
 */
public final class ScalarKernel implements FusedKernel {
    /** Positions evaluated per pass over the body: each instruction runs over a block, then the next. */
    private static final int BLOCK = 64;
    private static final int ACCUMULATORS = 4;
    private final KernelIR ir;
    private final int lanes;

    /** {@code ir} as it is written (its transcendentals are decomposed here), summed as vectors of {@code lanes} would be. */
    public ScalarKernel(KernelIR ir, int lanes) {
        this.ir = Decompositions.apply(ir);
        this.lanes = lanes;
    }

    @Override
    public void run(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (ir.mode() == Mode.REDUCE_ROW) FusedKernel.super.run(arrays, offsets, maps, n);
        evaluate(arrays, offsets, maps, n, null);
    }

    @Override
    public float reduce(Object[] arrays, int[] offsets, int[][] maps, int n) {
        if (ir.mode() != Mode.REDUCE_ROW) return FusedKernel.super.reduce(arrays, offsets, maps, n);
        float identity = switch (ir.reduceOp()) {
            case REDUCE_SUM -> 0f;
            case REDUCE_MAX -> Float.NEGATIVE_INFINITY;
            default -> Float.POSITIVE_INFINITY;
        };
        float[][] acc = new float[ACCUMULATORS][lanes];
        for (float[] a : acc) Arrays.fill(a, identity);
        evaluate(arrays, offsets, maps, n, acc);
        for (int l = n % lanes; l > 0 && l < lanes; l++) acc[0][l] = combine(acc[0][l], identity); // the masked tail's idle lanes
        float[] t = new float[lanes];
        for (int l = 0; l < lanes; l++) t[l] = combine(combine(acc[0][l], acc[1][l]), combine(acc[2][l], acc[3][l]));
        if (ir.reduceOp() != Op.REDUCE_SUM) {
            float r = t[0];
            for (int l = 1; l < lanes; l++) r = combine(r, t[l]); // max and min do not depend on the order
            return r;
        }
        for (int w = lanes / 2; w >= 1; w /= 2) for (int l = 0; l < w; l++) t[l] = t[l] + t[l + w];
        return t[0];
    }

    private float combine(float a, float b) {
        return switch (ir.reduceOp()) {
            case REDUCE_SUM -> a + b;
            case REDUCE_MAX -> Math.max(a, b);
            default -> Math.min(a, b);
        };
    }

    /** The body over positions {@code [0, n)} block by block; the result stored, combined into the output, or into {@code acc}. */
    private void evaluate(Object[] arrays, int[] offsets, int[][] maps, int n, float[][] acc) {
        List<Instr> body = ir.body();
        int size = body.size(), block = Math.min(BLOCK, n), out = ir.inputSlots();
        Object[] v = new Object[size];
        for (int k = 0; k < size; k++) {
            v[k] = switch (body.get(k).dtype()) {
                case BOOL -> new boolean[block];
                case INT32 -> new int[block];
                default -> new float[block];
            };
        }
        int wholeBlocks = n - n % (ACCUMULATORS * lanes);
        for (int start = 0; start < n; start += block) {
            int len = Math.min(block, n - start);
            for (int k = 0; k < size; k++) {
                Instr in = body.get(k);
                if (in.load()) {
                    load(in, arrays[in.slot()], offsets[in.slot()], maps[in.slot()], start, len, v[k]);
                } else if (in.prim() == KernelIR.Prim.IF_ANY) { // the region is skipped where no position needs it
                    boolean[] mask = (boolean[]) v[in.args().get(0)], copy = (boolean[]) v[k];
                    boolean any = false;
                    for (int j = 0; j < len; j++) any |= copy[j] = mask[j];
                    if (!any) k += in.constant();
                } else {
                    instruction(in, v, k, len);
                }
            }
            Object result = v[size - 1];
            if (ir.mode() == Mode.ELEMENTWISE || ir.storesValue()) System.arraycopy(result, 0, arrays[out], offsets[out] + start, len);
            float[] r = result instanceof float[] f ? f : null;
            if (ir.mode() == Mode.REDUCE_COLUMNS) {
                float[] o = (float[]) arrays[out];
                for (int j = 0, at = offsets[out] + start; j < len; j++, at++) o[at] = combine(o[at], r[j]);
            } else if (acc != null) {
                for (int j = 0; j < len; j++) {
                    int i = start + j, l = i % lanes;
                    float[] a = acc[i < wholeBlocks ? (i / lanes) % ACCUMULATORS : 0];
                    a[l] = combine(a[l], r[j]);
                }
            }
        }
    }

    /** Slot {@code in.slot()} at positions {@code start..start+len}: in place, one value for all, or through its gather map. */
    private void load(Instr in, Object array, int offset, int[] map, int start, int len, Object target) {
        KernelIR.Access access = ir.loads().get(in.slot()).access();
        for (int j = 0; j < len; j++) {
            int at = offset + switch (access) {
                case CONTIGUOUS -> start + j;
                case BROADCAST -> 0;
                case STRIDED -> map[start + j];
            };
            if (target instanceof boolean[] t) t[j] = ((boolean[]) array)[at];
            else ((float[]) target)[j] = ((float[]) array)[at];
        }
    }

    /** Instruction {@code k} over the first {@code len} positions of the block. */
    private void instruction(Instr in, Object[] v, int k, int len) {
        List<Integer> a = in.args();
        Object x = a.isEmpty() ? null : v[a.get(0)], y = a.size() < 2 ? null : v[a.get(1)], z = a.size() < 3 ? null : v[a.get(2)];
        if (in.prim() != null) {
            prim(in, x, y, z, v[k], len);
        } else if (in.op() == Op.WHERE) {
            boolean[] c = (boolean[]) x;
            if (v[k] instanceof boolean[] r) {
                boolean[] p = (boolean[]) y, q = (boolean[]) z;
                for (int j = 0; j < len; j++) r[j] = c[j] ? p[j] : q[j];
            } else {
                float[] p = (float[]) y, q = (float[]) z, r = (float[]) v[k];
                for (int j = 0; j < len; j++) r[j] = c[j] ? p[j] : q[j];
            }
        } else if (x instanceof boolean[] p) {
            boolean[] q = (boolean[]) y, r = (boolean[]) v[k];
            for (int j = 0; j < len; j++) r[j] = mask(in.op(), p[j], q == null ? false : q[j]);
        } else if (in.dtype() == DType.BOOL) {
            float[] p = (float[]) x, q = (float[]) y;
            boolean[] r = (boolean[]) v[k];
            for (int j = 0; j < len; j++) r[j] = compare(in.op(), p[j], q[j]);
        } else {
            float[] p = (float[]) x, q = (float[]) y, r = (float[]) v[k];
            for (int j = 0; j < len; j++) r[j] = arithmetic(in.op(), p[j], q == null ? 0f : q[j]);
        }
    }

    private static void prim(Instr in, Object x, Object y, Object z, Object target, int len) {
        int c = in.constant();
        switch (in.prim()) {
            case CONST -> {
                if (target instanceof int[] t) Arrays.fill(t, 0, len, c);
                else Arrays.fill((float[]) target, 0, len, Float.intBitsToFloat(c));
            }
            case FMA -> {
                float[] p = (float[]) x, q = (float[]) y, r = (float[]) z, t = (float[]) target;
                for (int j = 0; j < len; j++) t[j] = Math.fma(p[j], q[j], r[j]);
            }
            case BITS -> {
                float[] p = (float[]) x;
                int[] t = (int[]) target;
                for (int j = 0; j < len; j++) t[j] = Float.floatToRawIntBits(p[j]);
            }
            case FROM_BITS, TO_FLOAT -> {
                int[] p = (int[]) x;
                float[] t = (float[]) target;
                boolean bits = in.prim() == KernelIR.Prim.FROM_BITS;
                for (int j = 0; j < len; j++) t[j] = bits ? Float.intBitsToFloat(p[j]) : (float) p[j];
            }
            case TABLE -> {
                float[] entries = KernelTable.entries(c), t = (float[]) target;
                int[] p = (int[]) x;
                for (int j = 0; j < len; j++) t[j] = entries[p[j]];
            }
            case AND, OR -> {
                boolean[] p = (boolean[]) x, q = (boolean[]) y, t = (boolean[]) target;
                for (int j = 0; j < len; j++) t[j] = in.prim() == KernelIR.Prim.AND ? p[j] & q[j] : p[j] | q[j];
            }
            default -> { // int32 arithmetic and shifts
                int[] p = (int[]) x, q = (int[]) y, t = (int[]) target;
                for (int j = 0; j < len; j++) {
                    t[j] = switch (in.prim()) {
                        case IADD -> p[j] + q[j];
                        case ISUB -> p[j] - q[j];
                        case IAND -> p[j] & q[j];
                        case IOR -> p[j] | q[j];
                        case SHL -> p[j] << c;
                        case SHR -> p[j] >> c;
                        case USHR -> p[j] >>> c;
                        default -> throw new IllegalStateException("ScalarKernel: no meaning for " + in.prim());
                    };
                }
            }
        }
    }

    /** The float32 ops a decomposed body holds, as the Vector API's lanewise operations compute them. */
    private static float arithmetic(Op op, float a, float b) {
        return switch (op) {
            case NEG -> -a;
            case ABS -> Math.abs(a);
            case SQRT -> (float) Math.sqrt(a);
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> throw new IllegalStateException("ScalarKernel: no float32 meaning for " + op + " (decompose it first)");
        };
    }

    private static boolean compare(Op op, float a, float b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalStateException("ScalarKernel: " + op + " is not a comparison");
        };
    }

    /** Ops on masks, as {@link VectorInstructions} writes them: max is or, min is and, {@code a > b} is {@code a and not b}. */
    private static boolean mask(Op op, boolean a, boolean b) {
        return switch (op) {
            case LOGICAL_NOT -> !a;
            case MAX -> a | b;
            case MIN -> a & b;
            case EQ -> a == b;
            case NE -> a != b;
            case GT -> a & !b;
            case LE -> !(a & !b);
            case LT -> b & !a;
            case GE -> !(b & !a);
            default -> throw new IllegalStateException("ScalarKernel: no meaning for " + op + " on bool values");
        };
    }
}
