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
 *     if (i < n) tail(a, off, maps, n, i);
 * }
 * private void tail(Object[] a, int[] off, int[][] maps, int n, int i) {  // the same body, masked
 *     ... VectorMask<Float> m = S.indexInRange(i, n);
 *     ... FloatVector.fromArray(S, a0, o0 + i, m) ... v2.intoArray(out, oo + i, m);
 * }
 * }</pre>
 *
 * The masked last vector is a method of its own so that each method holds the body once: C1 gave up
 * on pow's kernel with both copies in one method ("out of virtual registers in linear scan"), and in
 * about half the JVMs the kernel then stayed at C1's first tier, where every vector is an object
 * (205 ns per float against 3.3).
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
     * A kernel for {@code ir}, called through {@link #kernel()} or through method handles
     * ({@link #opaque()}, what launchers use, see {@link OpaqueKernel}). Both run in
     * {@link KernelInterpreter} until the generated code is warm ({@link TieredKernel}); the class
     * itself is generated when first needed (when the generated tier takes over),
     * so a kernel called once costs no class at all.
     */
    public static final class Generated {
        private final KernelTiers tiers;
        private final FusedKernel kernel, opaque;

        private Generated(KernelTiers tiers) {
            this.tiers = tiers;
            this.kernel = new TieredKernel(tiers, false);
            this.opaque = new TieredKernel(tiers, true);
        }

        public FusedKernel kernel() {
            return kernel;
        }

        public FusedKernel opaque() {
            return opaque;
        }

        /** The class file (generated now if it was not yet). */
        public byte[] bytes() {
            return tiers.loaded().bytes();
        }

        /** How long generating and loading the class took; 0 while it is not generated. */
        public long nanos() {
            Loaded l = tiers.loadedIfAny();
            return l == null ? 0 : l.nanos();
        }

        /** The bytecode as text (ASM's Textifier), what {@code JAVELIN_DEBUG=2} prints. */
        public String text() {
            return CpuCodegen.text(bytes());
        }
    }

    /** A generated class, loaded: the instance, the same through method handles, its bytes, the time it took. */
    record Loaded(byte[] bytes, FusedKernel kernel, FusedKernel opaque, long nanos) {}

    /**
     * The kernel for {@code ir}. Under {@code -Djavelin.kernels.tiers=vector} its class is generated
     * now (so a code generation error shows here); otherwise when first needed.
     */
    public static Generated compile(KernelIR ir) {
        Generated g = new Generated(new KernelTiers(ir, KernelSupport.S.length()));
        if (TieredKernel.policy() == TieredKernel.Policy.VECTOR) g.bytes();
        return g;
    }

    /** Generates, defines (as a hidden class, unloadable with its last user) and instantiates {@code ir}. */
    static Loaded load(KernelIR ir) {
        long start = System.nanoTime();
        byte[] bytes = generate(ir);
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            FusedKernel k = (FusedKernel) hidden.findConstructor(hidden.lookupClass(),
                    java.lang.invoke.MethodType.methodType(void.class)).invoke();
            return new Loaded(bytes, k, new OpaqueKernel(hidden, k), System.nanoTime() - start);
        } catch (Throwable e) {
            throw new IllegalStateException("Jit: generated kernel " + ir.name() + " failed to load: " + e + "\n" + text(bytes), e);
        }
    }

    private static String text(byte[] bytes) {
        StringWriter sw = new StringWriter();
        new ClassReader(bytes).accept(new TraceClassVisitor(new PrintWriter(sw)), 0);
        return sw.toString();
    }

    /**
     * A writer of the public final class {@code name} implementing {@code iface} (internal names), its no-argument
     * constructor written; frames computed. Generated kernels and register tiles ({@link RegisterTiles}) start here.
     */
    static ClassWriter classWriter(String name, String iface) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object"; // frames only merge identical types here; avoids loading classes
            }
        };
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, "java/lang/Object", new String[] {iface});
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        return cw;
    }

    /**
     * The class file for {@code ir}: its species fields ({@code S}, the preferred float species, and
     * {@code I}, int lanes of the same shape), {@code run} or {@code reduce}, and the methods they call.
     */
    public static byte[] generate(KernelIR ir) {
        String name = PACKAGE + ir.name().replaceAll("[^A-Za-z0-9_]", "_");
        ClassWriter cw = classWriter(name, "dev/javelin/kernels/codegen/FusedKernel");
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
        boolean row = ir.mode() == Mode.REDUCE_ROW;
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, row ? "reduce" : "run", row ? REDUCE_DESC : RUN_DESC, null, null);
        KernelIR plain = Decompositions.apply(ir);
        new KernelBody(plain, name, mv, KernelBody.Method.LOOP).emit(cw);
        if (!row) { // the masked last vector: its own method, so each method holds the body once; runRows, the same loop per row
            MethodVisitor tail = cw.visitMethod(ACC_PRIVATE, "tail", KernelBody.TAIL_DESC, null, null);
            new KernelBody(plain, name, tail, KernelBody.Method.TAIL).emit(cw);
            MethodVisitor rows = cw.visitMethod(ACC_PUBLIC, "runRows", KernelBody.ROWS_DESC, null, null);
            new KernelBody(plain, name, rows, KernelBody.Method.ROWS).emit(cw);
        } else { // reduceRows: the reduction's loop per row, each row its own length
            MethodVisitor rows = cw.visitMethod(ACC_PUBLIC, "reduceRows", KernelBody.REDUCE_ROWS_DESC, null, null);
            new KernelBody(plain, name, rows, KernelBody.Method.REDUCE_ROWS).emit(cw);
        }
        cw.visitEnd();
        return cw.toByteArray();
    }
}
