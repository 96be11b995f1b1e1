package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.Decompositions;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Mode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandles;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * Writes the bytecode of one {@link KernelIR} as a class implementing {@link FusedKernel}, with ASM.
 * The generated method is, in Java terms (an elementwise kernel reading a contiguous and a
 * broadcast slot):
 *
 * <pre>{@code
 * static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
 * public void run(Object[] a, int[] off, int[][] maps, int n) {
 *     float[] a0 = (float[]) a[0]; int o0 = off[0];
 *     float[] a1 = (float[]) a[1]; int o1 = off[1]; FloatVector h1 = FloatVector.broadcast(S, a1[o1]);
 *     float[] out = (float[]) a[2]; int oo = off[2];
 *     int step = S.length(), bound = S.loopBound(n), i = 0;
 *     for (; i < bound; i += step) {
 *         FloatVector v0 = FloatVector.fromArray(S, a0, o0 + i);
 *         FloatVector v2 = v0.mul(h1);                         // Vector API calls per IR instruction
 *         v2.intoArray(out, oo + i);
 *     }
 *     if (i < n) {                                              // the same body, masked
 *         VectorMask<Float> m = S.indexInRange(i, n);
 *         ... FloatVector.fromArray(S, a0, o0 + i, m) ... v2.intoArray(out, oo + i, m);
 *     }
 * }
 * }</pre>
 *
 * A row reduction keeps an accumulator vector instead of storing, blends the tail's inactive lanes
 * to the identity, and returns the reduction of the accumulator's lanes; a column reduction loads
 * the output, combines, and stores it back. Transcendentals are first rewritten into arithmetic
 * ({@link Decompositions}); every instruction is then Vector API calls written into the loop
 * ({@link VectorInstructions}), nothing C2 could leave out of line.
 * Instructions on broadcast values only are computed once before the loop; constants are broadcast
 * where used (C2 rematerializes them instead of keeping dozens live across the loop).
 */
public final class CpuCodegen {
    private static final String FV = "jdk/incubator/vector/FloatVector";
    private static final String VS = "jdk/incubator/vector/VectorSpecies";
    private static final String VSD = "L" + VS + ";";
    private static final String PACKAGE = "dev/javelin/kernels/codegen/";
    private static final String RUN_DESC = "([Ljava/lang/Object;[I[[II)V";
    private static final String REDUCE_DESC = "([Ljava/lang/Object;[I[[II)F";

    private CpuCodegen() {}

    /**
     * A generated kernel: the instance, the same called through method handles (what launchers
     * use, see {@link OpaqueKernel}), its class bytes, and how long generation and loading took.
     * Both run in {@link KernelInterpreter} until the generated code is warm ({@link TieredKernel}).
     */
    public record Generated(FusedKernel kernel, FusedKernel opaque, byte[] bytes, long nanos) {
        /** The bytecode as text (ASM's Textifier), what {@code JAVELIN_DEBUG=2} prints. */
        public String text() {
            StringWriter sw = new StringWriter();
            new ClassReader(bytes).accept(new TraceClassVisitor(new PrintWriter(sw)), 0);
            return sw.toString();
        }
    }

    /** Generates, defines (as a hidden class, unloadable with its last user) and instantiates {@code ir}. */
    public static Generated compile(KernelIR ir) {
        long start = System.nanoTime();
        byte[] bytes = generate(ir);
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            FusedKernel k = (FusedKernel) hidden.findConstructor(hidden.lookupClass(),
                    java.lang.invoke.MethodType.methodType(void.class)).invoke();
            // callers get both tiers: the interpreter while this class's code is cold (TieredKernel)
            KernelWarmup tiers = new KernelWarmup(ir, k, KernelSupport.S.length());
            return new Generated(new TieredKernel(tiers, k), new TieredKernel(tiers, new OpaqueKernel(hidden, k)), bytes, System.nanoTime() - start);
        } catch (Throwable e) {
            throw new IllegalStateException("Jit: generated kernel " + ir.name() + " failed to load: " + e
                    + "\n" + new Generated(null, null, bytes, 0).text(), e);
        }
    }

    /** The class file for {@code ir}. */
    public static byte[] generate(KernelIR ir) {
        String name = PACKAGE + ir.name().replaceAll("[^A-Za-z0-9_]", "_");
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object"; // frames only merge identical types here; avoids loading classes
            }
        };
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object",
                new String[] {"dev/javelin/kernels/codegen/FusedKernel"});
        cw.visitField(ACC_STATIC | ACC_FINAL | ACC_PRIVATE, "S", VSD, null, null).visitEnd();
        cw.visitField(ACC_STATIC | ACC_FINAL | ACC_PRIVATE, "I", VSD, null, null).visitEnd(); // int lanes of the same shape
        MethodVisitor clinit = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
        clinit.visitCode();
        clinit.visitFieldInsn(GETSTATIC, FV, "SPECIES_PREFERRED", VSD);
        clinit.visitInsn(DUP);
        clinit.visitFieldInsn(PUTSTATIC, name, "S", VSD);
        clinit.visitFieldInsn(GETSTATIC, "java/lang/Integer", "TYPE", "Ljava/lang/Class;");
        clinit.visitMethodInsn(INVOKEINTERFACE, VS, "withLanes", "(Ljava/lang/Class;)" + VSD, true);
        clinit.visitFieldInsn(PUTSTATIC, name, "I", VSD);
        clinit.visitInsn(RETURN);
        clinit.visitMaxs(0, 0);
        clinit.visitEnd();
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        boolean row = ir.mode() == Mode.REDUCE_ROW;
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, row ? "reduce" : "run", row ? REDUCE_DESC : RUN_DESC, null, null);
        new KernelBody(Decompositions.apply(ir), name, mv).emit(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }
}
