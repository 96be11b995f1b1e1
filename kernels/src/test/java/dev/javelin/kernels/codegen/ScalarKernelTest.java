package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scalar fallback's kernels ({@link ScalarKernel}: the decomposed body evaluated in plain Java)
 * give the generated Vector API kernels' bits, for every float32 op the eager loops run, on values
 * across the float range and the special ones, at sizes with and without a tail, for every access
 * kind; and row and column reductions sum in the same order (the vector width is this JVM's). A NaN
 * is compared as a NaN: which payload it carries is left open by Java (it follows the machine
 * instruction's operand order), and no result depends on it.
 */
class ScalarKernelTest {
    private static final DType F = DType.FLOAT32;
    private static final int[] SIZES = {1, 15, 16, 17, 63, 64, 65, 129, 1003};
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, 2f, 0.5f, -2.5f, 3f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, Float.MIN_VALUE, -Float.MIN_NORMAL, Float.MAX_VALUE, 88.7f, -104f, 0.625f, 1e-30f, 60000f, -3.0e30f};

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "compares against the generated Vector API kernels");
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (random.nextInt(4)) {
                case 0 -> SPECIAL[random.nextInt(SPECIAL.length)];
                case 1 -> Float.intBitsToFloat(random.nextInt()); // any bit pattern
                case 2 -> (random.nextFloat() - 0.5f) * 20f;
                default -> (float) Math.scalb(random.nextFloat() - 0.5f, random.nextInt(40) - 20);
            };
        }
        return v;
    }

    /** {@code op} over loads of {@code types}, each with its access; the result is of {@code out}. */
    private static KernelIR kernel(Mode mode, Op op, List<DType> types, List<Access> access, DType out) {
        List<KernelIR.Load> loads = new ArrayList<>();
        List<Instr> body = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        for (int s = 0; s < types.size(); s++) {
            loads.add(new KernelIR.Load(types.get(s), access.get(s)));
            body.add(Instr.load(s, types.get(s)));
            args.add(s);
        }
        if (op != null) body.add(Instr.op(op, args, out));
        return new KernelIR("T_" + (op == null ? "load" : op.label()), mode, mode == Mode.ELEMENTWISE ? null : Op.REDUCE_SUM, loads, body, out);
    }

    private static Object output(DType t, int n) {
        return t == DType.BOOL ? new boolean[n + 3] : new float[n + 3];
    }

    private static void assertSameOutput(Object expected, Object actual, String what) {
        if (expected instanceof boolean[] e) {
            boolean[] a = (boolean[]) actual;
            for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], what + " at " + i);
            return;
        }
        float[] e = (float[]) expected, a = (float[]) actual;
        for (int i = 0; i < e.length; i++) {
            assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]), what + " at " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    /** Runs {@code ir} both ways on the same operands (slot s at offset s + 1, strided slots through a stride of 3). */
    private static void compare(KernelIR ir, Random random, int n) {
        FusedKernel generated = CpuCodegen.compile(ir).kernel(), scalar = new ScalarKernel(ir, KernelSupport.S.length());
        int slots = ir.inputSlots();
        Object[] in = new Object[slots];
        int[] offsets = new int[slots + 1];
        int[][] maps = new int[slots + 1][];
        for (int s = 0; s < slots; s++) {
            KernelIR.Load load = ir.loads().get(s);
            int stride = load.access() == Access.STRIDED ? 3 : 1, length = s + 1 + n * stride + 1;
            if (load.dtype() == DType.BOOL) {
                boolean[] b = new boolean[length];
                for (int i = 0; i < length; i++) b[i] = random.nextBoolean();
                in[s] = b;
            } else {
                in[s] = values(random, length);
            }
            offsets[s] = s + 1;
            if (load.access() == Access.STRIDED) maps[s] = KernelSupport.gatherMap(stride, n);
        }
        offsets[slots] = 2;
        Object expected = output(ir.outDtype(), n), actual = output(ir.outDtype(), n);
        if (ir.mode() == Mode.REDUCE_COLUMNS) {
            float[] start = values(random, n + 3);
            System.arraycopy(start, 0, expected, 0, n + 3);
            System.arraycopy(start, 0, actual, 0, n + 3);
        }
        Object[] a = new Object[slots + 1], b = new Object[slots + 1];
        System.arraycopy(in, 0, a, 0, slots);
        System.arraycopy(in, 0, b, 0, slots);
        a[slots] = expected;
        b[slots] = actual;
        String what = ir.name() + " " + ir.loads() + " n=" + n;
        if (ir.mode() == Mode.REDUCE_ROW) {
            float e = generated.reduce(a, offsets, maps, n), s = scalar.reduce(b, offsets, maps, n);
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(s), what + ": " + e + " vs " + s);
            if (!ir.storesValue()) return;
        } else {
            generated.run(a, offsets, maps, n);
            scalar.run(b, offsets, maps, n);
        }
        assertSameOutput(expected, actual, what);
    }

    @Test
    void everyEagerFloatOpGivesTheGeneratedKernelsBits() {
        Random random = new Random(12);
        List<Op> unary = List.of(Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.ERF, Op.SIN, Op.COS, Op.NEG, Op.ABS, Op.SQRT, Op.RELU,
                Op.RECIPROCAL, Op.SIGN, Op.FLOOR, Op.CEIL, Op.ROUND);
        for (Op op : unary) {
            for (Access access : Access.values()) {
                for (int n : SIZES) compare(kernel(Mode.ELEMENTWISE, op, List.of(F), List.of(access), F), random, n);
            }
        }
        List<Access> dense = List.of(Access.CONTIGUOUS, Access.CONTIGUOUS);
        for (Op op : List.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN, Op.POW, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE)) {
            DType out = op.isComparison() ? DType.BOOL : F;
            for (List<Access> access : List.of(dense, List.of(Access.STRIDED, Access.BROADCAST), List.of(Access.BROADCAST, Access.CONTIGUOUS))) {
                for (int n : SIZES) compare(kernel(Mode.ELEMENTWISE, op, List.of(F, F), access, out), random, n);
            }
        }
        for (int n : SIZES) {
            compare(kernel(Mode.ELEMENTWISE, Op.WHERE, List.of(DType.BOOL, F, F), List.of(Access.CONTIGUOUS, Access.BROADCAST, Access.STRIDED), F), random, n);
            compare(kernel(Mode.ELEMENTWISE, Op.LOGICAL_NOT, List.of(DType.BOOL), List.of(Access.STRIDED), DType.BOOL), random, n);
        }
    }

    @Test
    void reductionsCombineInTheGeneratedLoopsOrder() {
        Random random = new Random(13);
        for (Op reduce : List.of(Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN)) {
            for (int n : new int[] {1, 7, 16, 63, 64, 65, 127, 128, 129, 1000, 4099}) {
                for (Mode mode : List.of(Mode.REDUCE_ROW, Mode.REDUCE_COLUMNS)) {
                    KernelIR plain = kernel(mode, null, List.of(F), List.of(Access.CONTIGUOUS), F);
                    compare(new KernelIR("R_load", mode, reduce, plain.loads(), plain.body(), F), random, n);
                }
                // exp(x) stored and summed as it goes, as a row group's exp pass does
                KernelIR exp = kernel(Mode.ELEMENTWISE, Op.EXP, List.of(F), List.of(Access.STRIDED), F);
                compare(exp.reducingAndStoring(reduce, "R_exp"), random, n);
            }
        }
    }
}
