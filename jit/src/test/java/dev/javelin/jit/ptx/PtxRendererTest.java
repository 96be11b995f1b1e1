package dev.javelin.jit.ptx;

import static dev.javelin.tensor.DType.BOOL;
import static dev.javelin.tensor.DType.FLOAT32;
import static dev.javelin.tensor.DType.FLOAT64;
import static dev.javelin.tensor.DType.INT32;
import static dev.javelin.tensor.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.ptx.FusedGroup.Apply;
import dev.javelin.jit.ptx.FusedGroup.Cast;
import dev.javelin.jit.ptx.FusedGroup.Const;
import dev.javelin.jit.ptx.FusedGroup.Kind;
import dev.javelin.jit.ptx.FusedGroup.Load;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.Ptxas;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PtxRendererTest {
    private static final FusedGroup MUL_ADD_RELU = new FusedGroup("E_mul_add_relu", Kind.ELEMENTWISE, null,
            List.of(FLOAT32, FLOAT32, FLOAT32),
            List.of(new Load(0), new Load(1), new Apply(Op.MUL, List.of(0, 1)), new Load(2), new Apply(Op.ADD, List.of(2, 3)),
                    new Apply(Op.RELU, List.of(4))));

    /** (x - y)^2 + sigmoid(x - y): the difference is computed once and used three times. */
    private static final FusedGroup REUSE = new FusedGroup("E_sq_sigmoid", Kind.ELEMENTWISE, null, List.of(FLOAT32, FLOAT32),
            List.of(new Load(0), new Load(1), new Apply(Op.SUB, List.of(0, 1)), new Apply(Op.MUL, List.of(2, 2)),
                    new Apply(Op.SIGMOID, List.of(2)), new Apply(Op.ADD, List.of(3, 4))));

    /** where(x > 0, float(labels), exp(x)) with a bool intermediate and an int input. */
    private static final FusedGroup MIXED = new FusedGroup("E_where_cast", Kind.ELEMENTWISE, null, List.of(FLOAT32, INT32),
            List.of(new Load(0), new Const(0, FLOAT32), new Apply(Op.GT, List.of(0, 1)), new Load(1), new Cast(3, FLOAT32),
                    new Apply(Op.EXP, List.of(0)), new Apply(Op.WHERE, List.of(2, 4, 5))));

    /** gelu with tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    private static final FusedGroup GELU = new FusedGroup("E_gelu_tanh", Kind.ELEMENTWISE, null, List.of(FLOAT32),
            List.of(new Load(0), new Apply(Op.MUL, List.of(0, 0)), new Apply(Op.MUL, List.of(1, 0)), new Const(0.044715, FLOAT32),
                    new Apply(Op.MUL, List.of(2, 3)), new Apply(Op.ADD, List.of(0, 4)), new Const(Math.sqrt(2 / Math.PI), FLOAT32),
                    new Apply(Op.MUL, List.of(5, 6)), new Apply(Op.TANH, List.of(7)), new Const(1, FLOAT32),
                    new Apply(Op.ADD, List.of(8, 9)), new Const(0.5, FLOAT32), new Apply(Op.MUL, List.of(0, 11)),
                    new Apply(Op.MUL, List.of(12, 10))));

    /** A bool mask out of float64 comparisons and a logical not. */
    private static final FusedGroup MASK = new FusedGroup("E_mask", Kind.ELEMENTWISE, null, List.of(FLOAT64, FLOAT64),
            List.of(new Load(0), new Load(1), new Apply(Op.LE, List.of(0, 1)), new Apply(Op.LOGICAL_NOT, List.of(2))));

    /** softmax's denominator: sum(exp(x - max)). */
    private static final FusedGroup SUM_EXP = new FusedGroup("R_sum_exp_sub", Kind.REDUCE, Op.REDUCE_SUM, List.of(FLOAT32, FLOAT32),
            List.of(new Load(0), new Load(1), new Apply(Op.SUB, List.of(0, 1)), new Apply(Op.EXP, List.of(2))));

    /** max |x| in float64 and a count of positives (a sum of a cast bool). */
    private static final FusedGroup MAX_ABS = new FusedGroup("R_max_abs", Kind.REDUCE, Op.REDUCE_MAX, List.of(FLOAT64),
            List.of(new Load(0), new Apply(Op.ABS, List.of(0))));
    private static final FusedGroup COUNT = new FusedGroup("R_count_pos", Kind.REDUCE, Op.REDUCE_SUM, List.of(FLOAT32),
            List.of(new Load(0), new Const(0, FLOAT32), new Apply(Op.GT, List.of(0, 1)), new Cast(2, INT64)));

    @Test
    void fusedGroupsAssembleForSm80AndSm90() {
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH");
        List<String> entries = new ArrayList<>();
        for (FusedGroup g : List.of(MUL_ADD_RELU, REUSE, MIXED, GELU, MASK)) {
            for (int rank : new int[] {1, 2, 4}) entries.add(PtxRenderer.elementwise(g, rank));
        }
        for (FusedGroup g : List.of(SUM_EXP, MAX_ABS, COUNT)) {
            entries.add(PtxRenderer.reduce(g, 1, 1));
            entries.add(PtxRenderer.reduce(g, 2, 3));
        }
        PtxModule module = new PtxModule(PtxModule.SM_80);
        entries.forEach(module::add);
        for (String arch : List.of("sm_80", "sm_90")) assertNull(Ptxas.assemble(module.text(), arch));
    }

    @Test
    void sharedSubexpressionsAreComputedOnce() {
        String entry = PtxRenderer.elementwise(REUSE, 1);
        assertEquals(1, count(entry, "sub.f32"), "x - y is evaluated once");
        assertEquals(2, count(entry, "ld.global.nc.f32"), "each input is loaded once");
    }

    @Test
    void kernelsAreCachedByProgramAndRank() {
        assertTrue(PtxRenderer.elementwise(MUL_ADD_RELU, 2) == PtxRenderer.elementwise(MUL_ADD_RELU, 2), "rendered once");
        assertNotEquals(PtxRenderer.kernelName(MUL_ADD_RELU, "r1"), PtxRenderer.kernelName(MUL_ADD_RELU, "r2"));
        assertEquals(BOOL, PtxRenderer.resultType(MASK));
        assertEquals(FLOAT32, PtxRenderer.resultType(MIXED));
    }

    @Test
    void malformedGroupsAreRejectedWithTheStep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FusedGroup("bad", Kind.ELEMENTWISE, null,
                List.of(FLOAT32), List.of(new Load(0), new Apply(Op.NEG, List.of(3)))));
        assertTrue(e.getMessage().contains("step 1 uses %3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FusedGroup("bad", Kind.REDUCE, Op.ARGMAX, List.of(FLOAT32),
                List.of(new Load(0))));
        assertThrows(IllegalArgumentException.class, () -> new FusedGroup("bad", Kind.ELEMENTWISE, null, List.of(FLOAT32),
                List.of(new Load(0), new Apply(Op.MATMUL, List.of(0)))));
    }

    private static int count(String text, String needle) {
        int c = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) c++;
        return c;
    }
}
