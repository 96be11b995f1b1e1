package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bytecode generator on hand-written kernel IR: every access kind, masked tails, reductions. */
class CodegenTest {
    private static final DType F = DType.FLOAT32;

    /** The generated code itself, not its interpreter tier (KernelInterpreterTest checks that the two agree). */
    private static FusedKernel generated(KernelIR ir) {
        return ((TieredKernel) CpuCodegen.compile(ir).kernel()).generatedCode();
    }

    private static KernelIR axpy(Access xAccess) {
        // out = relu(x * a + y) with a a broadcast scalar
        return new KernelIR("E_test", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(F, xAccess), new KernelIR.Load(F, Access.BROADCAST), new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F), Instr.load(2, F),
                        Instr.op(Op.ADD, List.of(2, 3), F), Instr.op(Op.RELU, List.of(4), F)), F);
    }

    @Test
    void generatedClassesAreHiddenAndPrintable() {
        CpuCodegen.Generated g = CpuCodegen.compile(axpy(Access.CONTIGUOUS));
        assertTrue(((TieredKernel) g.kernel()).generatedCode().getClass().isHidden(), "unloads with its last user");
        String text = g.text();
        assertTrue(text.contains("jdk/incubator/vector/FloatVector.fromArray"), text);
        assertTrue(text.contains("FloatVector.max"), text); // relu, written into the loop
        assertFalse(text.contains("KernelSupport.relu"), text);
        assertTrue(text.contains("private tail("), "the masked last vector in a method of its own: " + text);
    }

    @Test
    void elementwiseWithTailContiguousAndStrided() {
        for (Access access : new Access[] {Access.CONTIGUOUS, Access.STRIDED}) {
            FusedKernel k = generated(axpy(access));
            int n = 37, stride = access == Access.STRIDED ? 3 : 1;
            float[] x = new float[2 + n * stride], a = {0, 0, 1.5f}, y = new float[n + 1], out = new float[n + 4];
            for (int i = 0; i < x.length; i++) x[i] = i * 0.25f - 3;
            for (int i = 0; i < y.length; i++) y[i] = 1 - i * 0.1f;
            int[][] maps = {access == Access.STRIDED ? KernelSupport.gatherMap(stride, n) : null, null, null};
            k.run(new Object[] {x, a, y, out}, new int[] {2, 2, 1, 3}, maps, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Math.max(0, x[2 + i * stride] * 1.5f + y[1 + i]), out[3 + i], 1e-6, access + " at " + i);
            }
            assertEquals(0, out[0]);
            assertEquals(0, out[n + 3], 0, "nothing written past the end");
        }
    }

    @Test
    void aRowSumThatStoresItsValueEqualsTheTwoKernelsItReplaces() {
        // exp(x - m) stored and summed in one pass, against the elementwise kernel then the row sum
        KernelIR e = new KernelIR("E_test", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.BROADCAST)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.SUB, List.of(0, 1), F), Instr.op(Op.EXP, List.of(2), F)), F);
        KernelIR sum = new KernelIR("R_test", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_SUM, List.of(new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, F)), F);
        FusedKernel both = generated(e.reducingAndStoring(Op.REDUCE_SUM, "R_sum_and_test"));
        FusedKernel first = generated(e), second = generated(sum);
        int lanes = KernelSupport.S.length();
        for (int n : new int[] {1, lanes - 1, lanes, 4 * lanes, 4 * lanes + 1, 5 * lanes + 3, 8 * lanes + 2 * lanes + 7, 1000}) {
            float[] x = new float[n + 2], m = {0, 0.75f};
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37) * 5;
            float[] stored = new float[n + 3], expectedValues = new float[n + 3];
            float got = both.reduce(new Object[] {x, m, stored}, new int[] {2, 1, 3}, new int[3][], n);
            first.run(new Object[] {x, m, expectedValues}, new int[] {2, 1, 3}, new int[3][], n);
            float expected = second.reduce(new Object[] {expectedValues}, new int[] {3}, new int[1][], n);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), "sum at n=" + n);
            assertArrayEquals(expectedValues, stored, "stored values at n=" + n);
        }
        assertThrows(IllegalArgumentException.class, () -> sum.reducingAndStoring(Op.REDUCE_SUM, "x"), "only elementwise kernels fold");
    }

    @Test
    void severalResultsInOneLoopEqualOneKernelEach() {
        // c' = sigmoid(z) * c + tanh(z): the gate, the candidate and the new c stored by one loop, c updated in place
        List<KernelIR.Load> two = List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.CONTIGUOUS));
        List<Instr> body = List.of(Instr.load(0, F), Instr.op(Op.SIGMOID, List.of(0), F), Instr.op(Op.TANH, List.of(0), F),
                Instr.load(1, F), Instr.op(Op.MUL, List.of(1, 3), F), Instr.op(Op.ADD, List.of(4, 2), F));
        FusedKernel all = generated(KernelIR.multiOutput("E_cell", two, body, List.of(1, 2, 5)));
        assertTrue(KernelIR.multiOutput("E_cell", two, body, List.of(1, 2, 5)).key().contains("results %1 %2 %5"));
        int lanes = KernelSupport.S.length();
        for (int n : new int[] {0, 1, lanes - 1, lanes, 3 * lanes + 5, 301}) {
            float[] z = new float[n + 1], c = new float[n + 2], gate = new float[n + 3], cand = new float[n + 3];
            for (int i = 0; i < z.length; i++) z[i] = (float) Math.sin(i * 0.7) * 4;
            for (int i = 0; i < c.length; i++) c[i] = (float) Math.cos(i * 0.3) * 2;
            float[] expected = new float[c.length], expectedGate = new float[n + 3], expectedCand = new float[n + 3];
            for (int r : new int[] {1, 2, 5}) { // each result as a kernel of its own, ending at it
                FusedKernel one = generated(new KernelIR("E_one", KernelIR.Mode.ELEMENTWISE, null, two, body.subList(0, r + 1), F));
                float[] target = r == 1 ? expectedGate : r == 2 ? expectedCand : expected;
                one.run(new Object[] {z, c, target}, new int[] {1, 2, r == 5 ? 2 : 3}, new int[3][], n);
            }
            System.arraycopy(c, 0, expected, 0, 2);
            if (n + 2 < c.length) System.arraycopy(c, n + 2, expected, n + 2, c.length - n - 2);
            all.run(new Object[] {z, c, gate, cand, c}, new int[] {1, 2, 3, 3, 2}, new int[5][], n);
            assertArrayEquals(expectedGate, gate, "gate at n=" + n);
            assertArrayEquals(expectedCand, cand, "candidate at n=" + n);
            assertArrayEquals(expected, c, "c in place at n=" + n);
        }
    }

    @Test
    void onlyElementwiseKernelsStoreSeveralResults() {
        List<KernelIR.Load> one = List.of(new KernelIR.Load(F, Access.CONTIGUOUS));
        List<Instr> body = List.of(Instr.load(0, F), Instr.op(Op.NEG, List.of(0), F));
        assertThrows(IllegalArgumentException.class, () -> new KernelIR("R_x", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_SUM, one, body, F, false, List.of(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> KernelIR.multiOutput("E_x", one, body, List.of(0, 2)), "no instruction 2");
        assertThrows(IllegalArgumentException.class, () -> new KernelIR("C_x", KernelIR.Mode.REDUCE_COLUMNS, Op.REDUCE_SUM, one, body, F, false, List.of(0)),
                "a reduction reduces its last instruction");
        assertThrows(IllegalArgumentException.class, () -> KernelIR.multiOutput("E_x", one, body, List.of(0, 1)).reducingAndStoring(Op.REDUCE_SUM, "R"));
    }

    @Test
    void rowReductionCombinesAcrossAccumulatorsAndTail() {
        KernelIR ir = new KernelIR("R_test", KernelIR.Mode.REDUCE_ROW, Op.REDUCE_MAX, List.of(new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, F), Instr.op(Op.NEG, List.of(0), F)), F);
        FusedKernel k = generated(ir);
        for (int n : new int[] {1, 5, 16, 63, 64, 65, 200}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (i * 37 % 101) - 50;
            float expected = Float.NEGATIVE_INFINITY;
            for (float v : x) expected = Math.max(expected, -v);
            assertEquals(expected, k.reduce(new Object[] {x}, new int[] {0}, new int[1][], n), "n=" + n);
        }
    }

    @Test
    void boolMasksLoadAndStore() {
        // out(bool) = x > y ; out2 = where(c, x, y)
        KernelIR cmp = new KernelIR("E_gt", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.GT, List.of(0, 1), DType.BOOL)), DType.BOOL);
        KernelIR where = new KernelIR("E_where", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS), new KernelIR.Load(F, Access.CONTIGUOUS),
                        new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, DType.BOOL), Instr.load(1, F), Instr.load(2, F), Instr.op(Op.WHERE, List.of(0, 1, 2), F)), F);
        int n = 21;
        float[] x = new float[n], y = new float[n], out = new float[n];
        boolean[] c = new boolean[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 5;
            y[i] = 2;
        }
        generated(cmp).run(new Object[] {x, y, c}, new int[3], new int[3][], n);
        generated(where).run(new Object[] {c, x, y, out}, new int[4], new int[4][], n);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i] > 2, c[i]);
            assertEquals(x[i] > 2 ? x[i] : 2, out[i]);
        }
    }

    @Test
    void transcendentalsAreArithmeticWrittenIntoTheLoop() {
        KernelIR erf = new KernelIR("E_erf", KernelIR.Mode.ELEMENTWISE, null, List.of(new KernelIR.Load(F, Access.CONTIGUOUS)),
                List.of(Instr.load(0, F), Instr.op(Op.ERF, List.of(0), F)), F);
        String text = CpuCodegen.compile(erf).text(); // what JAVELIN_DEBUG=2 prints
        assertTrue(text.contains("jdk/incubator/vector/FloatVector.fma"), text);
        assertTrue(text.contains("jdk/incubator/vector/IntVector.reinterpretAsFloats"), text);
        assertFalse(text.contains("KernelSupport"), "no helper call: " + text);
    }

    @Test
    void opsOnBoolMasksFollowTheirTruthTables() {
        Op[] ops = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.MAX, Op.MIN};
        boolean[] a = {false, false, true, true, false, true, true, false, false, true, true, false, true, false, false, true, true};
        boolean[] b = {false, true, false, true, true, true, false, false, true, false, true, true, false, false, true, true, false};
        boolean[] c = {true, false, true, false, true, true, false, false, true, true, false, true, false, true, false, false, true};
        int n = a.length;
        for (Op op : ops) {
            KernelIR ir = new KernelIR("E_" + op.label(), KernelIR.Mode.ELEMENTWISE, null,
                    List.of(new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS), new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS)),
                    List.of(Instr.load(0, DType.BOOL), Instr.load(1, DType.BOOL), Instr.op(op, List.of(0, 1), DType.BOOL)), DType.BOOL);
            boolean[] out = new boolean[n];
            generated(ir).run(new Object[] {a, b, out}, new int[3], new int[3][], n);
            for (int i = 0; i < n; i++) {
                int x = a[i] ? 1 : 0, y = b[i] ? 1 : 0;
                boolean expected = switch (op) {
                    case EQ -> x == y; case NE -> x != y; case LT -> x < y; case LE -> x <= y; case GT -> x > y; case GE -> x >= y;
                    case MAX -> Math.max(x, y) == 1; default -> Math.min(x, y) == 1;
                };
                assertEquals(expected, out[i], op + " at " + i);
            }
        }
        KernelIR where = new KernelIR("E_where_bool", KernelIR.Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS), new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS),
                        new KernelIR.Load(DType.BOOL, Access.CONTIGUOUS)),
                List.of(Instr.load(0, DType.BOOL), Instr.load(1, DType.BOOL), Instr.load(2, DType.BOOL),
                        Instr.op(Op.WHERE, List.of(0, 1, 2), DType.BOOL)), DType.BOOL);
        boolean[] out = new boolean[n];
        generated(where).run(new Object[] {c, a, b, out}, new int[4], new int[4][], n);
        for (int i = 0; i < n; i++) assertEquals(c[i] ? a[i] : b[i], out[i], "where at " + i);
    }
}
