package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Mode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Writes a row group as one class ({@link RowGroupKernel}): member {@code k}'s kernel is the method
 * {@code m<k>_run} (or {@code m<k>_reduce}), written by {@link CpuCodegen#kernelMethods} exactly as its own
 * class would hold it, so a member gives the bits its own generated code gives; the row loops call
 * those methods directly. In Java terms, for a layer norm's forward (two row sums, then the normalised row):
 *
 * <pre>{@code
 * public void rows(Object[][] a, int[][] origin, int[][] stride, int[][][] maps, int[] length, int from, int to) {
 *     Object[] a0 = a[0]; int[] o0 = new int[2]; int g00 = origin[0][0], s00 = stride[0][0], ...;
 *     float[] r0 = (float[]) a0[1]; ...
 *     for (int row = from; row < to; row++) {
 *         o0[0] = g00 + row * s00; o0[1] = g01 + row * s01;
 *         r0[o0[1]] = m0_reduce(a0, o0, maps0, n0);
 *         ...                                   // members 1, 2, ... in order
 *     }
 * }
 * }</pre>
 *
 * C2 compiles the row loop with its members' methods inlined where they are small (a layer norm's) and
 * called where they are not: a member's method takes arrays and offsets, never vectors, so a call that
 * stays a call boxes nothing.
 */
public final class RowGroupCodegen {
    private static final String ROWS_DESC = "([[Ljava/lang/Object;[[I[[I[[[I[III)V";
    private static final int ARRAYS = 1, ORIGIN = 2, STRIDE = 3, MAPS = 4, LENGTH = 5, FROM = 6, TO = 7;

    private RowGroupCodegen() {}

    /** The slots member {@code ir} takes in a row group: its inputs, its stored value if any, its output. */
    public static int slots(KernelIR ir) {
        return ir.inputSlots() + (ir.mode() == Mode.REDUCE_ROW ? (ir.storesValue() ? 2 : 1) : ir.outputs());
    }

    /**
     * The group of kernels {@code irs} (elementwise kernels and row reductions), generated and loaded now.
     * {@code onePerRow[k]}: member k is elementwise with one value per row (its loop has length 1 in
     * {@link RowGroupKernel#rows}), which {@link RowGroupKernel#blocksOfRows} runs once per block.
     */
    public static RowGroupKernel compile(KernelIR[] irs, boolean[] onePerRow) {
        byte[] bytes = generate(irs, onePerRow);
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (RowGroupKernel) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("Jit: generated row group of " + irs[0].name() + " and " + (irs.length - 1)
                    + " more failed to load: " + e + "\n" + CpuCodegen.text(bytes), e);
        }
    }

    /** The class file of the group (see {@link #compile}). */
    public static byte[] generate(KernelIR[] irs, boolean[] onePerRow) {
        for (KernelIR ir : irs) {
            if (ir.mode() == Mode.REDUCE_COLUMNS) throw new IllegalArgumentException("Jit: a column reduction (" + ir.name() + ") is not a row group member");
        }
        String name = CpuCodegen.className("G" + irs.length + "_" + irs[0].name());
        ClassWriter cw = CpuCodegen.classWriter(name, "dev/javelin/kernels/codegen/RowGroupKernel");
        for (int k = 0; k < irs.length; k++) CpuCodegen.kernelMethods(cw, name, prefix(k), ACC_PRIVATE, irs[k]);
        new Driver(cw.visitMethod(ACC_PUBLIC, "rows", ROWS_DESC, null, null), name, irs, onePerRow).rows();
        new Driver(cw.visitMethod(ACC_PUBLIC, "blocksOfRows", ROWS_DESC, null, null), name, irs, onePerRow).blocksOfRows();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static String prefix(int k) {
        return "m" + k + "_";
    }

    /** One of the row loops: each member's arrays, maps, length and offsets per slot in locals, then the loop. */
    private static final class Driver {
        private final MethodVisitor mv;
        private final String owner;
        private final KernelIR[] irs;
        private final boolean[] onePerRow;
        private final int[] arrays, maps, length, offsets, result;
        private final int[][] origin, stride;
        private int next = TO + 1;

        Driver(MethodVisitor mv, String owner, KernelIR[] irs, boolean[] onePerRow) {
            this.mv = mv;
            this.owner = owner;
            this.irs = irs;
            this.onePerRow = onePerRow;
            int m = irs.length;
            arrays = new int[m];
            maps = new int[m];
            length = new int[m];
            offsets = new int[m];
            result = new int[m];
            origin = new int[m][];
            stride = new int[m][];
        }

        private void prologue() {
            mv.visitCode();
            for (int k = 0; k < irs.length; k++) {
                int slots = slots(irs[k]);
                arrays[k] = element(ARRAYS, k, "[Ljava/lang/Object;");
                maps[k] = element(MAPS, k, "[[I");
                length[k] = next++;
                mv.visitVarInsn(ALOAD, LENGTH);
                push(k);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, length[k]);
                offsets[k] = next++;
                push(slots);
                mv.visitIntInsn(NEWARRAY, T_INT);
                mv.visitVarInsn(ASTORE, offsets[k]);
                origin[k] = ints(ORIGIN, k, slots);
                stride[k] = ints(STRIDE, k, slots);
                if (irs[k].mode() == Mode.REDUCE_ROW) {
                    result[k] = next++;
                    mv.visitVarInsn(ALOAD, arrays[k]);
                    push(slots - 1);
                    mv.visitInsn(AALOAD);
                    mv.visitTypeInsn(CHECKCAST, "[F");
                    mv.visitVarInsn(ASTORE, result[k]);
                }
            }
        }

        /** Every row through every member. */
        void rows() {
            prologue();
            int row = next++;
            mv.visitVarInsn(ILOAD, FROM);
            mv.visitVarInsn(ISTORE, row);
            Label head = new Label(), done = new Label();
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, row);
            mv.visitVarInsn(ILOAD, TO);
            mv.visitJumpInsn(IF_ICMPGE, done);
            for (int k = 0; k < irs.length; k++) {
                offsetsAt(k, row);
                call(k, length[k]);
            }
            mv.visitIincInsn(row, 1);
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(done);
            end();
        }

        /** Blocks of rows, member by member; a member of one value per row once per block. */
        void blocksOfRows() {
            prologue();
            int first = next++, blockEnd = next++, rows = next++, row = next++;
            mv.visitVarInsn(ILOAD, FROM);
            mv.visitVarInsn(ISTORE, first);
            Label head = new Label(), done = new Label();
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, first);
            mv.visitVarInsn(ILOAD, TO);
            mv.visitJumpInsn(IF_ICMPGE, done);
            mv.visitVarInsn(ILOAD, first);
            push(RowGroupKernel.ROWS_PER_BLOCK);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ILOAD, TO);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
            mv.visitVarInsn(ISTORE, blockEnd);
            mv.visitVarInsn(ILOAD, blockEnd);
            mv.visitVarInsn(ILOAD, first);
            mv.visitInsn(ISUB);
            mv.visitVarInsn(ISTORE, rows);
            for (int k = 0; k < irs.length; k++) {
                if (onePerRow[k]) {
                    offsetsAt(k, first);
                    call(k, rows);
                    continue;
                }
                mv.visitVarInsn(ILOAD, first);
                mv.visitVarInsn(ISTORE, row);
                Label inner = new Label(), memberDone = new Label();
                mv.visitLabel(inner);
                mv.visitVarInsn(ILOAD, row);
                mv.visitVarInsn(ILOAD, blockEnd);
                mv.visitJumpInsn(IF_ICMPGE, memberDone);
                offsetsAt(k, row);
                call(k, length[k]);
                mv.visitIincInsn(row, 1);
                mv.visitJumpInsn(GOTO, inner);
                mv.visitLabel(memberDone);
            }
            mv.visitIincInsn(first, RowGroupKernel.ROWS_PER_BLOCK);
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(done);
            end();
        }

        private void end() {
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /** offsets[k][s] = origin[k][s] + row * stride[k][s] for every slot. */
        private void offsetsAt(int k, int row) {
            for (int s = 0; s < origin[k].length; s++) {
                mv.visitVarInsn(ALOAD, offsets[k]);
                push(s);
                mv.visitVarInsn(ILOAD, origin[k][s]);
                mv.visitVarInsn(ILOAD, row);
                mv.visitVarInsn(ILOAD, stride[k][s]);
                mv.visitInsn(IMUL);
                mv.visitInsn(IADD);
                mv.visitInsn(IASTORE);
            }
        }

        /** Member k's method over {@code n} (a local) positions; a row reduction's value stored to its output slot. */
        private void call(int k, int n) {
            boolean reduce = irs[k].mode() == Mode.REDUCE_ROW;
            if (reduce) {
                mv.visitVarInsn(ALOAD, result[k]);
                mv.visitVarInsn(ALOAD, offsets[k]);
                push(origin[k].length - 1);
                mv.visitInsn(IALOAD);
            }
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(ALOAD, arrays[k]);
            mv.visitVarInsn(ALOAD, offsets[k]);
            mv.visitVarInsn(ALOAD, maps[k]);
            mv.visitVarInsn(ILOAD, n);
            mv.visitMethodInsn(INVOKESPECIAL, owner, prefix(k) + (reduce ? "reduce" : "run"),
                    reduce ? CpuCodegen.REDUCE_DESC : CpuCodegen.RUN_DESC, false);
            if (reduce) mv.visitInsn(FASTORE);
        }

        /** A local holding {@code param[k]}, cast to {@code type}. */
        private int element(int param, int k, String type) {
            int local = next++;
            mv.visitVarInsn(ALOAD, param);
            push(k);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, type);
            mv.visitVarInsn(ASTORE, local);
            return local;
        }

        /** Locals holding {@code param[k][0..count)}. */
        private int[] ints(int param, int k, int count) {
            int row = element(param, k, "[I");
            int[] locals = new int[count];
            for (int s = 0; s < count; s++) {
                locals[s] = next++;
                mv.visitVarInsn(ALOAD, row);
                push(s);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, locals[s]);
            }
            return locals;
        }

        private void push(int v) {
            if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
            else if (v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
            else mv.visitLdcInsn(v);
        }
    }
}
