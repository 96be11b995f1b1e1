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
 * {@link FusedKernel#runRows}, the row loop written into a generated class, gives the bits of one
 * {@code run} per row, in the generated code (called directly and through method handles) and in the
 * interpreter, whether it writes its masked last vector into the row loop (a short body) or calls it (pow's):
 * a column sum (a bias gradient: also the rows added one at a time in plain Java), a column max of x times a per-row scale (a broadcast
 * slot whose value moves with the row), a column sum of pow (its special cases in a region method),
 * and an elementwise kernel.
 */
class RunRowsTest {
    private static final DType F = DType.FLOAT32;

    private static KernelIR.Load load(Access a) {
        return new KernelIR.Load(F, a);
    }

    @Test
    void givesTheBitsOfOneRunPerRow() {
        Random random = new Random(7L);
        List<KernelIR> irs = List.of(
                new KernelIR("C_sum", Mode.REDUCE_COLUMNS, Op.REDUCE_SUM, List.of(load(Access.CONTIGUOUS)), List.of(Instr.load(0, F)), F),
                new KernelIR("C_max", Mode.REDUCE_COLUMNS, Op.REDUCE_MAX, List.of(load(Access.CONTIGUOUS), load(Access.BROADCAST)),
                        List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F),
                new KernelIR("C_pow", Mode.REDUCE_COLUMNS, Op.REDUCE_SUM, List.of(load(Access.CONTIGUOUS), load(Access.CONTIGUOUS)),
                        List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.POW, List.of(0, 1), F)), F),
                new KernelIR("E_mul", Mode.ELEMENTWISE, null, List.of(load(Access.CONTIGUOUS), load(Access.BROADCAST)),
                        List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.MUL, List.of(0, 1), F)), F));
        for (KernelIR ir : irs) {
            CpuCodegen.Generated g = CpuCodegen.compile(ir);
            FusedKernel[] kernels = {((TieredKernel) g.kernel()).generatedCode(), ((TieredKernel) g.opaque()).generatedCode(),
                    new KernelInterpreter(ir, KernelSupport.S.length())};
            int inputs = ir.loads().size();
            for (int n : new int[] {1, 3, 15, 16, 17, 63, 64, 65, 130}) {
                for (int rows : new int[] {0, 1, 2, 37, 120}) {
                    Object[] start = new Object[inputs + 1];
                    int[] offsets = new int[inputs + 1], rowStrides = new int[inputs + 1];
                    for (int s = 0; s < inputs; s++) {
                        boolean broadcast = ir.loads().get(s).access() == Access.BROADCAST;
                        offsets[s] = random.nextInt(4);
                        rowStrides[s] = broadcast ? 1 : n + random.nextInt(3) * 5;
                        float[] x = new float[offsets[s] + Math.max(0, rows - 1) * rowStrides[s] + (broadcast ? 1 : n) + 1];
                        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
                        start[s] = x;
                    }
                    boolean elementwise = ir.mode() == Mode.ELEMENTWISE;
                    offsets[inputs] = random.nextInt(3);
                    rowStrides[inputs] = elementwise ? n + 2 : 0;
                    float[] out = new float[offsets[inputs] + Math.max(0, rows - 1) * rowStrides[inputs] + n + 2];
                    for (int j = 0; j < out.length; j++) out[j] = random.nextFloat();
                    start[inputs] = out;
                    float[] expected = run(kernels[0], start, offsets, rowStrides, n, rows, false);
                    if (ir.name().equals("C_sum")) { // a column sum is the rows added in order, one at a time
                        float[] x = (float[]) start[0], sum = ((float[]) start[inputs]).clone();
                        for (int r = 0; r < rows; r++) for (int j = 0; j < n; j++) sum[offsets[inputs] + j] += x[offsets[0] + r * rowStrides[0] + j];
                        assertArrayEquals(sum, expected, "C_sum n=" + n + " rows=" + rows + ": the rows added in order");
                    }
                    for (FusedKernel k : kernels) {
                        String what = ir.name() + " by " + k.getClass().getSimpleName() + ", n=" + n + " rows=" + rows;
                        int[] given = offsets.clone();
                        float[] got = run(k, start, given, rowStrides, n, rows, true);
                        assertArrayEquals(offsets, given, what + ": offsets left as given");
                        for (int j = 0; j < out.length; j++) {
                            assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(got[j]), what + " position " + j + ": " + expected[j] + " vs " + got[j]);
                        }
                    }
                }
            }
        }
    }

    /** The output after {@code rows} rows, by runRows or by one run per row, on a copy of {@code start}'s output. */
    private static float[] run(FusedKernel k, Object[] start, int[] offsets, int[] rowStrides, int n, int rows, boolean byRows) {
        Object[] arrays = start.clone();
        int last = arrays.length - 1;
        arrays[last] = ((float[]) start[last]).clone();
        int[][] maps = new int[arrays.length][];
        if (byRows) {
            k.runRows(arrays, offsets, maps, n, rowStrides, rows);
        } else {
            for (int r = 0; r < rows; r++) {
                int[] at = offsets.clone();
                for (int s = 0; s < at.length; s++) at[s] += r * rowStrides[s];
                k.run(arrays, at, maps, n);
            }
        }
        return (float[]) arrays[last];
    }
}
