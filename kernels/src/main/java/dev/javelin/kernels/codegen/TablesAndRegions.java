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
 * regions the loop jumps over when no lane of their mask is set ({@link Prim#IF_ANY}). A short region
 * is written into the loop ({@link KernelBody}); a long one as its own static method ({@code region<k>}: the values it reads in, the values read after
 * it out, in an array), called from the loop only when a lane needs it: its instructions stay out of
 * the loop's bytecode, which HotSpot compiles only below 8000 bytes. A call C2 does not inline boxes
 * its vectors, which costs time only where the region runs; the bits are the same either way.
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
    {
        java.util.Arrays.fill(tables, -1);
    }
    /** Per instruction: true when a value after its region reads it (it needs a value when the region is skipped). */
    private final boolean[] escapes;
    /** The regions whose method is to be written, by the index of their IF_ANY. */
    private final java.util.Map<Integer, int[]> called = new java.util.TreeMap<>();

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

    /** Before the loop (or a region's method body): the index array and each table's entries in new locals, for the table reads of instructions {@code from..to}. */
    void prologue(IntSupplier local, int from, int to) {
        for (int k = from; k <= to; k++) {
            Instr in = ir.body().get(k);
            if (in.prim() != Prim.TABLE) continue;
            if (scratch < 0) {
                scratch = local.getAsInt();
                mv.visitFieldInsn(GETSTATIC, owner, "I", VSD);
                mv.visitMethodInsn(INVOKEINTERFACE, VS, "length", "()I", true);
                mv.visitIntInsn(NEWARRAY, T_INT);
                mv.visitVarInsn(ASTORE, scratch);
            }
            if (tables[in.constant()] < 0) {
                tables[in.constant()] = local.getAsInt();
                mv.visitLdcInsn(in.constant());
                mv.visitMethodInsn(INVOKESTATIC, "dev/javelin/kernels/ir/KernelTable", "entries", "(I)[F", false);
                if (inRegister(in.constant())) { // the whole table in one vector, read by a lane permutation
                    mv.visitVarInsn(ASTORE, tables[in.constant()]);
                    mv.visitFieldInsn(GETSTATIC, owner, "S", VSD);
                    mv.visitVarInsn(ALOAD, tables[in.constant()]);
                    mv.visitInsn(ICONST_0);
                    mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI)" + FVD, false);
                }
                mv.visitVarInsn(ASTORE, tables[in.constant()]);
            }
        }
    }

    /** Whether a table is as long as a vector: then it is held in one and read by a lane permutation (no memory round trip). */
    private static boolean inRegister(int table) {
        return KernelTable.values()[table].entries().length == KernelSupport.S.length();
    }

    /** (index) -> the table's entries at the lanes' indices: a lane permutation of the table's vector, or a gather through the index array. */
    void table(int table) {
        if (inRegister(table)) { // indices as floats select lanes of the table's vector
            mv.visitFieldInsn(GETSTATIC, "jdk/incubator/vector/VectorOperators", "I2F", "Ljdk/incubator/vector/VectorOperators$Conversion;");
            mv.visitInsn(ICONST_0);
            mv.visitMethodInsn(INVOKEVIRTUAL, VectorInstructions.IV, "convert", "(Ljdk/incubator/vector/VectorOperators$Conversion;I)Ljdk/incubator/vector/Vector;", false);
            mv.visitTypeInsn(CHECKCAST, FV);
            mv.visitVarInsn(ALOAD, tables[table]);
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, "selectFrom", "(Ljdk/incubator/vector/Vector;)" + FVD, false);
            return;
        }
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

    /**
     * After the jump of {@link #open}: calls region {@code k}'s method with the values it reads (those
     * before it, and its own loop-invariant ones, computed before the loop) and unpacks the values
     * read after it into their locals. Returns the index of the region's last instruction.
     */
    int call(int k, int[] value, boolean[] invariant) {
        int end = k + ir.body().get(k).constant();
        java.util.TreeSet<Integer> in = new java.util.TreeSet<>();
        for (int j = k + 1; j <= end; j++) {
            if (invariant[j]) continue;
            for (int a : ir.body().get(j).args()) {
                if ((a <= k || invariant[a]) && ir.body().get(a).prim() != Prim.CONST) in.add(a);
            }
        }
        int[] liveIn = in.stream().mapToInt(Integer::intValue).toArray();
        int[] out = java.util.stream.IntStream.rangeClosed(k + 1, end).filter(j -> escapes[j] && !invariant[j]).toArray();
        called.put(k, liveIn);
        for (int a : liveIn) mv.visitVarInsn(ALOAD, value[a]);
        mv.visitMethodInsn(INVOKESTATIC, owner, "region" + k, descriptor(liveIn), false);
        for (int e = 0; e < out.length; e++) {
            mv.visitInsn(DUP);
            mv.visitLdcInsn(e);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, type(ir.body().get(out[e]).dtype()));
            mv.visitVarInsn(ASTORE, value[out[e]]);
        }
        mv.visitInsn(POP);
        return end;
    }

    /** Writes the method of each region {@link #call} called. */
    void methods(org.objectweb.asm.ClassVisitor cv, boolean[] invariant) {
        for (var r : called.entrySet()) method(cv, r.getKey(), r.getValue(), invariant);
    }

    private void method(org.objectweb.asm.ClassVisitor cv, int k, int[] liveIn, boolean[] invariant) {
        int end = k + ir.body().get(k).constant();
        MethodVisitor m = cv.visitMethod(ACC_PRIVATE | ACC_STATIC, "region" + k, descriptor(liveIn), null, null);
        m.visitCode();
        VectorInstructions vi = new VectorInstructions(m, owner);
        int[] local = new int[ir.body().size()];
        java.util.Arrays.fill(local, -1);
        int next = 0;
        for (int a : liveIn) local[a] = next++;
        TablesAndRegions reads = new TablesAndRegions(ir, owner, m, vi);
        int[] counter = {next};
        reads.prologue(() -> counter[0]++, k + 1, end);
        next = counter[0];
        for (int j = k + 1; j <= end; j++) {
            Instr in = ir.body().get(j);
            if (invariant[j]) continue; // a live-in
            for (int a : in.args()) {
                if (local[a] >= 0) m.visitVarInsn(ALOAD, local[a]);
                else vi.emit(ir.body().get(a), null); // a constant from before the region, made again here
            }
            if (in.prim() == Prim.TABLE) reads.table(in.constant());
            else vi.emit(in, in.args().isEmpty() ? null : ir.body().get(in.args().get(0)).dtype());
            local[j] = next++;
            m.visitVarInsn(ASTORE, local[j]);
        }
        int[] out = java.util.stream.IntStream.rangeClosed(k + 1, end).filter(j -> escapes[j] && !invariant[j]).toArray();
        m.visitLdcInsn(out.length);
        m.visitTypeInsn(ANEWARRAY, "java/lang/Object");
        for (int e = 0; e < out.length; e++) {
            m.visitInsn(DUP);
            m.visitLdcInsn(e);
            m.visitVarInsn(ALOAD, local[out[e]]);
            m.visitInsn(AASTORE);
        }
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    private String descriptor(int[] liveIn) {
        StringBuilder d = new StringBuilder("(");
        for (int a : liveIn) d.append(VectorInstructions.type(ir.body().get(a).dtype()));
        return d.append(")[Ljava/lang/Object;").toString();
    }

    private static String type(dev.javelin.tensor.DType t) {
        String d = VectorInstructions.type(t);
        return d.substring(1, d.length() - 1);
    }
}
