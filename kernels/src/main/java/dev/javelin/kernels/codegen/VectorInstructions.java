package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import org.objectweb.asm.MethodVisitor;

/**
 * The instruction table of the CPU code generator: each instruction of a decomposed kernel body
 * as Vector API calls written straight into the kernel's bytecode (float32 values are
 * {@code FloatVector}s, int32 values {@code IntVector}s of the same shape, bool values
 * {@code VectorMask}s). The Vector API's methods are intrinsics that C2 always inlines, so a
 * generated loop is one compiled method with no call that C2 could decline to inline (which would
 * box every vector passed to it).
 */
final class VectorInstructions {
    static final String FV = "jdk/incubator/vector/FloatVector";
    static final String IV = "jdk/incubator/vector/IntVector";
    static final String VM = "jdk/incubator/vector/VectorMask";
    static final String VS = "jdk/incubator/vector/VectorSpecies";
    static final String FVD = "L" + FV + ";", IVD = "L" + IV + ";", VMD = "L" + VM + ";", VSD = "L" + VS + ";";
    private static final String VD = "Ljdk/incubator/vector/Vector;";
    private static final String OPS = "jdk/incubator/vector/VectorOperators";

    private final MethodVisitor mv;
    private final String owner;

    VectorInstructions(MethodVisitor mv, String owner) {
        this.mv = mv;
        this.owner = owner;
    }

    /** The JVM type of a value of {@code t}. */
    static String type(DType t) {
        return switch (t) {
            case BOOL -> VMD;
            case INT32 -> IVD;
            default -> FVD;
        };
    }

    /**
     * Emits {@code in} with its arguments already on the stack, in order, leaving its result there;
     * {@code argType} is the dtype of its first argument (a comparison of masks differs from one of floats).
     */
    void emit(Instr in, DType argType) {
        if (in.prim() != null) {
            prim(in);
        } else if (argType == DType.BOOL && in.op() != Op.WHERE) {
            maskOp(in.op());
        } else {
            floatOp(in);
        }
    }

    private void prim(Instr in) {
        switch (in.prim()) {
            case CONST -> {
                if (in.dtype() == DType.INT32) {
                    mv.visitFieldInsn(GETSTATIC, owner, "I", VSD);
                    mv.visitLdcInsn(in.constant());
                    mv.visitMethodInsn(INVOKESTATIC, IV, "broadcast", "(" + VSD + "I)" + IVD, false);
                } else {
                    constant(Float.intBitsToFloat(in.constant()));
                }
            }
            case FMA -> floatCall("fma", "(" + VD + VD + ")" + FVD);
            case BITS -> bits();
            case FROM_BITS -> mv.visitMethodInsn(INVOKEVIRTUAL, IV, "reinterpretAsFloats", "()" + FVD, false);
            case TO_FLOAT -> {
                mv.visitFieldInsn(GETSTATIC, OPS, "I2F", "L" + OPS + "$Conversion;");
                mv.visitInsn(ICONST_0);
                mv.visitMethodInsn(INVOKEVIRTUAL, IV, "convert", "(L" + OPS + "$Conversion;I)" + VD, false);
                mv.visitTypeInsn(CHECKCAST, FV);
            }
            case IADD -> intCall("add");
            case ISUB -> intCall("sub");
            case IAND -> intCall("and");
            case IOR -> intCall("or");
            case SHL -> shift("LSHL", in.constant());
            case SHR -> shift("ASHR", in.constant());
            case USHR -> shift("LSHR", in.constant());
            case AND -> maskCall("and", 1);
            case OR -> maskCall("or", 1);
            case IF_ANY -> { } // the mask itself; the branch around its region is the loop's (KernelBody)
            case TABLE -> throw new IllegalStateException("Jit: a table read is a gather the kernel body writes");
        }
    }

    private void floatOp(Instr in) {
        switch (in.op()) {
            case NEG -> floatCall("neg", "()" + FVD);
            case ABS -> floatCall("abs", "()" + FVD);
            case SQRT -> floatCall("sqrt", "()" + FVD);
            case ADD, SUB, MUL, DIV, MAX, MIN -> floatCall(in.op().label(), "(" + VD + ")" + FVD);
            case EQ, NE, LT, LE, GT, GE -> { // (a, b) -> a.compare(OP, b): the operator goes under b
                mv.visitFieldInsn(GETSTATIC, OPS, in.op().name(), "L" + OPS + "$Comparison;");
                mv.visitInsn(SWAP);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "compare", "(L" + OPS + "$Comparison;" + VD + ")" + VMD, false);
            }
            case WHERE -> where(in.dtype());
            default -> throw new IllegalStateException("Jit: no CPU instruction for " + in.op() + " (decompose it first)");
        }
    }

    /** (c, a, b) -> c ? a : b, that is b.blend(a, c) for floats and (a and c) or (b andNot c) for masks. */
    private void where(DType t) {
        // stack: c a b. Move c to the top: c a b -> a b c
        mv.visitInsn(DUP_X2); // b c a b
        mv.visitInsn(POP);    // b c a
        mv.visitInsn(SWAP);   // b a c
        if (t == DType.BOOL) {
            mv.visitInsn(DUP_X1);  // b c a c
            maskCall("and", 1);    // b c (a&c)
            mv.visitInsn(DUP_X2);  // (a&c) b c (a&c)
            mv.visitInsn(POP);     // (a&c) b c
            maskCall("andNot", 1); // (a&c) (b&~c)
            maskCall("or", 1);
        } else {
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, "blend", "(" + VD + VMD + ")" + FVD, false);
        }
    }

    /** Ops on bool operands (Ops allows max/min and comparisons of masks): max is or, min is and. */
    private void maskOp(Op op) {
        switch (op) {
            case LOGICAL_NOT -> maskCall("not", 0);
            case MAX -> maskCall("or", 1);
            case MIN -> maskCall("and", 1);
            case EQ -> maskCall("eq", 1);
            case NE -> { maskCall("eq", 1); maskCall("not", 0); }
            case GT -> maskCall("andNot", 1); // a and not b
            case LE -> { maskCall("andNot", 1); maskCall("not", 0); }
            case LT -> { mv.visitInsn(SWAP); maskCall("andNot", 1); } // b and not a
            case GE -> { mv.visitInsn(SWAP); maskCall("andNot", 1); maskCall("not", 0); }
            default -> throw new IllegalStateException("Jit: no CPU instruction for " + op + " on bool values");
        }
    }

    /** Pushes the float32 constant {@code v} as a vector. */
    void constant(float v) {
        species();
        mv.visitLdcInsn(v);
        mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + VSD + "F)" + FVD, false);
    }

    private void bits() {
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "reinterpretAsInts", "()" + IVD, false);
    }

    private void shift(String operator, int count) {
        mv.visitFieldInsn(GETSTATIC, OPS, operator, "L" + OPS + "$Binary;");
        mv.visitIntInsn(BIPUSH, count);
        mv.visitMethodInsn(INVOKEVIRTUAL, IV, "lanewise", "(L" + OPS + "$Binary;I)" + IVD, false);
    }

    private void floatCall(String name, String desc) {
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, name, desc, false);
    }

    private void intCall(String name) {
        mv.visitMethodInsn(INVOKEVIRTUAL, IV, name, "(" + VD + ")" + IVD, false);
    }

    private void maskCall(String name, int args) {
        mv.visitMethodInsn(INVOKEVIRTUAL, VM, name, args == 0 ? "()" + VMD : "(" + VMD + ")" + VMD, false);
    }

    private void species() {
        mv.visitFieldInsn(GETSTATIC, owner, "S", VSD);
    }

    /** Pushes an int constant with the shortest instruction. */
    void push(int v) {
        if (v <= 5) mv.visitInsn(ICONST_0 + v);
        else mv.visitIntInsn(v < 128 ? BIPUSH : SIPUSH, v);
    }

    /** Pushes a float reduction's identity as a vector: 0, -inf or +inf. */
    void reductionIdentity(Op reduce) {
        constant(switch (reduce) {
            case REDUCE_SUM -> 0f;
            case REDUCE_MAX -> Float.NEGATIVE_INFINITY;
            case REDUCE_MIN -> Float.POSITIVE_INFINITY;
            default -> throw new IllegalStateException("Jit: " + reduce + " is not a float reduction");
        });
    }

    /** (acc, v) -> acc (op) v. */
    void reductionCombine(Op reduce) {
        String name = switch (reduce) {
            case REDUCE_SUM -> "add";
            case REDUCE_MAX -> "max";
            default -> "min";
        };
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, name, "(Ljdk/incubator/vector/Vector;)" + FVD, false);
    }

    /**
     * (acc) -> its lanes reduced to a float. A sum adds the lanes in a fixed tree (lane i += lane i + w,
     * w = lanes/2 ... 1) as whole-vector steps, {@code acc = acc + acc.slice(w)}, then takes lane 0:
     * {@code reduceLanes(ADD)} leaves the order open and its interpreted and compiled forms differ. (The
     * tree was once scalar code over a float[lanes] per call: an array C2 cannot remove, so every row of a
     * row group and every attention score row allocated one, tens of MB a char-GPT train step.) max and
     * min do not depend on the order.
     */
    void reductionLanes(Op reduce) {
        if (reduce != Op.REDUCE_SUM) {
            mv.visitFieldInsn(GETSTATIC, "jdk/incubator/vector/VectorOperators", reduce == Op.REDUCE_MAX ? "MAX" : "MIN",
                    "Ljdk/incubator/vector/VectorOperators$Associative;");
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, "reduceLanes", "(Ljdk/incubator/vector/VectorOperators$Associative;)F", false);
            return;
        }
        for (int w = KernelSupport.S.length() / 2; w >= 1; w /= 2) { // lanes i < w: acc[i] + acc[i + w]; the rest are not read again
            mv.visitInsn(DUP);
            push(w);
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, "slice", "(I)" + FVD, false);
            mv.visitMethodInsn(INVOKEVIRTUAL, FV, "add", "(Ljdk/incubator/vector/Vector;)" + FVD, false);
        }
        mv.visitInsn(ICONST_0);
        mv.visitMethodInsn(INVOKEVIRTUAL, FV, "lane", "(I)F", false);
    }
}
