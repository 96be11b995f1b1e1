package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.kernels.ir.CellStep;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.RecurrentCells;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-over from the interpreter tier to the generated code (TieredKernel under the default
 * policy): after the interpreter's share the generated code is warmed up on scratch data beside the
 * interpreter's calls and then takes over, for every kind of kernel (several results, row and column
 * reductions, masks), with the interpreter's bits before, during and after.
 */
class GeneratedCodeWarmupTest {
    private static final DType F = DType.FLOAT32, B = DType.BOOL;

    @Test
    void everyKindOfKernelIsWarmedUpAndHandedOverWithTheSameBits()  {
        CellStep lstm = RecurrentCells.forward(Cell.LSTM, Activation.TANH, Activation.SIGMOID);
        KernelIR cell = null;
        for (CellStep.Phase phase : lstm.phases()) if (phase instanceof CellStep.Kernel k) cell = k.ir();
        KernelIR where = new KernelIR("E_where", Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(B, Access.STRIDED), new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.BROADCAST)),
                List.of(Instr.load(0, B), Instr.load(1, F), Instr.load(2, F), Instr.op(Op.WHERE, List.of(0, 1, 2), F)), F);
        KernelIR expSub = new KernelIR("E_exp_sub", Mode.ELEMENTWISE, null,
                List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.BROADCAST)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.SUB, List.of(0, 1), F), Instr.op(Op.EXP, List.of(2), F)), F);
        KernelIR columns = new KernelIR("C_mul", Mode.REDUCE_COLUMNS, Op.REDUCE_SUM,
                List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.BROADCAST)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F);
        TieredKernel.Policy before = TieredKernel.policy();
        TieredKernel.setPolicy(TieredKernel.Policy.TIERED);
        try {
            for (KernelIR ir : List.of(cell, where, expSub.reducingAndStoring(Op.REDUCE_SUM, "R_sum_exp_sub"), columns)) {
                handsOverWithTheInterpretersBits(ir);
            }
        } finally {
            TieredKernel.setPolicy(before);
        }
    }

    /** Calls the tiered kernel on blocks of 2^15 positions until its generated code runs; every call against the interpreter. */
    private static void handsOverWithTheInterpretersBits(KernelIR ir)  {
        TieredKernel tiered = (TieredKernel) CpuCodegen.compile(ir).kernel();
        KernelInterpreter reference = new KernelInterpreter(ir, KernelSupport.S.length());
        int n = 1 << 15;
        Random r = new Random(ir.name().hashCode());
        long deadline = System.nanoTime() + GeneratedCodeWarmup.MAX_NANOS + 50_000_000_000L;
        int calls = 0;
        while (!tiered.usesGeneratedCode() || calls < 2) {
            if (tiered.usesGeneratedCode()) calls = Math.max(calls, 1); // one more call, now in the generated code
            assertTrue(System.nanoTime() < deadline, ir.name() + ": still not handed over after " + calls + " calls");
            Object[] a = arguments(ir, n, r), b = copy(a);
            int[] offsets = new int[a.length];
            int[][] maps = new int[a.length][];
            for (int s = 0; s < ir.inputSlots(); s++) if (ir.loads().get(s).access() == Access.STRIDED) maps[s] = KernelSupport.gatherMap(1, n);
            String what = ir.name() + " call " + calls;
            if (ir.mode() == Mode.REDUCE_ROW) {
                assertEquals(Float.floatToRawIntBits(reference.reduce(b, offsets, maps, n)), Float.floatToRawIntBits(tiered.reduce(a, offsets, maps, n)), what);
            } else {
                tiered.run(a, offsets, maps, n);
                reference.run(b, offsets, maps, n);
            }
            for (int s = ir.inputSlots(); s < a.length; s++) {
                if (a[s] instanceof float[] x) assertArrayEquals(floatBits((float[]) b[s]), floatBits(x), what + " slot " + s);
                else assertArrayEquals((boolean[]) b[s], (boolean[]) a[s], what + " slot " + s);
            }
            calls++;
        }
    }

    private static Object[] arguments(KernelIR ir, int n, Random r) {
        Object[] a = new Object[ir.inputSlots() + ir.outputs()];
        for (int s = 0; s < a.length; s++) {
            boolean input = s < ir.inputSlots();
            DType t = input ? ir.loads().get(s).dtype() : ir.outDtype();
            int length = input && ir.loads().get(s).access() == Access.BROADCAST ? 1 : n;
            if (t == B) {
                boolean[] x = new boolean[length];
                for (int i = 0; i < length; i++) x[i] = r.nextBoolean();
                a[s] = x;
            } else {
                float[] x = new float[length];
                for (int i = 0; i < length; i++) x[i] = (float) (r.nextGaussian() * 2);
                a[s] = x;
            }
        }
        return a;
    }

    private static Object[] copy(Object[] a) {
        Object[] b = new Object[a.length];
        for (int s = 0; s < a.length; s++) b[s] = a[s] instanceof float[] x ? x.clone() : ((boolean[]) a[s]).clone();
        return b;
    }

    private static int[] floatBits(float[] x) {
        int[] bits = new int[x.length];
        for (int i = 0; i < x.length; i++) bits[i] = Float.floatToRawIntBits(x[i]);
        return bits;
    }
}
