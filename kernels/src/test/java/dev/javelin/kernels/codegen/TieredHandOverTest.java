package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * While a kernel's generated code takes over ({@link KernelTiers}), an elementwise call runs as one
 * invocation per piece of a few vectors, each piece at its own offsets: every call, before, during
 * and after the hand-over, gives the interpreter's bits at every position. The kernel is a cell-like
 * step (a gate, a candidate, a state updated in place over its input) with a broadcast operand,
 * called at offsets other than 0 with lengths that leave a tail, a piece and a half, one piece.
 */
class TieredHandOverTest {
    private static final DType F = DType.FLOAT32;

    @Test
    void everyCallGivesTheInterpretersBitsWhileTheGeneratedCodeTakesOver() {
        // slots: z, c (updated in place: the result c' goes to slot 4 = the same array at c's offset), a scalar k
        List<KernelIR.Load> loads = List.of(new KernelIR.Load(F, Access.CONTIGUOUS), new KernelIR.Load(F, Access.CONTIGUOUS),
                new KernelIR.Load(F, Access.BROADCAST));
        List<Instr> body = List.of(Instr.load(0, F), Instr.load(2, F), Instr.op(Op.MUL, List.of(0, 1), F),
                Instr.op(Op.SIGMOID, List.of(2), F), Instr.op(Op.TANH, List.of(0), F), Instr.load(1, F),
                Instr.op(Op.MUL, List.of(3, 5), F), Instr.op(Op.ADD, List.of(6, 4), F));
        KernelIR ir = KernelIR.multiOutput("E_handover_cell", loads, body, List.of(3, 7));
        FusedKernel tiered = CpuCodegen.compile(ir).kernel();
        KernelInterpreter reference = new KernelInterpreter(ir, KernelSupport.S.length());
        int piece = KernelTiers.HANDOVER_VECTORS * KernelSupport.S.length();
        int[] lengths = {(int) Math.min(KernelTiers.COLD_ELEMENTS, 1 << 20), 2 * piece, 2 * piece + 5, 3 * piece + piece / 2 + 3,
                7 * piece - 1, piece, 17, 0};
        Random random = new Random(13L);
        TieredKernel.Policy before = TieredKernel.policy();
        TieredKernel.setPolicy(TieredKernel.Policy.TIERED); // the build runs tests with the generated code from the first call
        try {
            for (int call = 0; call < 120; call++) {
                int n = lengths[call < 2 ? 0 : call % lengths.length];
                int zo = random.nextInt(5), co = random.nextInt(5), ko = random.nextInt(3), go = random.nextInt(4);
                float[] z = new float[zo + n + 3], c = new float[co + n + 2], k = new float[ko + 1];
                for (int i = 0; i < z.length; i++) z[i] = (float) (random.nextGaussian() * 3);
                for (int i = 0; i < c.length; i++) c[i] = (float) random.nextGaussian();
                k[ko] = (float) random.nextGaussian();
                float[] gate = new float[go + n + 1], expectedGate = gate.clone(), expectedC = c.clone();
                reference.run(new Object[] {z, expectedC, k, expectedGate, expectedC}, new int[] {zo, co, ko, go, co}, new int[5][], n);
                tiered.run(new Object[] {z, c, k, gate, c}, new int[] {zo, co, ko, go, co}, new int[5][], n);
                assertArrayEquals(expectedGate, gate, "the gate at call " + call + ", n=" + n);
                assertArrayEquals(expectedC, c, "the state updated in place at call " + call + ", n=" + n);
            }
        } finally {
            TieredKernel.setPolicy(before);
        }
    }
}
