package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.CpuCodegen;
import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.codegen.KernelInterpreter;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.ReductionOrder;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The eager float32 loops are kernels generated from the kernel IR, by the code generator and the
 * decompositions the JIT uses: one kernel per op and operand layout, generated on first use and kept.
 * So an eager result has the bits of a compiled program's, in every layout and every JIT tier, and
 * no op's arithmetic is written twice. A dense operand is read in place, a broadcast one (stride 0)
 * as one value (an elementwise op's caller copies a strided input dense first; a reduction gathers a strided
 * row), and a strided output is written through a dense row, scattered after.
 * Without the Vector API the same kernels are evaluated in plain Java ({@link KernelInterpreter}), with the
 * same bits.
 *
 * <pre>{@code
 * GeneratedLoops.unary(Op.TANH, x, 0, 1, out, 0, 1, x.length);
 * }</pre>
 */
final class GeneratedLoops {
    private static final int[][] NO_MAPS = new int[4][];
    /** By {@code 8 op + variant} (see {@link #elementwise} and {@link #reduction}); {@link #scaledAdd} last. */
    private static final AtomicReferenceArray<FusedKernel> KERNELS = new AtomicReferenceArray<>(8 * Op.values().length + 1);

    private GeneratedLoops() {}

    /** {@code out[oo + i * os] = op(x[xo + i * xs])} for {@code i < n}: x dense or broadcast ({@code xs} 1 or 0), any {@code os}. */
    static void unary(Op op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        elementwise(op, 0, new Object[] {x, out}, new int[] {xo, oo}, new int[] {xs}, os, n);
    }

    /**
     * {@code out[oo + i * os] = op(a[ao + i * as], b[bo + i * bs])}: the arithmetic ops into a {@code float[]},
     * the comparisons into a {@code boolean[]}; a and b dense or broadcast, any {@code os}.
     */
    static void binary(Op op, float[] a, int ao, int as, float[] b, int bo, int bs, Object out, int oo, int os, int n) {
        elementwise(op, 0, new Object[] {a, b, out}, new int[] {ao, bo, oo}, new int[] {as, bs}, os, n);
    }

    /** {@code out[oo + i * os] = c[...] ? a[...] : b[...]}: c, a and b dense or broadcast, any {@code os}. */
    static void where(boolean[] c, int co, int cs, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        elementwise(Op.WHERE, 0, new Object[] {c, a, b, out}, new int[] {co, ao, bo, oo}, new int[] {cs, as, bs}, os, n);
    }

    /** {@code out[oo + i * os] = x[xo + i * xs]} cast between bool and float32 by the IR's CAST (1 or 0; {@code != 0}): x dense or broadcast. */
    static void cast(Object x, int xo, int xs, Object out, int oo, int os, int n) {
        elementwise(Op.CAST, out instanceof boolean[] ? 2 : 0, new Object[] {x, out}, new int[] {xo, oo}, new int[] {xs}, os, n);
    }

    /**
     * One op over {@code arrays} (operands, then the output, each a {@code float[]} or {@code boolean[]}, which
     * decides its dtype), operand k read in place ({@code strides[k]} 1) or as one value (0; a strided operand is
     * the caller's to copy), the output written with stride {@code os} (through a dense row, scattered after,
     * when it is not 1). The kernel is kept at {@code 8 op + variant + layout bits} (bit k: operand k is
     * broadcast); {@code variant} tells apart dtypes the op does not decide (a cast's direction).
     */
    private static void elementwise(Op op, int variant, Object[] arrays, int[] offsets, int[] strides, int os, int n) {
        int layout = 0;
        for (int s = 0; s < strides.length; s++) {
            if ((strides[s] & ~1) != 0) throw new IllegalArgumentException("GeneratedLoops: an operand's stride must be 1 or 0, got " + strides[s]);
            if (strides[s] == 0) layout |= 1 << s;
        }
        int broadcast = layout;
        FusedKernel k = kernel(8 * op.ordinal() + variant + layout, () -> elementwise(op, arrays, broadcast));
        int last = arrays.length - 1;
        if (os == 1) {
            k.run(arrays, offsets, NO_MAPS, n);
            return;
        }
        Object out = arrays[last], row = java.lang.reflect.Array.newInstance(out.getClass().getComponentType(), n);
        int oo = offsets[last];
        arrays[last] = row;
        offsets[last] = 0;
        k.run(arrays, offsets, NO_MAPS, n);
        for (int i = 0; i < n; i++) System.arraycopy(row, i, out, oo + i * os, 1);
    }

    /**
     * {@code acc (op) the reduction of x[xo + i * xs], i < n} for REDUCE_SUM, REDUCE_MAX, REDUCE_MIN:
     * the JIT's row-reduction kernel, so a row sums in the same order (four rotating accumulators, a
     * masked tail, a fixed lane tree) eager and compiled, dense or strided.
     */
    static float reduce(Op op, float[] x, int xo, int xs, int n, float acc) {
        if (xs != 1) {
            x = gather(x, xo, xs, n);
            xo = 0;
        }
        return ReductionOrder.combine(op, acc, reduction(op, Mode.REDUCE_ROW).reduce(new Object[] {x}, new int[] {xo}, NO_MAPS, n));
    }

    /** {@code acc[ao + i] = op(acc[ao + i], x[xo + i * xs])} for REDUCE_SUM/MAX/MIN: the JIT's column-reduction kernel. */
    static void accumulate(Op op, float[] x, int xo, int xs, float[] acc, int ao, int n) {
        if (xs != 1) {
            x = gather(x, xo, xs, n);
            xo = 0;
        }
        accumulateRows(op, x, xo, 0, 1, acc, ao, n);
    }

    /**
     * {@link #accumulate} of {@code rows} dense rows in order, row r at {@code xo + r * rowStride}: the
     * JIT's column-reduction kernel over its rows in one call ({@link FusedKernel#runRows}).
     */
    static void accumulateRows(Op op, float[] x, int xo, int rowStride, int rows, float[] acc, int ao, int n) {
        reduction(op, Mode.REDUCE_COLUMNS).runRows(new Object[] {x, acc}, new int[] {xo, ao}, NO_MAPS, n, new int[] {rowStride, 0}, rows);
    }

    /** The row ({@code REDUCE_ROW}) or column ({@code REDUCE_COLUMNS}) kernel of REDUCE_SUM, REDUCE_MAX or REDUCE_MIN over one float32 load. */
    private static FusedKernel reduction(Op op, Mode mode) {
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw new IllegalArgumentException("cpu-vector: " + op + " is not a float reduction (expected REDUCE_SUM, REDUCE_MAX or REDUCE_MIN)");
        }
        return kernel(8 * op.ordinal() + mode.ordinal(), () -> new KernelIR((mode == Mode.REDUCE_ROW ? "R_" : "C_") + op.label(), mode, op,
                List.of(new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS)), List.of(Instr.load(0, DType.FLOAT32)), DType.FLOAT32));
    }

    /** {@code y[yo + i] = fma(s[so], x[xo + i], y[yo + i])} for {@code i < n}, rounded once (a weighted row added in). */
    static void scaledAdd(float[] s, int so, float[] x, int xo, float[] y, int yo, int n) {
        FusedKernel k = kernel(8 * Op.values().length, () -> new KernelIR("E_fma", Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(DType.FLOAT32, Access.BROADCAST), new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS),
                        new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS)),
                List.of(Instr.load(0, DType.FLOAT32), Instr.load(1, DType.FLOAT32), Instr.load(2, DType.FLOAT32),
                        Instr.prim(KernelIR.Prim.FMA, List.of(0, 1, 2), DType.FLOAT32, 0)), DType.FLOAT32));
        k.run(new Object[] {s, x, y, y}, new int[] {so, xo, yo, yo}, NO_MAPS, n);
    }

    private static float[] gather(float[] x, int xo, int xs, int n) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) row[i] = x[xo + i * xs];
        return row;
    }

    /** One op over loads of the operands' dtypes, operand k broadcast where bit k of {@code layout} is set. */
    private static KernelIR elementwise(Op op, Object[] arrays, int layout) {
        List<KernelIR.Load> loads = new ArrayList<>();
        List<Instr> body = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        for (int s = 0; s < arrays.length - 1; s++) {
            DType type = arrays[s] instanceof boolean[] ? DType.BOOL : DType.FLOAT32;
            loads.add(new KernelIR.Load(type, (layout >> s & 1) != 0 ? Access.BROADCAST : Access.CONTIGUOUS));
            body.add(Instr.load(s, type));
            args.add(s);
        }
        DType out = arrays[arrays.length - 1] instanceof boolean[] ? DType.BOOL : DType.FLOAT32;
        body.add(Instr.op(op, args, out));
        return new KernelIR("E_" + op.label(), Mode.ELEMENTWISE, null, loads, body, out);
    }

    private static FusedKernel kernel(int index, java.util.function.Supplier<KernelIR> ir) {
        FusedKernel k = KERNELS.get(index);
        if (k != null) return k;
        k = compile(ir.get());
        return KERNELS.compareAndSet(index, null, k) ? k : KERNELS.get(index);
    }

    /** The kernel of {@code ir}: generated Vector API code, or its body evaluated in plain Java where the Vector API is off. */
    static FusedKernel compile(KernelIR ir) {
        return VectorSupport.enabled() ? CpuCodegen.compile(ir).kernel() : new KernelInterpreter(ir, VectorSupport.lanes());
    }
}
