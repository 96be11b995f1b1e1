package dev.javelin.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * Slot groups ({@link KernelIR#withSlotGroups}): a grouped kernel's generated code (called directly and
 * through method handles, {@code run} and {@code runRows}) gives the interpreter's bits and a plain Java
 * reference's, bit for bit, for odd lengths, length 1 and the masked tail, where a group's slots read and
 * write one array at fixed displacements (some of them on an array of their own, as a launcher's buffer of
 * zeros is) and where a group reads and writes the same points (a patch added into); and a group that
 * breaks the contract is refused.
 */
class SlotGroupTest {
    private static final DType F = DType.FLOAT32;
    private static final KernelIR.Load DENSE = new KernelIR.Load(F, Access.CONTIGUOUS);
    private static final int[] LENGTHS = {1, 2, 7, 15, 16, 17, 33, 64, 65, 131};
    private static final int[] ROWS = {1, 2, 3, 9};

    /**
     * Three points of one array (slots 0-2, a group), a broadcast scale (slot 3, alone), and two results
     * into three points of another array (slots 4-5, a group): {@code p0 = (a + b) * s}, {@code p1 = (a - c) + p0}.
     */
    private static KernelIR sumsOfPoints() {
        List<Instr> body = List.of(Instr.load(0, F), Instr.load(1, F), Instr.load(2, F), Instr.load(3, F),
                Instr.op(Op.ADD, List.of(0, 1), F), Instr.op(Op.MUL, List.of(4, 3), F), Instr.op(Op.SUB, List.of(0, 2), F),
                Instr.op(Op.ADD, List.of(6, 5), F));
        return KernelIR.multiOutput("E_points", List.of(DENSE, DENSE, DENSE, new KernelIR.Load(F, Access.BROADCAST)), body, List.of(5, 7))
                .withSlotGroups(List.of(0, 0, 0, 3, 4, 4));
    }

    /** Two points of a patch read, changed and written back (slots 0-1 read, 3-4 written: one group), a plane (slot 2) alone. */
    private static KernelIR addedIntoPatch() {
        List<Instr> body = List.of(Instr.load(0, F), Instr.load(1, F), Instr.load(2, F), Instr.op(Op.ADD, List.of(0, 2), F),
                Instr.op(Op.SUB, List.of(2, 1), F), Instr.op(Op.ADD, List.of(1, 4), F));
        return KernelIR.multiOutput("E_patch", List.of(DENSE, DENSE, DENSE), body, List.of(3, 5)).withSlotGroups(List.of(0, 0, 2, 0, 0));
    }

    @Test
    void groupedSlotsGiveTheInterpretersAndTheReferencesBits() {
        Random random = new Random(31);
        KernelIR ir = sumsOfPoints();
        FusedKernel[] kernels = kernels(ir);
        for (int n : LENGTHS) {
            for (int rows : ROWS) {
                int pitch = n + random.nextInt(5), step = 3 * pitch + random.nextInt(4); // 3 points a row, rows a step apart
                float[] x = randoms(random, 5 + rows * step), zero = new float[rows * step + n], scale = randoms(random, rows + 2);
                int base = 2 + random.nextInt(3);
                // point 1 is "outside": its own array of zeros, at an offset the group's step keeps inside it
                Object[] arrays = {x, zero, x, scale, null, null};
                int[] offsets = {base, 0, base + 2 * pitch, 1, 1, 1 + 2 * pitch};
                int[] strides = {step, step, step, 1, step, step};
                float[] expected = new float[1 + rows * step + 2 * pitch];
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < n; i++) {
                        float a = x[base + r * step + i], b = zero[r * step + i], c = x[base + 2 * pitch + r * step + i];
                        float p0 = (a + b) * scale[1 + r];
                        expected[1 + r * step + i] = p0;
                        expected[1 + 2 * pitch + r * step + i] = (a - c) + p0;
                    }
                }
                for (FusedKernel k : kernels) {
                    float[] out = new float[expected.length];
                    arrays[4] = out;
                    arrays[5] = out;
                    k.runRows(arrays, offsets, new int[6][], n, strides, rows);
                    assertArrayEquals(expected, out, "n=" + n + " rows=" + rows + " " + k);
                    if (rows == 1) { // run is runRows of one row
                        float[] once = new float[expected.length];
                        arrays[4] = once;
                        arrays[5] = once;
                        k.run(arrays, offsets, new int[6][], n);
                        assertArrayEquals(expected, once, "run n=" + n + " " + k);
                    }
                }
            }
        }
    }

    @Test
    void aGroupReadAndWrittenAddsIntoItsPointsRowByRow() {
        Random random = new Random(37);
        KernelIR ir = addedIntoPatch();
        FusedKernel[] kernels = kernels(ir);
        for (int n : LENGTHS) {
            for (int rows : ROWS) {
                // the two points are `step` apart and a row moves by `step`: point 1 of row r is point 0 of row r + 1
                int step = n + random.nextInt(3), base = random.nextInt(3);
                float[] patch = randoms(random, base + (rows + 1) * step), plane = randoms(random, rows * n + 1);
                float[] expected = patch.clone();
                for (int r = 0; r < rows; r++) { // rows in order, each reading what the one before wrote
                    for (int i = 0; i < n; i++) {
                        int p0 = base + r * step + i, p1 = p0 + step;
                        float a = expected[p0], b = expected[p1], v = plane[r * n + i];
                        expected[p0] = a + v;
                        expected[p1] = b + (v - b);
                    }
                }
                for (FusedKernel k : kernels) {
                    float[] got = patch.clone();
                    k.runRows(new Object[] {got, got, plane, got, got}, new int[] {base, base + step, 0, base, base + step}, new int[5][], n,
                            new int[] {step, step, n, step, step}, rows);
                    assertArrayEquals(expected, got, "n=" + n + " rows=" + rows + " " + k);
                }
            }
        }
    }

    @Test
    void groupsAreInTheKeyAndBreakingTheContractIsRefused() {
        KernelIR grouped = sumsOfPoints(), plain = grouped.withSlotGroups(List.of());
        assertNotEquals(plain.key(), grouped.key());
        assertEquals(0, grouped.groupOf(2));
        assertEquals(3, grouped.groupOf(3));
        assertEquals(2, plain.groupOf(2));
        assertThrows(IllegalArgumentException.class, () -> plain.withSlotGroups(List.of(0, 0, 0, 0, 4, 4)), "a broadcast slot in a group");
        assertThrows(IllegalArgumentException.class, () -> plain.withSlotGroups(List.of(0, 2, 2, 3, 4, 4)), "a group led by a later slot");
        assertThrows(IllegalArgumentException.class, () -> plain.withSlotGroups(List.of(0, 0, 1, 3, 4, 4)), "a leader in another group");
        assertThrows(IllegalArgumentException.class, () -> plain.withSlotGroups(List.of(0, 0, 0, 3)), "too few slots");
    }

    /** The generated code, directly and through method handles, and the interpreter. */
    private static FusedKernel[] kernels(KernelIR ir) {
        CpuCodegen.Generated g = CpuCodegen.compile(ir);
        return new FusedKernel[] {((TieredKernel) g.kernel()).generatedCode(), ((TieredKernel) g.opaque()).generatedCode(),
                new KernelInterpreter(ir, KernelSupport.S.length())};
    }

    private static float[] randoms(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
        return x;
    }
}
