package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The one definition of the GEMMs' register-blocked FMA tile, generated as bytecode (ASM) per
 * {@link Shape}: rows, vectors, how B's vectors lie, and A's two strides, each a constant of the
 * generated code or an argument ({@link #ARG}). The packed micro-kernel, the in-place and segmented
 * convolution tiles, the attention tiles and the row tiles of a one-row product are all this loop:
 *
 * <pre>{@code
 * FloatVector c00 = zero, ...;  if (load) { c00 = fromArray(S, c, ci); ... }        // rows × vectors
 * for (seg ...) {                                                                    // runSegments only
 *     for (int p = 0; p < kc; p++) {
 *         int bk = bi + seg·bSegment + p·bStep, ak = ai + seg·aSegment + p·acs;
 *         FloatVector b0 = fromArray(S, b, bk), b1 = fromArray(S, b, bk + L), ...;
 *         FloatVector v = broadcast(S, a[ak]); c00 = b0.fma(v, c00); c01 = b1.fma(v, c01); ...
 *         v = broadcast(S, a[ak + ars]); c10 = b0.fma(v, c10); ...
 *         ...                                                                        // each row
 *     }
 * }
 * c00.intoArray(c, ci); ...
 * }</pre>
 *
 * Why generated rather than one Java method with the strides as parameters: C2 removes A's range
 * checks from the loop only when the step's scale is a constant, and the packed kernel's A step
 * ({@code p·8}) as a parameter cost 7-10% of every packed GEMM (perf/NOTES.md, lines4); nor can a
 * Java method have a number of accumulators chosen by its caller. Each generated shape is the
 * straight-line method C2 saw when these tiles were written by hand, one per shape. No masked vector op
 * anywhere (a masked op C2 does not intrinsify once made a whole tile fall back to boxed vectors);
 * callers run edge tiles on zero-padded scratch.
 */
public final class RegisterTiles {
    /** An A stride read from the call's {@code ars} / {@code acs} argument instead of a constant. */
    public static final int ARG = Integer.MIN_VALUE;

    private static final String FV = VectorInstructions.FV, VS = VectorInstructions.VS;
    private static final String FVD = VectorInstructions.FVD, VSD = VectorInstructions.VSD;
    private static final String VD = "Ljdk/incubator/vector/Vector;";
    private static final String RUN_DESC = "(I[FIII[FIII[FIIZ)V";
    private static final String SEGMENTS_DESC = "(III" + RUN_DESC.substring(1);
    private static final ConcurrentHashMap<Shape, RegisterTile> TILES = new ConcurrentHashMap<>();

    private RegisterTiles() {}

    /**
     * A tile's shape.
     *
     * @param rows       rows of C, each with one A scalar broadcast per step
     * @param vectors    vectors of C per row
     * @param group      B's vectors per contiguous group ({@code vectors} when B's are one run; the groups are
     *                   {@code bGroup} floats apart, a row tile over several packed strips)
     * @param aRowStride A's row stride, a constant, or {@link #ARG}
     * @param aColStride A's step stride, a constant, or {@link #ARG}
     * @param sums       A is a row of ones, not read: {@code c = c + b}, which is {@code fma(1, b, c)} (one row only)
     * @param running    A's and B's indices are running sums, advanced by their steps after each step, instead of
     *                   {@code start + p·step}: the form of a one-row product's loop, whose B loads (one per FMA) C2
     *                   compiled faster so (decode's 1x1024x1024 on one thread: 0.071-0.072 ms, against 0.078 from the step)
     * @param cGrouped   C's vectors lie as B's do, groups {@code bGroup} apart, instead of one run: a row's last columns as
     *                   one tile whose groups may overlap (the same chain for a column read twice, so the same value)
     */
    public record Shape(int rows, int vectors, int group, int aRowStride, int aColStride, boolean sums, boolean running,
                        boolean cGrouped) {
        /** A shape whose indices are {@code start + p·step} (not running). */
        public Shape(int rows, int vectors, int group, int aRowStride, int aColStride, boolean sums) {
            this(rows, vectors, group, aRowStride, aColStride, sums, false);
        }

        /** A shape whose C vectors are one run. */
        public Shape(int rows, int vectors, int group, int aRowStride, int aColStride, boolean sums, boolean running) {
            this(rows, vectors, group, aRowStride, aColStride, sums, running, false);
        }

        public Shape {
            if (rows < 1 || vectors < 1 || group < 1 || vectors % group != 0 || (sums && rows != 1)) {
                throw new IllegalArgumentException("RegisterTiles.Shape: expected rows >= 1, vectors a multiple of group >= 1,"
                        + " one row for sums; got rows=" + rows + " vectors=" + vectors + " group=" + group + " sums=" + sums);
            }
        }
    }

    /** The tile of {@code shape} (generated and loaded once per shape, then shared). */
    public static RegisterTile of(Shape shape) {
        return TILES.computeIfAbsent(shape, RegisterTiles::load);
    }

    private static RegisterTile load(Shape s) {
        byte[] bytes = generate(s, KernelSupport.S.length());
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (RegisterTile) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("RegisterTiles: the tile " + s + " failed to load: " + e, e);
        }
    }

    /** The class file of {@code s}'s tile for vectors of {@code lanes} floats. */
    static byte[] generate(Shape s, int lanes) {
        String name = "dev/javelin/kernels/codegen/RegisterTile" + s.rows() + "x" + s.vectors();
        ClassWriter cw = CpuCodegen.classWriter(name, "dev/javelin/kernels/codegen/RegisterTile");
        new Emitter(s, lanes, cw.visitMethod(ACC_PUBLIC, "run", RUN_DESC, null, null), false).emit();
        new Emitter(s, lanes, cw.visitMethod(ACC_PUBLIC, "runSegments", SEGMENTS_DESC, null, null), true).emit();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** One method: {@code run}, or {@code runSegments} (the same body inside a loop over segments). */
    private static final class Emitter {
        private final Shape s;
        private final int lanes;
        private final MethodVisitor mv;
        private final boolean segmented;
        /** Parameter slots (after {@code this}, and after the three segment parameters in runSegments). */
        private final int kc, a, ai, ars, acs, b, bi, bStep, bGroup, c, ci, ldc, load;
        private final int[][] acc;
        private final int[] bv, rowOffset;
        private final int p, bk, ak, av, seg, aSeg, bSeg;

        Emitter(Shape s, int lanes, MethodVisitor mv, boolean segmented) {
            this.s = s;
            this.lanes = lanes;
            this.mv = mv;
            this.segmented = segmented;
            int o = segmented ? 3 : 0;
            kc = 1 + o; a = 2 + o; ai = 3 + o; ars = 4 + o; acs = 5 + o; b = 6 + o; bi = 7 + o; bStep = 8 + o; bGroup = 9 + o;
            c = 10 + o; ci = 11 + o; ldc = 12 + o; load = 13 + o;
            int next = 14 + o;
            acc = new int[s.rows()][s.vectors()];
            for (int[] row : acc) for (int v = 0; v < row.length; v++) row[v] = next++;
            bv = new int[s.vectors()];
            for (int v = 0; v < bv.length; v++) bv[v] = next++;
            rowOffset = new int[s.rows()];
            for (int r = 0; r < rowOffset.length; r++) rowOffset[r] = next++;
            p = next++; bk = next++; ak = next++; av = next++; seg = next++; aSeg = next++; bSeg = next;
        }

        void emit() {
            mv.visitCode();
            species();
            mv.visitMethodInsn(INVOKESTATIC, FV, "zero", "(" + VSD + ")" + FVD, false);
            for (int[] row : acc) for (int x : row) { mv.visitInsn(DUP); mv.visitVarInsn(ASTORE, x); }
            mv.visitInsn(POP);
            Label loaded = new Label();
            mv.visitVarInsn(ILOAD, load);
            mv.visitJumpInsn(IFEQ, loaded);
            for (int r = 0; r < s.rows(); r++) {
                for (int v = 0; v < s.vectors(); v++) {
                    species();
                    mv.visitVarInsn(ALOAD, c);
                    cIndex(r, v);
                    mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI)" + FVD, false);
                    mv.visitVarInsn(ASTORE, acc[r][v]);
                }
            }
            mv.visitLabel(loaded);
            if (!s.sums() && s.aRowStride() == ARG) { // each row's offset in A, r·ars, hoisted (a constant stride is an immediate)
                for (int r = 1; r < s.rows(); r++) {
                    scaled(r, ARG, ars);
                    mv.visitVarInsn(ISTORE, rowOffset[r]);
                }
            }
            if (segmented) {
                Label top = new Label(), end = new Label();
                push(0);
                mv.visitVarInsn(ISTORE, seg);
                mv.visitLabel(top);
                mv.visitVarInsn(ILOAD, seg);
                mv.visitVarInsn(ILOAD, 1);
                mv.visitJumpInsn(IF_ICMPGE, end);
                offset(aSeg, ai, 2);
                offset(bSeg, bi, 3);
                steps(aSeg, bSeg);
                mv.visitIincInsn(seg, 1);
                mv.visitJumpInsn(GOTO, top);
                mv.visitLabel(end);
            } else {
                steps(ai, bi);
            }
            for (int r = 0; r < s.rows(); r++) {
                for (int v = 0; v < s.vectors(); v++) {
                    mv.visitVarInsn(ALOAD, acc[r][v]);
                    mv.visitVarInsn(ALOAD, c);
                    cIndex(r, v);
                    mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI)V", false);
                }
            }
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /** {@code dst = base + seg·segmentParam}. */
        private void offset(int dst, int base, int segmentParam) {
            mv.visitVarInsn(ILOAD, base);
            mv.visitVarInsn(ILOAD, seg);
            mv.visitVarInsn(ILOAD, segmentParam);
            mv.visitInsn(IMUL);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, dst);
        }

        /** The loop over kc steps, A's rows from {@code aStart}, B from {@code bStart}. */
        private void steps(int aStart, int bStart) {
            Label top = new Label(), end = new Label();
            if (s.running()) { // bk = bStart, ak = aStart, advanced at the end of each step
                mv.visitVarInsn(ILOAD, bStart);
                mv.visitVarInsn(ISTORE, bk);
                if (!s.sums()) {
                    mv.visitVarInsn(ILOAD, aStart);
                    mv.visitVarInsn(ISTORE, ak);
                }
            }
            push(0);
            mv.visitVarInsn(ISTORE, p);
            mv.visitLabel(top);
            mv.visitVarInsn(ILOAD, p);
            mv.visitVarInsn(ILOAD, kc);
            mv.visitJumpInsn(IF_ICMPGE, end);
            if (!s.running()) { // bk = bStart + p·bStep, ak = aStart + p·acs
                mv.visitVarInsn(ILOAD, bStart);
                scaledLocal(p, ARG, bStep);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, bk);
                if (!s.sums()) {
                    mv.visitVarInsn(ILOAD, aStart);
                    scaledLocal(p, s.aColStride(), acs);
                    mv.visitInsn(IADD);
                    mv.visitVarInsn(ISTORE, ak);
                }
            }
            for (int v = 0; v < s.vectors(); v++) {
                species();
                mv.visitVarInsn(ALOAD, b);
                mv.visitVarInsn(ILOAD, bk);
                plusScaled(v / s.group(), ARG, bGroup);
                plusScaled(v % s.group(), lanes, 0);
                mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI)" + FVD, false);
                mv.visitVarInsn(ASTORE, bv[v]);
            }
            for (int r = 0; r < s.rows(); r++) {
                if (!s.sums()) { // v = broadcast(S, a[ak + r·ars])
                    species();
                    mv.visitVarInsn(ALOAD, a);
                    mv.visitVarInsn(ILOAD, ak);
                    if (s.aRowStride() != ARG) {
                        plusScaled(r, s.aRowStride(), 0);
                    } else if (r > 0) {
                        mv.visitVarInsn(ILOAD, rowOffset[r]);
                        mv.visitInsn(IADD);
                    }
                    mv.visitInsn(FALOAD);
                    mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + VSD + "F)" + FVD, false);
                    mv.visitVarInsn(ASTORE, av);
                }
                for (int v = 0; v < s.vectors(); v++) {
                    if (s.sums()) { // c = c + b
                        mv.visitVarInsn(ALOAD, acc[r][v]);
                        mv.visitVarInsn(ALOAD, bv[v]);
                        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "add", "(" + VD + ")" + FVD, false);
                    } else { // c = b.fma(v, c)
                        mv.visitVarInsn(ALOAD, bv[v]);
                        mv.visitVarInsn(ALOAD, av);
                        mv.visitVarInsn(ALOAD, acc[r][v]);
                        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "fma", "(" + VD + VD + ")" + FVD, false);
                    }
                    mv.visitVarInsn(ASTORE, acc[r][v]);
                }
            }
            if (s.running()) {
                mv.visitVarInsn(ILOAD, bk);
                mv.visitVarInsn(ILOAD, bStep);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, bk);
                if (!s.sums()) {
                    mv.visitVarInsn(ILOAD, ak);
                    scaled(1, s.aColStride(), acs);
                    mv.visitInsn(IADD);
                    mv.visitVarInsn(ISTORE, ak);
                }
            }
            mv.visitIincInsn(p, 1);
            mv.visitJumpInsn(GOTO, top);
            mv.visitLabel(end);
        }

        /** C's vector (r, v): {@code ci + r·ldc + v·L}, or with B's groups {@code ci + r·ldc + (v / group)·bGroup + (v % group)·L}. */
        private void cIndex(int r, int v) {
            mv.visitVarInsn(ILOAD, ci);
            plusScaled(r, ARG, ldc);
            if (s.cGrouped()) plusScaled(v / s.group(), ARG, bGroup);
            plusScaled(s.cGrouped() ? v % s.group() : v, lanes, 0);
        }

        /** Adds {@code n·stride} ({@link #scaled}) to the int on the stack; nothing when n is 0. */
        private void plusScaled(int n, int stride, int param) {
            if (n == 0) return;
            scaled(n, stride, param);
            mv.visitInsn(IADD);
        }

        /** Pushes {@code n·stride}: a constant when the stride is one, else {@code n·param} (just the param when n is 1). */
        private void scaled(int n, int stride, int param) {
            if (stride != ARG) {
                push(n * stride);
                return;
            }
            mv.visitVarInsn(ILOAD, param);
            if (n != 1) {
                push(n);
                mv.visitInsn(IMUL);
            }
        }

        /** Pushes {@code local·stride}, the stride a constant or the argument {@code param}. */
        private void scaledLocal(int local, int stride, int param) {
            mv.visitVarInsn(ILOAD, local);
            if (stride == ARG) {
                mv.visitVarInsn(ILOAD, param);
                mv.visitInsn(IMUL);
            } else if (stride != 1) {
                push(stride);
                mv.visitInsn(IMUL);
            }
        }

        private void species() {
            mv.visitFieldInsn(GETSTATIC, FV, "SPECIES_PREFERRED", VSD);
        }

        private void push(int v) {
            if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
            else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
            else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
            else mv.visitLdcInsn(v);
        }
    }
}
