package dev.javelin.jit.cpu;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.jit.plan.Fusion;
import dev.javelin.jit.plan.KernelIR;
import dev.javelin.jit.plan.KernelIR.Access;
import dev.javelin.jit.plan.KernelIR.Instr;
import dev.javelin.jit.plan.KernelIR.Mode;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits the bytecode of one kernel method for {@link CpuCodegen}: loads, one call into
 * {@link KernelSupport} per IR instruction, the store or the reduction; locals are laid out once and
 * shared by the loops.
 */
final class KernelBody {
    private static final String FV = "jdk/incubator/vector/FloatVector";
    private static final String VS = "jdk/incubator/vector/VectorSpecies";
    private static final String FVD = "L" + FV + ";";
    private static final String VMD = "Ljdk/incubator/vector/VectorMask;";
    private static final String VSD = "L" + VS + ";";
    private static final String SUPPORT = "dev/javelin/jit/cpu/KernelSupport";

    private static final int ARRAYS = 1, OFFSETS = 2, MAPS = 3, N = 4;
    private final KernelIR ir;
    private final String owner;
    private final MethodVisitor mv;
    private final int slots;
    private final int[] arr, off, map, hoisted, value;
    /** Per instruction: true when it does not change along the loop (computed once, before it). */
    private final boolean[] invariant;
    /** Per DIV by an invariant: the local holding the divisor's reciprocal, else -1. */
    private final int[] reciprocal;
    private int next = 5;
    /** Row reductions keep this many independent accumulators, so the combine's latency does not bound the loop. */
    private static final int ACCUMULATORS = 4;
    private int step, bound, i, tailMask, acc;
    private final int[] accs = new int[ACCUMULATORS];

    private final int heavyWeight;

    KernelBody(KernelIR ir, String owner, MethodVisitor mv) {
        this.ir = ir;
        this.owner = owner;
        this.mv = mv;
        this.slots = ir.inputSlots() + (ir.mode() == Mode.REDUCE_ROW && !ir.storesValue() ? 0 : 1);
        arr = new int[slots];
        off = new int[slots];
        map = new int[slots];
        hoisted = new int[slots];
        value = new int[ir.body().size()];
        invariant = new boolean[value.length];
        reciprocal = new int[value.length];
        int w = 0;
        for (Instr in : ir.body()) if (in.op() != null) w += Fusion.heavyWeight(in.op());
        heavyWeight = w;
    }

    void emit() {
        mv.visitCode();
        for (int s = 0; s < slots; s++) prologue(s);
        step = local();
        species();
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "length", "()I", true);
        mv.visitVarInsn(ISTORE, step);
        bound = local();
        species();
        mv.visitVarInsn(ILOAD, N);
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "loopBound", "(I)I", true);
        mv.visitVarInsn(ISTORE, bound);
        i = local();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, i);
        if (ir.mode() == Mode.REDUCE_ROW) {
            for (int a = 0; a < ACCUMULATORS; a++) {
                accs[a] = local();
                support("identity_" + reduceName(), "()" + FVD);
                mv.visitVarInsn(ASTORE, accs[a]);
            }
            acc = accs[0];
        }
        tailMask = local();
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            value[k] = in.load() && ir.loads().get(in.slot()).access() == Access.BROADCAST ? hoisted[in.slot()] : local();
            invariant[k] = in.load() ? ir.loads().get(in.slot()).access() == Access.BROADCAST
                    : in.args().stream().allMatch(a -> invariant[a]);
            reciprocal[k] = -1;
        }
        hoistInvariants();
        Label done = new Label();
        if (ir.mode() == Mode.REDUCE_ROW) {
            rotatingRowLoop();
            maskedRowLoop(done);
        } else {
            Label head = new Label(), tail = new Label();
            mv.visitLabel(head);
            mv.visitVarInsn(ILOAD, i);
            mv.visitVarInsn(ILOAD, bound);
            mv.visitJumpInsn(IF_ICMPGE, tail);
            body(false);
            advance();
            mv.visitJumpInsn(GOTO, head);
            mv.visitLabel(tail);
            mv.visitVarInsn(ILOAD, i);
            mv.visitVarInsn(ILOAD, N);
            mv.visitJumpInsn(IF_ICMPGE, done);
            tailMask();
            body(true);
        }
        mv.visitLabel(done);
        if (ir.mode() == Mode.REDUCE_ROW) {
            String combine = "(" + FVD + FVD + ")" + FVD;
            mv.visitVarInsn(ALOAD, accs[0]);
            mv.visitVarInsn(ALOAD, accs[1]);
            support("combine_" + reduceName(), combine);
            mv.visitVarInsn(ALOAD, accs[2]);
            mv.visitVarInsn(ALOAD, accs[3]);
            support("combine_" + reduceName(), combine);
            support("combine_" + reduceName(), combine);
            support("lanes_" + reduceName(), "(" + FVD + ")F");
            mv.visitInsn(FRETURN);
        } else {
            mv.visitInsn(RETURN);
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * For row reductions: over whole blocks of four vectors, each vector combined into its own
     * accumulator. The loop body appears once (a heavy body written out four times would pass
     * C2's node budget): the value goes into the first accumulator and the four rotate, so after
     * each block every accumulator holds the same as in a four-way unrolled loop, and the order is
     * fixed by n alone.
     */
    private void rotatingRowLoop() {
        int bound4 = local();
        mv.visitVarInsn(ILOAD, N);
        mv.visitVarInsn(ILOAD, N);
        mv.visitVarInsn(ILOAD, step);
        push(ACCUMULATORS);
        mv.visitInsn(IMUL);
        mv.visitInsn(IREM);
        mv.visitInsn(ISUB);
        mv.visitVarInsn(ISTORE, bound4);
        Label head = new Label(), exit = new Label();
        mv.visitLabel(head);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, bound4);
        mv.visitJumpInsn(IF_ICMPGE, exit);
        acc = accs[0];
        body(false);
        mv.visitVarInsn(ALOAD, accs[0]); // (a0, a1, a2, a3) <- (a1, a2, a3, a0)
        for (int a = 0; a + 1 < ACCUMULATORS; a++) {
            mv.visitVarInsn(ALOAD, accs[a + 1]);
            mv.visitVarInsn(ASTORE, accs[a]);
        }
        mv.visitVarInsn(ASTORE, accs[ACCUMULATORS - 1]);
        advance();
        mv.visitJumpInsn(GOTO, head);
        mv.visitLabel(exit);
    }

    /**
     * For row reductions, after the blocks: the remaining vectors, the last one partial, into the
     * first accumulator, masked (a full vector's mask is all true, so it adds as unmasked would).
     */
    private void maskedRowLoop(Label done) {
        Label head = new Label();
        acc = accs[0];
        mv.visitLabel(head);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, N);
        mv.visitJumpInsn(IF_ICMPGE, done);
        tailMask();
        body(true);
        advance();
        mv.visitJumpInsn(GOTO, head);
    }

    private void tailMask() {
        species();
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, N);
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "indexInRange", "(II)" + VMD, true);
        mv.visitVarInsn(ASTORE, tailMask);
    }

    private void advance() {
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, step);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, i);
    }

    private int local() {
        return next++;
    }

    /** Loads a slot's array and offset (and its gather map or broadcast value) into locals. */
    private void prologue(int s) {
        boolean output = s == ir.inputSlots();
        DType dt = output ? ir.outDtype() : ir.loads().get(s).dtype();
        String arrayType = dt == DType.BOOL ? "[Z" : "[F";
        arr[s] = local();
        mv.visitVarInsn(ALOAD, ARRAYS);
        push(s);
        mv.visitInsn(AALOAD);
        mv.visitTypeInsn(CHECKCAST, arrayType);
        mv.visitVarInsn(ASTORE, arr[s]);
        off[s] = local();
        mv.visitVarInsn(ALOAD, OFFSETS);
        push(s);
        mv.visitInsn(IALOAD);
        mv.visitVarInsn(ISTORE, off[s]);
        if (output) return;
        Access a = ir.loads().get(s).access();
        if (a == Access.STRIDED) {
            map[s] = local();
            mv.visitVarInsn(ALOAD, MAPS);
            push(s);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, "[I");
            mv.visitVarInsn(ASTORE, map[s]);
        } else if (a == Access.BROADCAST) {
            hoisted[s] = local();
            if (dt == DType.BOOL) {
                mv.visitVarInsn(ALOAD, arr[s]);
                mv.visitVarInsn(ILOAD, off[s]);
                support("broadcastMask", "([ZI)" + VMD);
            } else {
                species();
                mv.visitVarInsn(ALOAD, arr[s]);
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitInsn(FALOAD);
                mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + VSD + "F)" + FVD, false);
            }
            mv.visitVarInsn(ASTORE, hoisted[s]);
        }
    }

    /**
     * Emits, before the loop, every instruction whose inputs do not change along it (ops on
     * broadcast values), and the reciprocal of each invariant divisor so the loop multiplies.
     */
    private void hoistInvariants() {
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            if (in.load()) continue;
            if (invariant[k]) {
                op(in, k);
            } else if (in.op() == Op.DIV && invariant[in.args().get(1)]) {
                reciprocal[k] = local();
                mv.visitVarInsn(ALOAD, value[in.args().get(1)]);
                support("reciprocal", "(" + FVD + ")" + FVD);
                mv.visitVarInsn(ASTORE, reciprocal[k]);
            }
        }
    }

    private void op(Instr in, int k) {
        StringBuilder desc = new StringBuilder("(");
        for (int a : in.args()) {
            mv.visitVarInsn(ALOAD, value[a]);
            desc.append(type(ir.body().get(a).dtype()));
        }
        desc.append(')').append(type(in.dtype()));
        support(helper(in), desc.toString());
        mv.visitVarInsn(ASTORE, value[k]);
    }

    /** One pass of the loop body at position i; {@code masked} for the tail. */
    private void body(boolean masked) {
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            if (invariant[k]) continue; // computed before the loop
            if (in.load()) {
                load(in.slot(), masked, value[k]);
            } else if (reciprocal[k] >= 0) {
                mv.visitVarInsn(ALOAD, value[in.args().get(0)]);
                mv.visitVarInsn(ALOAD, reciprocal[k]);
                support("mul", "(" + FVD + FVD + ")" + FVD);
                mv.visitVarInsn(ASTORE, value[k]);
            } else {
                op(in, k);
            }
        }
        int result = value[value.length - 1];
        int out = ir.inputSlots();
        switch (ir.mode()) {
            case ELEMENTWISE -> {
                mv.visitVarInsn(ALOAD, result);
                store(out, masked);
            }
            case REDUCE_ROW -> {
                if (ir.storesValue()) {
                    mv.visitVarInsn(ALOAD, result);
                    store(out, masked);
                }
                if (masked) {
                    mv.visitVarInsn(ALOAD, result);
                    mv.visitVarInsn(ALOAD, tailMask);
                    support("tail_" + reduceName(), "(" + FVD + VMD + ")" + FVD);
                    mv.visitVarInsn(ASTORE, result);
                }
                mv.visitVarInsn(ALOAD, acc);
                mv.visitVarInsn(ALOAD, result);
                support("combine_" + reduceName(), "(" + FVD + FVD + ")" + FVD);
                mv.visitVarInsn(ASTORE, acc);
            }
            case REDUCE_COLUMNS -> {
                loadFloats(out, masked);
                mv.visitVarInsn(ALOAD, result);
                support("combine_" + reduceName(), "(" + FVD + FVD + ")" + FVD);
                store(out, masked);
            }
        }
    }

    /** Pushes the vector of floats at slot {@code s}'s current position (contiguous; masked in the tail). */
    private void loadFloats(int s, boolean masked) {
        species();
        mv.visitVarInsn(ALOAD, arr[s]);
        index(s);
        if (masked) {
            mv.visitVarInsn(ALOAD, tailMask);
            mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI" + VMD + ")" + FVD, false);
        } else {
            mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI)" + FVD, false);
        }
    }

    private void load(int s, boolean masked, int target) {
        Access a = ir.loads().get(s).access();
        if (a == Access.BROADCAST) return; // hoisted before the loop
        boolean bool = ir.loads().get(s).dtype() == DType.BOOL;
        if (a == Access.CONTIGUOUS) {
            if (bool) {
                mv.visitVarInsn(ALOAD, arr[s]);
                index(s);
                if (masked) {
                    remaining();
                    support("loadMaskTail", "([ZII)" + VMD);
                } else {
                    support("loadMask", "([ZI)" + VMD);
                }
            } else {
                loadFloats(s, masked);
            }
        } else { // strided: a gather through the slot's map, padded so the tail reads valid indices
            if (bool) {
                mv.visitVarInsn(ALOAD, arr[s]);
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitVarInsn(ALOAD, map[s]);
                mv.visitVarInsn(ILOAD, i);
                support("gatherMask", "([ZI[II)" + VMD);
            } else {
                species();
                mv.visitVarInsn(ALOAD, arr[s]);
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitVarInsn(ALOAD, map[s]);
                mv.visitVarInsn(ILOAD, i);
                mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI[II)" + FVD, false);
            }
        }
        mv.visitVarInsn(ASTORE, target);
    }

    /** Stores the value on the stack into the output slot at position i. */
    private void store(int out, boolean masked) {
        if (ir.outDtype() == DType.BOOL) {
            mv.visitVarInsn(ALOAD, arr[out]);
            index(out);
            if (masked) {
                remaining();
                support("storeMaskTail", "(" + VMD + "[ZII)V");
            } else {
                support("storeMask", "(" + VMD + "[ZI)V");
            }
        } else {
            mv.visitVarInsn(ALOAD, arr[out]);
            index(out);
            if (masked) {
                mv.visitVarInsn(ALOAD, tailMask);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI" + VMD + ")V", false);
            } else {
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI)V", false);
            }
        }
    }

    private void index(int s) {
        mv.visitVarInsn(ILOAD, off[s]);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(IADD);
    }

    private void remaining() {
        mv.visitVarInsn(ILOAD, N);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(ISUB);
    }

    private void species() {
        mv.visitFieldInsn(GETSTATIC, owner, "S", VSD);
    }

    private void support(String method, String desc) {
        mv.visitMethodInsn(INVOKESTATIC, SUPPORT, method, desc, false);
    }

    private void push(int v) {
        if (v <= 5) mv.visitInsn(ICONST_0 + v);
        else mv.visitIntInsn(v < 128 ? BIPUSH : SIPUSH, v);
    }

    private String reduceName() {
        return ir.reduceOp().label().replace("reduce_", "");
    }

    private static String type(DType t) {
        return t == DType.BOOL ? VMD : FVD;
    }

    private String helper(Instr in) {
        if (in.op() == Op.CAST) return in.dtype() == DType.BOOL ? "toBool" : "toFloat";
        // exp beside another heavy function takes the form with fewer C2 nodes (Fusion.heavyWeight)
        if (in.op() == Op.EXP && heavyWeight > 1) return "expCompact";
        return in.op().label();
    }
}
