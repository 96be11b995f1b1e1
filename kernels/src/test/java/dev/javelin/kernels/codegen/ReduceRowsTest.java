package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FusedKernel#reduceRows}, a row reduction's loop over rows of their own lengths written into a generated
 * class, gives the bits of one {@code reduce} per row (its result, and the values a storing reduction writes along
 * the row, nothing past it), in the generated code (called directly and through method handles) and in the
 * interpreter: a sum, a max of x times a per-row value (a broadcast slot whose value moves with the row), the
 * attention's {@code exp(x·scale - shift)} that sums and stores, and a sum of pow (its special cases in a region
 * method); rows of length 0 (the identity), within one vector, around the four-vector blocks, and longer.
 */
class ReduceRowsTest {
    private static final DType F = DType.FLOAT32;

    private static KernelIR.Load load(Access a) {
        return new KernelIR.Load(F, a);
    }

    @Test
    void givesTheBitsOfOneReducePerRow() {
        Random random = new Random(11L);
        KernelIR expSub = new KernelIR("E_exp_sub_mul", Mode.ELEMENTWISE, null,
                List.of(load(Access.CONTIGUOUS), load(Access.BROADCAST), load(Access.BROADCAST)),
                List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F), Instr.load(2, F),
                        Instr.op(Op.SUB, List.of(2, 3), F), Instr.op(Op.EXP, List.of(4), F)), F);
        List<KernelIR> irs = List.of(
                new KernelIR("R_sum", Mode.REDUCE_ROW, Op.REDUCE_SUM, List.of(load(Access.CONTIGUOUS)), List.of(Instr.load(0, F)), F),
                new KernelIR("R_max_mul", Mode.REDUCE_ROW, Op.REDUCE_MAX, List.of(load(Access.CONTIGUOUS), load(Access.BROADCAST)),
                        List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F),
                expSub.reducingAndStoring(Op.REDUCE_SUM, "R_sum_exp_sub_mul"),
                new KernelIR("R_sum_pow", Mode.REDUCE_ROW, Op.REDUCE_SUM, List.of(load(Access.CONTIGUOUS), load(Access.CONTIGUOUS)),
                        List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.POW, List.of(0, 1), F)), F));
        for (KernelIR ir : irs) {
            CpuCodegen.Generated g = CpuCodegen.compile(ir);
            KernelInterpreter interpreter = new KernelInterpreter(ir, KernelSupport.S.length());
            FusedKernel[] kernels = {((TieredKernel) g.kernel()).generatedCode(), ((TieredKernel) g.opaque()).generatedCode(), interpreter};
            int inputs = ir.loads().size(), slots = inputs + (ir.storesValue() ? 1 : 0);
            for (int width : new int[] {1, 15, 16, 17, 64, 65, 130}) {
                for (int rows : new int[] {0, 1, 2, 37}) {
                    int[] lengths = new int[rows];
                    for (int r = 0; r < rows; r++) lengths[r] = r == 0 ? 0 : r == 1 ? width : random.nextInt(width + 1);
                    Object[] start = new Object[slots];
                    int[] offsets = new int[slots], rowStrides = new int[slots];
                    for (int s = 0; s < slots; s++) {
                        boolean broadcast = s < inputs && ir.loads().get(s).access() == Access.BROADCAST;
                        offsets[s] = random.nextInt(4);
                        // the storing reduction writes in place over its first input, as the attention's does
                        rowStrides[s] = broadcast ? (s == 1 ? 0 : 1) : width + random.nextInt(3) * 5;
                        if (s == inputs) {
                            offsets[s] = offsets[0];
                            rowStrides[s] = rowStrides[0];
                            start[s] = start[0];
                            continue;
                        }
                        float[] x = new float[offsets[s] + Math.max(0, rows - 1) * rowStrides[s] + (broadcast ? 1 : width) + 1];
                        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(4) - 2));
                        start[s] = x;
                    }
                    float[] expectedResults = new float[rows];
                    float[] expected = run(interpreter, start, offsets, rowStrides, lengths, rows, expectedResults, false);
                    for (FusedKernel k : kernels) {
                        String what = ir.name() + " by " + k.getClass().getSimpleName() + ", width=" + width + " rows=" + rows;
                        int[] given = offsets.clone();
                        float[] results = new float[rows];
                        float[] got = run(k, start, given, rowStrides, lengths, rows, results, true);
                        assertArrayEquals(offsets, given, what + ": offsets left as given");
                        for (int r = 0; r < rows; r++) {
                            assertEquals(Float.floatToRawIntBits(expectedResults[r]), Float.floatToRawIntBits(results[r]),
                                    what + " row " + r + " of length " + lengths[r] + ": " + expectedResults[r] + " vs " + results[r]);
                        }
                        for (int j = 0; j < got.length; j++) {
                            assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(got[j]), what + " position " + j);
                        }
                    }
                }
            }
        }
    }

    /** Slot 0's array after the rows (what a storing reduction writes), by reduceRows or by one reduce per row, on copies. */
    private static float[] run(FusedKernel k, Object[] start, int[] offsets, int[] rowStrides, int[] lengths, int rows, float[] results,
                               boolean byRows) {
        Object[] arrays = start.clone();
        arrays[0] = ((float[]) start[0]).clone();
        if (arrays.length > 1 && start[arrays.length - 1] == start[0]) arrays[arrays.length - 1] = arrays[0];
        int[][] maps = new int[arrays.length][];
        if (byRows) {
            k.reduceRows(arrays, offsets, maps, lengths, rowStrides, rows, results);
        } else {
            for (int r = 0; r < rows; r++) {
                int[] at = offsets.clone();
                for (int s = 0; s < at.length; s++) at[s] += r * rowStrides[s];
                results[r] = k.reduce(arrays, at, maps, lengths[r]);
            }
        }
        return (float[]) arrays[0];
    }
}
