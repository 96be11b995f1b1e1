package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.CpuCodegen;
import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The eager float32 transcendentals (pow included) and row reductions run kernels generated from the kernel IR, the same
 * decompositions and code generator the JIT uses: an eager result has the bits of a compiled
 * program's, in every layout (a strided row is gathered into a dense one first) and every JIT tier.
 * One kernel per op, generated on first use and kept.
 *
 * <pre>{@code
 * GeneratedLoops.unary(Op.TANH, x, 0, 1, out, 0, 1, x.length);
 * }</pre>
 */
final class GeneratedLoops {
    /** The unary ops whose eager loop is generated (the others are exact IEEE operations, the same bits written by hand). */
    static final Set<Op> UNARY = EnumSet.of(Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.ERF, Op.SIN, Op.COS);
    /** The binary ops whose eager loop is generated. */
    static final Set<Op> BINARY = EnumSet.of(Op.POW);
    private static final int[][] NO_MAPS = new int[3][];
    private static final AtomicReferenceArray<FusedKernel> KERNELS = new AtomicReferenceArray<>(Op.values().length);
    /** Binary kernels by op and by which operands are one broadcast value: index {@code 4 op + 2 aBroadcast + bBroadcast}. */
    private static final AtomicReferenceArray<FusedKernel> BINARY_KERNELS = new AtomicReferenceArray<>(4 * Op.values().length);

    private GeneratedLoops() {}

    /** {@code out[oo + i * os] = op(x[xo + i * xs])} for {@code i < n}, any strides. */
    static void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        FusedKernel k = kernel(op);
        if (xs == 1 && os == 1) {
            k.run(new Object[] {x, out}, new int[] {xo, oo}, NO_MAPS, n);
            return;
        }
        if (xs == 0) { // one value for the whole row
            float[] one = {x[xo]};
            k.run(new Object[] {one, one}, new int[2], NO_MAPS, 1);
            for (int i = 0; i < n; i++) out[oo + i * os] = one[0];
            return;
        }
        float[] row = new float[n];
        for (int i = 0; i < n; i++) row[i] = x[xo + i * xs];
        k.run(new Object[] {row, row}, new int[2], NO_MAPS, n);
        for (int i = 0; i < n; i++) out[oo + i * os] = row[i];
    }

    /**
     * {@code out[oo + i * os] = op(a[ao + i * as], b[bo + i * bs])} for {@code i < n}, any strides: a
     * dense or broadcast operand is read in place, a strided one gathered into a dense row first.
     */
    static void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        if (as != 0 && as != 1) {
            a = gather(a, ao, as, n);
            ao = 0;
            as = 1;
        }
        if (bs != 0 && bs != 1) {
            b = gather(b, bo, bs, n);
            bo = 0;
            bs = 1;
        }
        FusedKernel k = binaryKernel(op, as == 0, bs == 0);
        if (os == 1) {
            k.run(new Object[] {a, b, out}, new int[] {ao, bo, oo}, NO_MAPS, n);
            return;
        }
        float[] row = new float[n];
        k.run(new Object[] {a, b, row}, new int[] {ao, bo, 0}, NO_MAPS, n);
        for (int i = 0; i < n; i++) out[oo + i * os] = row[i];
    }

    private static float[] gather(float[] x, int xo, int xs, int n) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) row[i] = x[xo + i * xs];
        return row;
    }

    private static FusedKernel binaryKernel(Op op, boolean aBroadcast, boolean bBroadcast) {
        int index = 4 * op.ordinal() + (aBroadcast ? 2 : 0) + (bBroadcast ? 1 : 0);
        FusedKernel k = BINARY_KERNELS.get(index);
        if (k != null) return k;
        if (!BINARY.contains(op)) throw new IllegalArgumentException("cpu-vector: no generated loop for " + op);
        List<KernelIR.Load> loads = List.of(new KernelIR.Load(DType.FLOAT32, aBroadcast ? Access.BROADCAST : Access.CONTIGUOUS),
                new KernelIR.Load(DType.FLOAT32, bBroadcast ? Access.BROADCAST : Access.CONTIGUOUS));
        KernelIR ir = new KernelIR("E_" + op.label(), KernelIR.Mode.ELEMENTWISE, null, loads,
                List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.op(op, List.of(0, 1), DType.FLOAT32)), DType.FLOAT32);
        k = CpuCodegen.compile(ir).kernel();
        return BINARY_KERNELS.compareAndSet(index, null, k) ? k : BINARY_KERNELS.get(index);
    }

    /**
     * {@code acc (op) the reduction of x[xo + i * xs], i < n} for REDUCE_SUM, REDUCE_MAX, REDUCE_MIN:
     * the JIT's row-reduction kernel, so a row sums in the same order (four rotating accumulators, a
     * masked tail, a fixed lane tree) eager and compiled, dense or strided.
     */
    static float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        FusedKernel k = kernel(op);
        float r;
        if (xs == 1) {
            r = k.reduce(new Object[] {x}, new int[] {xo}, NO_MAPS, n);
        } else {
            float[] row = new float[n];
            for (int i = 0; i < n; i++) row[i] = x[xo + i * xs];
            r = k.reduce(new Object[] {row}, new int[1], NO_MAPS, n);
        }
        return switch (op) {
            case REDUCE_SUM -> acc + r;
            case REDUCE_MAX -> Math.max(acc, r);
            default -> Math.min(acc, r);
        };
    }

    private static FusedKernel kernel(Op op) {
        FusedKernel k = KERNELS.get(op.ordinal());
        if (k != null) return k;
        List<KernelIR.Load> load = List.of(new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS));
        KernelIR ir;
        if (UNARY.contains(op)) {
            ir = new KernelIR("E_" + op.label(), KernelIR.Mode.ELEMENTWISE, null, load,
                    List.of(Instr.load(0, DType.FLOAT32), Instr.op(op, List.of(0), DType.FLOAT32)), DType.FLOAT32);
        } else if (op == Op.REDUCE_SUM || op == Op.REDUCE_MAX || op == Op.REDUCE_MIN) {
            ir = new KernelIR("R_" + op.label(), KernelIR.Mode.REDUCE_ROW, op, load, List.of(Instr.load(0, DType.FLOAT32)), DType.FLOAT32);
        } else {
            throw new IllegalArgumentException("cpu-vector: no generated loop for " + op);
        }
        k = CpuCodegen.compile(ir).kernel();
        return KERNELS.compareAndSet(op.ordinal(), null, k) ? k : KERNELS.get(op.ordinal());
    }
}
