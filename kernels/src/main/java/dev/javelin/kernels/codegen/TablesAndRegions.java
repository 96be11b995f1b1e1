package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.kernels.ir.KernelTable;
import java.util.function.IntSupplier;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * What a kernel body holds beyond straight-line vector instructions, for {@link KernelBody}: reads of
 * a constant table ({@link Prim#TABLE}: a gather through an index array of one vector's lanes) and
 * regions the loop jumps over when no lane of their mask is set ({@link Prim#IF_ANY}).
 */
final class TablesAndRegions {
    private static final String FV = VectorInstructions.FV, VS = VectorInstructions.VS;
    private static final String FVD = VectorInstructions.FVD, VMD = VectorInstructions.VMD, VSD = VectorInstructions.VSD;

    private final KernelIR ir;
    private final String owner;
    private final MethodVisitor mv;
    private final VectorInstructions instructions;
    /** The gather's index array, and each table's entries: locals set before the loop. */
    private int scratch = -1;
    private final int[] tables = new int[KernelTable.values().length];
    /** Per instruction: true when a value after its region reads it (it needs a value when the region is skipped). */
    private final boolean[] escapes;

    TablesAndRegions(KernelIR ir, String owner, MethodVisitor mv, VectorInstructions instructions) {
        this.ir = ir;
        this.owner = owner;
        this.mv = mv;
        this.instructions = instructions;
        int n = ir.body().size();
        escapes = new boolean[n];
        for (int k = 0; k < n; k++) {
            Instr in = ir.body().get(k);
            if (in.prim() != Prim.IF_ANY) continue;
            int end = k + in.constant();
            for (int j = end + 1; j < n; j++) {
                for (int a : ir.body().get(j).args()) if (a > k && a <= end) escapes[a] = true;
            }
        }
    }

    /** Before the loop, for bodies with a table read: the index array and each table's entries in new locals. */
    void prologue(IntSupplier local) {
        for (Instr in : ir.body()) {
            if (in.prim() != Prim.TABLE) continue;
            if (scratch < 0) {
                scratch = local.getAsInt();
                mv.visitFieldInsn(GETSTATIC, owner, "I", VSD);
                mv.visitMethodInsn(INVOKEINTERFACE, VS, "length", "()I", true);
                mv.visitIntInsn(NEWARRAY, T_INT);
                mv.visitVarInsn(ASTORE, scratch);
            }
            if (tables[in.constant()] == 0) {
                tables[in.constant()] = local.getAsInt();
                mv.visitLdcInsn(in.constant());
                mv.visitMethodInsn(INVOKESTATIC, "dev/javelin/kernels/ir/KernelTable", "entries", "(I)[F", false);
                mv.visitVarInsn(ASTORE, tables[in.constant()]);
            }
        }
    }

    /** (index) -> the table's entries at the lanes' indices: a gather through the index array. */
    void table(int table) {
        mv.visitVarInsn(ALOAD, scratch);
        mv.visitInsn(ICONST_0);
        mv.visitMethodInsn(INVOKEVIRTUAL, VectorInstructions.IV, "intoArray", "([II)V", false);
        mv.visitFieldInsn(GETSTATIC, owner, "S", VSD);
        mv.visitVarInsn(ALOAD, tables[table]);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ALOAD, scratch);
        mv.visitInsn(ICONST_0);
        mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI[II)" + FVD, false);
    }

    /**
     * Before the loop: a placeholder in each local a region's later readers read, so it holds a
     * value when the region is skipped (any value: the readers take it only where the mask is set).
     */
    void placeholders(int[] value, boolean[] invariant) {
        for (int j = 0; j < value.length; j++) {
            if (!escapes[j] || invariant[j]) continue;
            switch (ir.body().get(j).dtype()) {
                case BOOL -> {
                    mv.visitFieldInsn(GETSTATIC, owner, "S", VSD);
                    mv.visitInsn(ICONST_0);
                    mv.visitMethodInsn(INVOKEINTERFACE, VS, "maskAll", "(Z)" + VMD, true);
                }
                case INT32 -> {
                    mv.visitFieldInsn(GETSTATIC, owner, "I", VSD);
                    mv.visitMethodInsn(INVOKESTATIC, VectorInstructions.IV, "zero", "(" + VSD + ")" + VectorInstructions.IVD, false);
                }
                default -> instructions.constant(0f);
            }
            mv.visitVarInsn(ASTORE, value[j]);
        }
    }

    /** Opens a region whose mask is in local {@code mask}: a jump past it when no lane is set. Returns the label to place after it. */
    Label open(int mask) {
        Label skip = new Label();
        mv.visitVarInsn(ALOAD, mask);
        mv.visitMethodInsn(INVOKEVIRTUAL, VectorInstructions.VM, "anyTrue", "()Z", false);
        mv.visitJumpInsn(IFEQ, skip);
        return skip;
    }
}
