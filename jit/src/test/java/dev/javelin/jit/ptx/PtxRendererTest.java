package dev.javelin.jit.ptx;

import static dev.javelin.tensor.DType.BOOL;
import static dev.javelin.tensor.DType.FLOAT32;
import static dev.javelin.tensor.DType.FLOAT64;
import static dev.javelin.tensor.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.Ptxas;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The JIT's kernel bodies ({@link KernelIR}) rendered as PTX: assembled, decomposed, cached. */
class PtxRendererTest {
    private static KernelIR elementwise(String name, List<DType> loads, Instr... body) {
        return new KernelIR(name, KernelIR.Mode.ELEMENTWISE, null, slots(loads), List.of(body), body[body.length - 1].dtype());
    }

    private static KernelIR reduce(String name, Op reduceOp, List<DType> loads, Instr... body) {
        return new KernelIR(name, KernelIR.Mode.REDUCE_ROW, reduceOp, slots(loads), List.of(body), body[body.length - 1].dtype());
    }

    private static List<KernelIR.Load> slots(List<DType> types) {
        return types.stream().map(t -> new KernelIR.Load(t, KernelIR.Access.STRIDED)).toList();
    }

    private static Instr ld(int slot, DType t) { return Instr.load(slot, t); }
    private static Instr f(Op op, Integer... args) { return Instr.op(op, List.of(args), FLOAT32); }
    private static Instr cf(float v) { return Instr.prim(KernelIR.Prim.CONST, List.of(), FLOAT32, Float.floatToRawIntBits(v)); }

    private static final KernelIR MUL_ADD_RELU = elementwise("E_mul_add_relu", List.of(FLOAT32, FLOAT32, FLOAT32),
            ld(0, FLOAT32), ld(1, FLOAT32), f(Op.MUL, 0, 1), ld(2, FLOAT32), f(Op.ADD, 2, 3), f(Op.RELU, 4));

    /** (x - y)^2 + sigmoid(x - y): the difference is computed once and used three times. */
    private static final KernelIR REUSE = elementwise("E_sq_sigmoid", List.of(FLOAT32, FLOAT32),
            ld(0, FLOAT32), ld(1, FLOAT32), f(Op.SUB, 0, 1), f(Op.MUL, 2, 2), f(Op.SIGMOID, 2), f(Op.ADD, 3, 4));

    /** where(x > 0, float(mask), exp(x)) with a bool input and a bool intermediate. */
    private static final KernelIR MIXED = elementwise("E_where_cast", List.of(FLOAT32, BOOL),
            ld(0, FLOAT32), cf(0), Instr.op(Op.GT, List.of(0, 1), BOOL), ld(1, BOOL), Instr.op(Op.CAST, List.of(3), FLOAT32),
            f(Op.EXP, 0), f(Op.WHERE, 2, 4, 5));

    /** gelu with erf and with tanh, sin and cos and log: every decomposition in one module. */
    private static final KernelIR TRANSCENDENTALS = elementwise("E_all", List.of(FLOAT32),
            ld(0, FLOAT32), f(Op.ERF, 0), f(Op.TANH, 0), f(Op.SIN, 0), f(Op.COS, 0), f(Op.LOG, 0), f(Op.SIGN, 0), f(Op.RECIPROCAL, 0),
            f(Op.ADD, 1, 2), f(Op.ADD, 8, 3), f(Op.ADD, 9, 4), f(Op.ADD, 10, 5), f(Op.ADD, 11, 6), f(Op.ADD, 12, 7));

    /** A bool mask out of float64 comparisons and a logical not: rendered from the backend's table, undecomposed. */
    private static final KernelIR MASK = elementwise("E_mask", List.of(FLOAT64, FLOAT64),
            ld(0, FLOAT64), ld(1, FLOAT64), Instr.op(Op.LE, List.of(0, 1), BOOL), Instr.op(Op.LOGICAL_NOT, List.of(2), BOOL));

    /** softmax's denominator: sum(exp(x - max)). */
    private static final KernelIR SUM_EXP = reduce("R_sum_exp_sub", Op.REDUCE_SUM, List.of(FLOAT32, FLOAT32),
            ld(0, FLOAT32), ld(1, FLOAT32), f(Op.SUB, 0, 1), f(Op.EXP, 2));

    /** max |x| in float64 and a count of positives (a sum of a cast bool). */
    private static final KernelIR MAX_ABS = reduce("R_max_abs", Op.REDUCE_MAX, List.of(FLOAT64),
            ld(0, FLOAT64), Instr.op(Op.ABS, List.of(0), FLOAT64));
    private static final KernelIR COUNT = reduce("R_count_pos", Op.REDUCE_SUM, List.of(FLOAT32),
            ld(0, FLOAT32), cf(0), Instr.op(Op.GT, List.of(0, 1), BOOL), Instr.op(Op.CAST, List.of(2), INT64));

    /** x - y, tanh(x - y) and x stored from one loop: three outputs. */
    private static final KernelIR SEVERAL = KernelIR.multiOutput("E_three", slots(List.of(FLOAT32, FLOAT32)),
            List.of(ld(0, FLOAT32), ld(1, FLOAT32), f(Op.SUB, 0, 1), f(Op.TANH, 2)), List.of(2, 3, 0));

    @Test
    void aKernelWithSeveralResultsTakesOneOutputParameterEach() {
        String entry = PtxRenderer.elementwise(SEVERAL, 2);
        for (String p : List.of("out,", "outoff,", "out1,", "outoff1,", "out2,", "outoff2,", "os2_1,")) assertTrue(entry.contains(p), p + " in " + entry);
        assertEquals(3, count(entry, "st.global.f32"), "one store per result");
        assertEquals(2, count(entry, "ld.global.nc.f32"), "each input loaded once");
    }

    @Test
    void kernelBodiesAssembleForSm80AndSm90() {
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH");
        List<String> entries = new ArrayList<>();
        for (KernelIR ir : List.of(MUL_ADD_RELU, REUSE, MIXED, TRANSCENDENTALS, MASK, SEVERAL)) {
            for (int rank : new int[] {1, 2, 4}) entries.add(PtxRenderer.elementwise(ir, rank));
        }
        for (KernelIR ir : List.of(SUM_EXP, MAX_ABS, COUNT)) {
            entries.add(PtxRenderer.reduce(ir, 1, 1));
            entries.add(PtxRenderer.reduce(ir, 2, 3));
        }
        PtxModule module = new PtxModule(PtxModule.SM_80);
        entries.forEach(module::add);
        for (String arch : List.of("sm_80", "sm_90")) assertNull(Ptxas.assemble(module.text(), arch));
    }

    @Test
    void transcendentalsAreTheIrsArithmeticNotHardwareApproximations() {
        String entry = PtxRenderer.elementwise(TRANSCENDENTALS, 1);
        for (String approx : List.of("ex2.approx", "lg2.approx", "sin.approx", "cos.approx", "tanh.approx")) {
            assertFalse(entry.contains(approx), approx + " in " + entry);
        }
        assertTrue(entry.contains("fma.rn.f32") && entry.contains("shl.b32"), "the decomposition's fma and bit shifts are inline");
        assertFalse(entry.matches("(?s).*\\b(add|sub|mul)\\.f32.*"), "every float add, sub and mul is .rn: ptxas may not contract them");
    }

    @Test
    void sharedSubexpressionsAreComputedOnce() {
        String entry = PtxRenderer.elementwise(REUSE, 1);
        assertEquals(1, count(entry, "sub.rn.f32 ") - count(PtxRenderer.elementwise(elementwise("E_sig", List.of(FLOAT32),
                ld(0, FLOAT32), f(Op.SIGMOID, 0)), 1), "sub.rn.f32 "), "x - y is evaluated once");
        assertEquals(2, count(entry, "ld.global.nc.f32"), "each input is loaded once");
    }

    @Test
    void kernelsAreCachedByBodyAndRank() {
        assertTrue(PtxRenderer.elementwise(MUL_ADD_RELU, 2) == PtxRenderer.elementwise(MUL_ADD_RELU, 2), "rendered once");
        assertNotEquals(PtxRenderer.kernelName(MUL_ADD_RELU, "r1"), PtxRenderer.kernelName(MUL_ADD_RELU, "r2"));
    }

    @Test
    void kernelsOfTheWrongModeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PtxRenderer.reduce(MUL_ADD_RELU, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PtxRenderer.elementwise(SUM_EXP, 1));
        KernelIR storing = MUL_ADD_RELU.reducingAndStoring(Op.REDUCE_SUM, "R_sum_and_store");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PtxRenderer.reduce(storing, 1, 1));
        assertTrue(e.getMessage().contains("stores its value"), e.getMessage());
    }

    private static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) c++;
        return c;
    }
}
