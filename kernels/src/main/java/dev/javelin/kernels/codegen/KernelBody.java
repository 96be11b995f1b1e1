package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Mode;
import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.tensor.DType;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits the bytecode of one kernel method for {@link CpuCodegen}: loads, the Vector API calls of
 * each instruction of the decomposed body ({@link VectorInstructions}), the store or the reduction;
 * locals are laid out once and shared by the loops.
 */
final class KernelBody {
    private static final String FV = VectorInstructions.FV, VS = VectorInstructions.VS;
    private static final String FVD = VectorInstructions.FVD, VMD = VectorInstructions.VMD, VSD = VectorInstructions.VSD;
    private static final String SUPPORT = "dev/javelin/kernels/codegen/KernelSupport";

    private static final int ARRAYS = 1, OFFSETS = 2, MAPS = 3, N = 4, TAIL_START = 5, ROW_STRIDES = 5, ROWS = 6;
    /** The tail method: {@code (arrays, offsets, maps, n, i)}, the masked body at position i. */
    static final String TAIL_DESC = "([Ljava/lang/Object;[I[[III)V";
    /** {@link FusedKernel#runRows}: {@code (arrays, offsets, maps, n, rowStrides, rows)}. */
    static final String ROWS_DESC = "([Ljava/lang/Object;[I[[II[II)V";
    /** Which method: the kernel's {@code run} or {@code reduce}, its masked tail, or {@code runRows} (the same loop per row). */
    enum Method { LOOP, TAIL, ROWS }

    private final boolean tailOnly, rows;
    private final KernelIR ir;
    private final String owner;
    private final MethodVisitor mv;
    private final int slots;
    private final int[] arr, off, map, hoisted, value;
    /** Per instruction: true when it does not change along the loop (computed once, before it). */
    private final boolean[] invariant;
    private int next = 6;
    /** Row reductions keep this many independent accumulators, so the combine's latency does not bound the loop. */
    private static final int ACCUMULATORS = 4;
    private int step, bound, i, tailMask, acc;
    private final int[] accs = new int[ACCUMULATORS];

    private final VectorInstructions instructions;
    private final TablesAndRegions extras;

    /** {@code ir} must be decomposed ({@link dev.javelin.kernels.ir.Decompositions}). */
    KernelBody(KernelIR ir, String owner, MethodVisitor mv, Method method) {
        this.tailOnly = method == Method.TAIL;
        this.rows = method == Method.ROWS;
        if (rows) next = ROWS + 1;
        this.ir = ir;
        this.owner = owner;
        this.mv = mv;
        this.instructions = new VectorInstructions(mv, owner);
        this.slots = ir.inputSlots() + (ir.mode() == Mode.REDUCE_ROW && !ir.storesValue() ? 0 : ir.outputs());
        arr = new int[slots];
        off = new int[slots];
        map = new int[slots];
        hoisted = new int[slots];
        value = new int[ir.body().size()];
        invariant = new boolean[value.length];
        extras = new TablesAndRegions(ir, owner, mv, instructions);
    }

    /** Writes the kernel method, then the methods of the regions it calls into {@code cv}. */
    void emit(org.objectweb.asm.ClassVisitor cv) {
        mv.visitCode();
        for (int s = 0; s < slots; s++) prologue(s);
        int at = -1, stride = next, r = -1; // runRows: the offsets handed to the tail, each slot's row stride, the row
        if (rows) {
            for (int s = 0; s < slots; s++) {
                mv.visitVarInsn(ALOAD, ROW_STRIDES);
                instructions.push(s);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, local());
            }
            at = local();
            instructions.push(slots);
            mv.visitIntInsn(NEWARRAY, T_INT);
            mv.visitVarInsn(ASTORE, at);
            r = local();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, r);
        }
        extras.prologue(this::local, 0, value.length - 1);
        step = local();
        species();
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "length", "()I", true);
        mv.visitVarInsn(ISTORE, step);
        bound = local();
        species();
        mv.visitVarInsn(ILOAD, N);
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "loopBound", "(I)I", true);
        mv.visitVarInsn(ISTORE, bound);
        if (tailOnly) {
            i = TAIL_START;
        } else {
            i = local();
        }
        if (ir.mode() == Mode.REDUCE_ROW) {
            for (int a = 0; a < ACCUMULATORS; a++) {
                accs[a] = local();
                instructions.reductionIdentity(ir.reduceOp());
                mv.visitVarInsn(ASTORE, accs[a]);
            }
            acc = accs[0];
        }
        tailMask = local();
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            value[k] = in.load() && ir.loads().get(in.slot()).access() == Access.BROADCAST ? hoisted[in.slot()] : local();
            // constants are broadcast where the body uses them, not hoisted: C2 rematerializes a constant
            // vector, while thirty of them held in locals across the loop spilled registers (the
            // tanh * sigmoid chain: 24 -> 17 ns per 16 floats, one thread)
            invariant[k] = in.load() ? ir.loads().get(in.slot()).access() == Access.BROADCAST
                    : in.prim() != KernelIR.Prim.CONST && in.args().stream().allMatch(a -> invariant[a]);
        }
        Label nextRow = new Label(), rowsDone = new Label();
        if (rows) {
            mv.visitLabel(nextRow);
            mv.visitVarInsn(ILOAD, r);
            mv.visitVarInsn(ILOAD, ROWS);
            mv.visitJumpInsn(IF_ICMPGE, rowsDone);
        }
        for (int s = 0; s < ir.inputSlots(); s++) if (ir.loads().get(s).access() == Access.BROADCAST) broadcast(s); // per row: its offset moves
        if (!tailOnly) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, i);
        }
        hoistInvariants();
        extras.placeholders(value, invariant);
        Label done = new Label();
        if (ir.mode() == Mode.REDUCE_ROW) {
            rotatingRowLoop();
            maskedRowLoop(done);
        } else if (tailOnly) {
            tailMask();
            body(true);
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
            for (int s = 0; rows && s < slots; s++) { // the tail reads this row's offsets
                mv.visitVarInsn(ALOAD, at);
                instructions.push(s);
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitInsn(IASTORE);
            }
            mv.visitVarInsn(ALOAD, 0);
            for (int p = ARRAYS; p <= N; p++) mv.visitVarInsn(p == N ? ILOAD : ALOAD, p == OFFSETS && rows ? at : p);
            mv.visitVarInsn(ILOAD, i);
            mv.visitMethodInsn(INVOKESPECIAL, owner, "tail", TAIL_DESC, false);
        }
        mv.visitLabel(done);
        if (rows) {
            // a column reduction's output stays (its row stride is 0): its offset is not stepped, which measured
            // 15% faster on a [4096, 512] column sum than adding the 0 (C2 then keeps the output row's address)
            for (int s = 0; s < (ir.mode() == Mode.REDUCE_COLUMNS ? ir.inputSlots() : slots); s++) {
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitVarInsn(ILOAD, stride + s);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, off[s]);
            }
            mv.visitIincInsn(r, 1);
            mv.visitJumpInsn(GOTO, nextRow);
            mv.visitLabel(rowsDone);
        }
        if (ir.mode() == Mode.REDUCE_ROW) {
            mv.visitVarInsn(ALOAD, accs[0]);
            mv.visitVarInsn(ALOAD, accs[1]);
            instructions.reductionCombine(ir.reduceOp());
            mv.visitVarInsn(ALOAD, accs[2]);
            mv.visitVarInsn(ALOAD, accs[3]);
            instructions.reductionCombine(ir.reduceOp());
            instructions.reductionCombine(ir.reduceOp());
            instructions.reductionLanes(ir.reduceOp());
            mv.visitInsn(FRETURN);
        } else {
            mv.visitInsn(RETURN);
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        if (!tailOnly && !rows) extras.methods(cv, invariant); // the tail and runRows call the same region methods
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
        instructions.push(ACCUMULATORS);
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
        boolean output = s >= ir.inputSlots();
        DType dt = output ? ir.outDtype() : ir.loads().get(s).dtype();
        String arrayType = dt == DType.BOOL ? "[Z" : "[F";
        arr[s] = local();
        mv.visitVarInsn(ALOAD, ARRAYS);
        instructions.push(s);
        mv.visitInsn(AALOAD);
        mv.visitTypeInsn(CHECKCAST, arrayType);
        mv.visitVarInsn(ASTORE, arr[s]);
        off[s] = local();
        mv.visitVarInsn(ALOAD, OFFSETS);
        instructions.push(s);
        mv.visitInsn(IALOAD);
        mv.visitVarInsn(ISTORE, off[s]);
        if (output) return;
        Access a = ir.loads().get(s).access();
        if (a == Access.STRIDED) {
            map[s] = local();
            mv.visitVarInsn(ALOAD, MAPS);
            instructions.push(s);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, "[I");
            mv.visitVarInsn(ASTORE, map[s]);
        } else if (a == Access.BROADCAST) {
            hoisted[s] = local();
        }
    }

    /** Loads a broadcast slot's one value (at its offset) as a vector. */
    private void broadcast(int s) {
        if (ir.loads().get(s).dtype() == DType.BOOL) {
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

    /**
     * Emits, before the loop, every instruction whose inputs do not change along it (ops on
     * broadcast values). A division by such a value stays a division: multiplying by its
     * reciprocal would be faster but within an ulp only, and compiled results must have eager's bits.
     */
    private void hoistInvariants() {
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            if (!in.load() && invariant[k]) op(in, k);
        }
    }

    private void op(Instr in, int k) {
        for (int a : in.args()) mv.visitVarInsn(ALOAD, value[a]);
        if (in.prim() == Prim.TABLE) {
            extras.table(in.constant());
        } else {
            instructions.emit(in, in.args().isEmpty() ? null : ir.body().get(in.args().get(0)).dtype());
        }
        mv.visitVarInsn(ASTORE, value[k]);
    }

    /**
     * One pass of the loop body at position i; {@code masked} for the tail. A region is jumped over
     * when no lane needs it: written inline up to {@link dev.javelin.kernels.ir.Decompositions#INLINE_REGION}
     * instructions, else a method called.
     */
    private void body(boolean masked) {
        Label inlineSkip = null;
        int inlineEnd = -1;
        for (int k = 0; k < value.length; k++) {
            Instr in = ir.body().get(k);
            if (!invariant[k]) { // else computed before the loop
                if (in.load()) {
                    load(in.slot(), masked, value[k]);
                } else {
                    op(in, k);
                }
            }
            if (in.prim() == Prim.IF_ANY && in.constant() > 0) {
                Label skip = extras.open(value[k]);
                if (in.constant() <= dev.javelin.kernels.ir.Decompositions.INLINE_REGION) {
                    inlineSkip = skip;
                    inlineEnd = k + in.constant();
                } else {
                    k = extras.call(k, value, invariant);
                    mv.visitLabel(skip);
                }
            }
            if (k == inlineEnd) {
                mv.visitLabel(inlineSkip);
                inlineEnd = -1;
            }
        }
        int result = value[value.length - 1];
        int out = ir.inputSlots();
        switch (ir.mode()) {
            case ELEMENTWISE -> { // each result to its own slot, in one pass
                for (int j = 0; j < ir.outputs(); j++) {
                    mv.visitVarInsn(ALOAD, value[ir.results().get(j)]);
                    store(out + j, masked);
                }
            }
            case REDUCE_ROW -> {
                if (ir.storesValue()) {
                    mv.visitVarInsn(ALOAD, result);
                    store(out, masked);
                }
                if (masked) { // the tail's inactive lanes hold the identity
                    instructions.reductionIdentity(ir.reduceOp());
                    mv.visitVarInsn(ALOAD, result);
                    mv.visitVarInsn(ALOAD, tailMask);
                    mv.visitMethodInsn(INVOKEVIRTUAL, FV, "blend", "(Ljdk/incubator/vector/Vector;" + VMD + ")" + FVD, false);
                    mv.visitVarInsn(ASTORE, result);
                }
                mv.visitVarInsn(ALOAD, acc);
                mv.visitVarInsn(ALOAD, result);
                instructions.reductionCombine(ir.reduceOp());
                mv.visitVarInsn(ASTORE, acc);
            }
            case REDUCE_COLUMNS -> {
                loadFloats(out, masked);
                mv.visitVarInsn(ALOAD, result);
                instructions.reductionCombine(ir.reduceOp());
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
        } else { // strided: a gather through the slot's map. The tail reads only its lanes (the Vector API checks a
            // masked gather's every index), since a launcher that runs a row in chunks passes the whole row's map,
            // whose entries past the last chunk are past the data
            if (!bool && !masked) species();
            mv.visitVarInsn(ALOAD, arr[s]);
            mv.visitVarInsn(ILOAD, off[s]);
            mv.visitVarInsn(ALOAD, map[s]);
            mv.visitVarInsn(ILOAD, i);
            if (masked) remaining();
            if (bool) {
                if (masked) support("gatherMaskTail", "([ZI[III)" + VMD);
                else support("gatherMask", "([ZI[II)" + VMD);
            } else {
                if (masked) support("gatherTail", "([FI[III)" + FVD);
                else mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI[II)" + FVD, false);
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

    private void species() { mv.visitFieldInsn(GETSTATIC, owner, "S", VSD); }

    private void support(String method, String desc) { mv.visitMethodInsn(INVOKESTATIC, SUPPORT, method, desc, false); }
}
