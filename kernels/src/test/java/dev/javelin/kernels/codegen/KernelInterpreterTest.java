package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.kernels.ir.WinogradKernels;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The interpreter tier gives the generated code's bits: every float32 op the eager loops generate,
 * the comparisons, selects and mask logic, fused chains with transcendentals, row and column
 * reductions (the rotating accumulators, the masked tail, the lane tree), in every access pattern,
 * on lengths around the vector's and on special values (NaN, infinities, signed zeros, subnormals,
 * the huge arguments of sin's long reduction).
 */
class KernelInterpreterTest {
    private static final DType F = DType.FLOAT32, B = DType.BOOL;
    private static final int LANES = KernelSupport.S.length();
    private static final int[] LENGTHS = {0, 1, LANES - 1, LANES, 4 * LANES, 4 * LANES + 1, 5 * LANES + 3, 300, 1031};
    private static final Op[] UNARY = {Op.EXP, Op.LOG, Op.TANH, Op.SIGMOID, Op.ERF, Op.SIN, Op.COS, Op.NEG, Op.ABS, Op.SQRT,
        Op.RELU, Op.RECIPROCAL, Op.SIGN, Op.FLOOR, Op.CEIL, Op.ROUND};
    private static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN, Op.POW};
    private static final Op[] COMPARE = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE};

    @Test
    void everyElementwiseOpInEveryLayout() {
        Random r = new Random(7);
        for (Op op : UNARY) {
            for (Access a : Access.values()) check(elementwise(op, F, a), r);
        }
        for (Op op : BINARY) {
            for (Access a : Access.values()) {
                check(elementwise(op, F, Access.CONTIGUOUS, a), r);
                check(elementwise(op, F, a, Access.CONTIGUOUS), r);
            }
        }
        for (Op op : COMPARE) check(elementwise(op, B, Access.CONTIGUOUS, Access.STRIDED), r);
    }

    @Test
    void selectsAndMaskLogic() {
        Random r = new Random(11);
        for (Access a : Access.values()) {
            check(new KernelIR("E_where", Mode.ELEMENTWISE, null, loads(B, a, F, Access.CONTIGUOUS, F, Access.BROADCAST),
                    List.of(Instr.load(0, B), Instr.load(1, F), Instr.load(2, F), Instr.op(Op.WHERE, List.of(0, 1, 2), F)), F), r);
        }
        for (Op op : new Op[] {Op.MAX, Op.MIN, Op.EQ, Op.NE, Op.GT, Op.LE, Op.LT, Op.GE}) {
            check(new KernelIR("E_mask", Mode.ELEMENTWISE, null, loads(B, Access.CONTIGUOUS, B, Access.STRIDED),
                    List.of(Instr.load(0, B), Instr.load(1, B), Instr.op(op, List.of(0, 1), B)), B), r);
        }
        check(new KernelIR("E_not", Mode.ELEMENTWISE, null, loads(B, Access.BROADCAST),
                List.of(Instr.load(0, B), Instr.op(Op.LOGICAL_NOT, List.of(0), B)), B), r);
    }

    @Test
    void fusedChainsAndReductions() {
        Random r = new Random(13);
        // tanh(x * a + b) * sigmoid(x): the chain of the JIT's benchmark, a broadcast a
        KernelIR chain = new KernelIR("E_chain", Mode.ELEMENTWISE, null, loads(F, Access.CONTIGUOUS, F, Access.BROADCAST, F, Access.STRIDED),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F), Instr.load(2, F),
                        Instr.op(Op.ADD, List.of(2, 3), F), Instr.op(Op.TANH, List.of(4), F), Instr.op(Op.SIGMOID, List.of(0), F),
                        Instr.op(Op.MUL, List.of(5, 6), F)), F);
        check(chain, r);
        KernelIR expSub = new KernelIR("E_exp_sub", Mode.ELEMENTWISE, null, loads(F, Access.CONTIGUOUS, F, Access.BROADCAST),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.SUB, List.of(0, 1), F), Instr.op(Op.EXP, List.of(2), F)), F);
        for (Op reduce : new Op[] {Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN}) {
            check(new KernelIR("R_x", Mode.REDUCE_ROW, reduce, loads(F, Access.STRIDED),
                    List.of(Instr.load(0, F), Instr.op(Op.NEG, List.of(0), F)), F), r);
            check(new KernelIR("C_x", Mode.REDUCE_COLUMNS, reduce, loads(F, Access.CONTIGUOUS, F, Access.BROADCAST),
                    List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F), r);
            check(expSub.reducingAndStoring(reduce, "R_and_store"), r);
        }
    }

    @Test
    void severalResultsOfOneLoop() {
        Random r = new Random(17);
        // an LSTM-like step: i = sigmoid(x), g = tanh(y), c' = c * i + g stored beside i and g; a broadcast and a strided slot
        for (Access a : Access.values()) {
            check(KernelIR.multiOutput("E_cell", loads(F, Access.CONTIGUOUS, F, a, F, Access.CONTIGUOUS),
                    List.of(Instr.load(0, F), Instr.op(Op.SIGMOID, List.of(0), F), Instr.load(1, F), Instr.op(Op.TANH, List.of(2), F),
                            Instr.load(2, F), Instr.op(Op.MUL, List.of(4, 1), F), Instr.op(Op.ADD, List.of(5, 3), F)),
                    List.of(1, 3, 6)), r);
        }
        // a result that is a load (a copy) and one that is a constant
        check(KernelIR.multiOutput("E_copy_const", loads(F, Access.STRIDED),
                List.of(Instr.load(0, F), Instr.prim(KernelIR.Prim.CONST, List.of(), F, Float.floatToRawIntBits(0.25f))), List.of(0, 1)), r);
    }

    @Test
    void recurrentCellKernels() {
        Random r = new Random(19);
        Activation[][] pairs = {{Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.HARD_SIGMOID}, {Activation.LINEAR, Activation.TANH}};
        for (Cell cell : Cell.values()) {
            for (Activation[] p : pairs) {
                for (CellStep step : List.of(RecurrentCells.forward(cell, p[0], p[1]), RecurrentCells.backward(cell, p[0], p[1]))) {
                    for (CellStep.Phase phase : step.phases()) if (phase instanceof CellStep.Kernel k) check(k.ir(), r);
                }
            }
        }
    }

    @Test
    void winogradTransforms() {
        Random r = new Random(23);
        for (WinogradKernels.Transform t : List.of(WinogradKernels.FILTER, WinogradKernels.FILTER_GRADIENT)) {
            assertEquals(t.ir().inputSlots() + t.ir().outputs(), t.slots().size(), t.ir().name());
            check(t.ir(), r);
        }
    }

    /** Runs {@code ir}'s generated code and its interpreter on the same random data; asserts the same bits. */
    private static void check(KernelIR ir, Random r) {
        FusedKernel generated = ((TieredKernel) CpuCodegen.compile(ir).kernel()).generatedCode();
        FusedKernel interpreter = new KernelInterpreter(ir, LANES);
        for (int n : LENGTHS) {
            int outs = ir.outputs(), slots = ir.inputSlots() + outs;
            Object[] a = new Object[slots], b = new Object[slots];
            int[] offsets = new int[slots];
            int[][] maps = new int[slots][];
            for (int s = 0; s < ir.inputSlots(); s++) {
                KernelIR.Load load = ir.loads().get(s);
                int stride = load.access() == Access.STRIDED ? 3 : 1;
                int length = load.access() == Access.BROADCAST ? 3 : 2 + n * stride;
                offsets[s] = load.access() == Access.BROADCAST ? r.nextInt(3) : 2;
                a[s] = b[s] = load.dtype() == B ? bools(length, r) : floats(length, r);
                if (load.access() == Access.STRIDED) maps[s] = KernelSupport.gatherMap(stride, n);
            }
            boolean boolOut = ir.outDtype() == B && ir.mode() == Mode.ELEMENTWISE;
            for (int s = ir.inputSlots(); s < slots; s++) {
                offsets[s] = 1 + s - ir.inputSlots();
                a[s] = boolOut ? new boolean[n + 1 + outs] : floats(n + 1 + outs, new Random(n + s));
                b[s] = boolOut ? new boolean[n + 1 + outs] : floats(n + 1 + outs, new Random(n + s));
            }
            String what = ir.name() + " " + ir.loads() + " n=" + n;
            if (ir.mode() == Mode.REDUCE_ROW) {
                float x = generated.reduce(a, offsets, maps, n), y = interpreter.reduce(b, offsets, maps, n);
                assertSameBits(x, y, what);
                if (!ir.storesValue()) continue;
            } else {
                generated.run(a, offsets, maps, n);
                interpreter.run(b, offsets, maps, n);
            }
            for (int s = ir.inputSlots(); s < slots; s++) {
                if (boolOut) {
                    assertArrayEquals((boolean[]) a[s], (boolean[]) b[s], what);
                } else {
                    float[] x = (float[]) a[s], y = (float[]) b[s];
                    for (int i = 0; i < x.length; i++) assertSameBits(x[i], y[i], what + " slot " + s + " at " + i);
                }
            }
        }
    }

    /** Bit for bit, except that NaNs compare by being NaN: their payload is not part of the contract (BitIdentityTest). */
    private static void assertSameBits(float x, float y, String what) {
        if (Float.floatToRawIntBits(x) != Float.floatToRawIntBits(y) && !(Float.isNaN(x) && Float.isNaN(y))) {
            fail(what + ": generated " + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + "), interpreted " + y
                    + " (0x" + Integer.toHexString(Float.floatToRawIntBits(y)) + ")");
        }
    }

    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
        -1e-40f, 1e30f, -3e38f, 60000f, -1e7f, 88.7f, -104f, 0.5f, -0.5f, 1f, 2.5f};

    private static float[] floats(int length, Random r) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = r.nextInt(6) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 4);
        }
        return x;
    }

    private static boolean[] bools(int length, Random r) {
        boolean[] x = new boolean[length];
        for (int i = 0; i < length; i++) x[i] = r.nextBoolean();
        return x;
    }

    private static KernelIR elementwise(Op op, DType out, Access... access) {
        List<KernelIR.Load> loads = new ArrayList<>();
        List<Instr> body = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        for (int s = 0; s < access.length; s++) {
            loads.add(new KernelIR.Load(F, access[s]));
            body.add(Instr.load(s, F));
            args.add(s);
        }
        body.add(Instr.op(op, args, out));
        return new KernelIR("E_" + op.label(), Mode.ELEMENTWISE, null, loads, body, out);
    }

    private static List<KernelIR.Load> loads(Object... typeAndAccess) {
        List<KernelIR.Load> loads = new ArrayList<>();
        for (int i = 0; i < typeAndAccess.length; i += 2) loads.add(new KernelIR.Load((DType) typeAndAccess[i], (Access) typeAndAccess[i + 1]));
        return loads;
    }
}
