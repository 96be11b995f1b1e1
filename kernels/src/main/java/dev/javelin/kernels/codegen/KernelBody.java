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

    /** The parameters every kernel method starts with: (this,) arrays, offsets, maps, n. */
    static final int ARRAYS = 1, OFFSETS = 2, MAPS = 3, N = 4;
    private static final int TAIL_START = 5, ROW_STRIDES = 5, ROWS = 6;
    /** {@link FusedKernel#reduceRows}' own parameters: each row's length (where the others have n), the results. */
    private static final int LENGTHS = 4, RESULTS = 7;
    /** The tail method: {@code (arrays, offsets, maps, n, i)}, the masked body at position i. */
    static final String TAIL_DESC = "([Ljava/lang/Object;[I[[III)V";
    /** {@link FusedKernel#runRows}: {@code (arrays, offsets, maps, n, rowStrides, rows)}. */
    static final String ROWS_DESC = "([Ljava/lang/Object;[I[[II[II)V";
    /** {@link FusedKernel#reduceRows}: {@code (arrays, offsets, maps, lengths, rowStrides, rows, results)}. */
    static final String REDUCE_ROWS_DESC = "([Ljava/lang/Object;[I[[I[I[II[F)V";
    /**
     * Which method: the kernel's {@code run} or {@code reduce}, its masked tail, {@code runRows} (the same loop per
     * row), or {@code reduceRows} (a row reduction's loop per row, each row its own length and result).
     */
    enum Method { LOOP, TAIL, ROWS, REDUCE_ROWS }

    /**
     * {@code runRows} writes its masked last vector into the row loop, not a call of {@code tail} with the row's offsets
     * in an array, when the body has at most this many instructions: a column sum's rows of 37 floats ran 3x slower
     * through the call (perf/NOTES.md, `launch11`). A longer body stays once per method (see {@link CpuCodegen}: C1 gave
     * up on pow's loop written twice).
     */
    private static final int INLINE_TAIL = 32;
    private final boolean tailOnly, rows, reduceRows, inlineTail;
    private final KernelIR ir;
    private final String owner;
    private final MethodVisitor mv;
    private final int slots;
    private final int[] value;
    /** The slots' arrays, offsets, maps and broadcast values in locals, and their loads and stores. */
    private final SlotCode slotCode;
    private final int[] off, hoisted;
    /** Per instruction: true when it does not change along the loop (computed once, before it). */
    private final boolean[] invariant;
    private int next = 6;
    /** Row reductions keep this many independent accumulators, so the combine's latency does not bound the loop. */
    private static final int ACCUMULATORS = 4;
    private int step, bound, i, tailMask, acc;
    /** The local holding the loop's length: the parameter n, or in reduceRows the row's own length. */
    private int n = N;
    private final int[] accs = new int[ACCUMULATORS];

    private final VectorInstructions instructions;
    private final TablesAndRegions extras;

    /** {@code ir} must be decomposed ({@link dev.javelin.kernels.ir.Decompositions}). */
    KernelBody(KernelIR ir, String owner, MethodVisitor mv, Method method) {
        this.tailOnly = method == Method.TAIL;
        this.reduceRows = method == Method.REDUCE_ROWS;
        this.rows = method == Method.ROWS || reduceRows;
        this.inlineTail = method == Method.ROWS && ir.body().size() <= INLINE_TAIL;
        if (rows) next = reduceRows ? RESULTS + 1 : ROWS + 1;
        this.ir = ir;
        this.owner = owner;
        this.mv = mv;
        this.instructions = new VectorInstructions(mv, owner);
        this.slots = ir.inputSlots() + (ir.mode() == Mode.REDUCE_ROW && !ir.storesValue() ? 0 : ir.outputs());
        slotCode = new SlotCode(ir, owner, mv, instructions, slots);
        off = slotCode.off;
        hoisted = slotCode.hoisted;
        value = new int[ir.body().size()];
        invariant = new boolean[value.length];
        extras = new TablesAndRegions(ir, owner, mv, instructions);
    }

    /** Writes the kernel method, then the methods of the regions it calls into {@code cv}. */
    void emit(org.objectweb.asm.ClassVisitor cv) {
        mv.visitCode();
        for (int s = 0; s < slots; s++) slotCode.prologue(s, this::local);
        int at = -1, stride = next, r = -1; // runRows: the offsets handed to the tail, each slot's row stride, the row
        if (rows) {
            for (int s = 0; s < slots; s++) {
                int local = local();
                if (slotCode.displaced(s)) continue; // steps with its group's first slot
                mv.visitVarInsn(ALOAD, ROW_STRIDES);
                instructions.push(s);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, local);
            }
            at = local();
            mv.visitInsn(ACONST_NULL); // allocated when a row first has a tail
            mv.visitVarInsn(ASTORE, at);
            r = local();
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, r);
            if (reduceRows) n = local();
        }
        extras.prologue(this::local, 0, value.length - 1);
        step = local();
        species();
        mv.visitMethodInsn(INVOKEINTERFACE, VS, "length", "()I", true);
        mv.visitVarInsn(ISTORE, step);
        bound = local();
        if (!reduceRows) { // a row reduction's loops need no bound of whole vectors
            species();
            mv.visitVarInsn(ILOAD, N);
            mv.visitMethodInsn(INVOKEINTERFACE, VS, "loopBound", "(I)I", true);
            mv.visitVarInsn(ISTORE, bound);
        }
        if (tailOnly) {
            i = TAIL_START;
        } else {
            i = local();
        }
        if (ir.mode() == Mode.REDUCE_ROW) {
            for (int a = 0; a < ACCUMULATORS; a++) accs[a] = local();
            if (!reduceRows) resetAccumulators();
        }
        tailMask = local();
        slotCode.position(i, n, tailMask);
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
            if (reduceRows) { // this row's length, and accumulators from the identity
                mv.visitVarInsn(ALOAD, LENGTHS);
                mv.visitVarInsn(ILOAD, r);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, n);
                resetAccumulators();
            }
        }
        for (int s = 0; s < ir.inputSlots(); s++) if (ir.loads().get(s).access() == Access.BROADCAST) slotCode.broadcast(s); // per row: its offset moves
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
            if (inlineTail) {
                tailMask();
                body(true);
            } else {
                tailCall(at);
            }
        }
        mv.visitLabel(done);
        if (reduceRows) { // results[r] = this row's reduction
            mv.visitVarInsn(ALOAD, RESULTS);
            mv.visitVarInsn(ILOAD, r);
            combineAccumulators();
            mv.visitInsn(FASTORE);
        }
        if (rows) {
            // a column reduction's output stays (its row stride is 0): its offset is not stepped, which measured
            // 15% faster on a [4096, 512] column sum than adding the 0 (C2 then keeps the output row's address)
            // a slot of a group other than its first is a fixed displacement from that one: only the first steps
            for (int s = 0; s < (ir.mode() == Mode.REDUCE_COLUMNS ? ir.inputSlots() : slots); s++) {
                if (slotCode.displaced(s)) continue;
                mv.visitVarInsn(ILOAD, off[s]);
                mv.visitVarInsn(ILOAD, stride + s);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, off[s]);
            }
            mv.visitIincInsn(r, 1);
            mv.visitJumpInsn(GOTO, nextRow);
            mv.visitLabel(rowsDone);
        }
        if (ir.mode() == Mode.REDUCE_ROW && !reduceRows) {
            combineAccumulators();
            mv.visitInsn(FRETURN);
        } else {
            mv.visitInsn(RETURN);
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        if (!tailOnly && !rows) extras.methods(cv, invariant); // the tail and runRows call the same region methods
    }

    /** The masked last vector as a call of {@code tail} at position i; in {@code runRows}, with this row's offsets in {@code at}. */
    private void tailCall(int at) {
        if (rows) {
            Label allocated = new Label();
            mv.visitVarInsn(ALOAD, at);
            mv.visitJumpInsn(IFNONNULL, allocated);
            instructions.push(slots);
            mv.visitIntInsn(NEWARRAY, T_INT);
            mv.visitVarInsn(ASTORE, at);
            mv.visitLabel(allocated);
        }
        for (int s = 0; rows && s < slots; s++) { // the tail reads this row's offsets
            mv.visitVarInsn(ALOAD, at);
            instructions.push(s);
            slotCode.offset(s);
            mv.visitInsn(IASTORE);
        }
        mv.visitVarInsn(ALOAD, 0);
        for (int p = ARRAYS; p <= N; p++) mv.visitVarInsn(p == N ? ILOAD : ALOAD, p == OFFSETS && rows ? at : p);
        mv.visitVarInsn(ILOAD, i);
        mv.visitMethodInsn(INVOKESPECIAL, owner, "tail", TAIL_DESC, false);
    }

    private void resetAccumulators() {
        for (int a = 0; a < ACCUMULATORS; a++) {
            instructions.reductionIdentity(ir.reduceOp());
            mv.visitVarInsn(ASTORE, accs[a]);
        }
        acc = accs[0];
    }

    /** Pushes the reduction's value: {@code (a0 (op) a1) (op) (a2 (op) a3)}, then the lanes' tree. */
    private void combineAccumulators() {
        mv.visitVarInsn(ALOAD, accs[0]);
        mv.visitVarInsn(ALOAD, accs[1]);
        instructions.reductionCombine(ir.reduceOp());
        mv.visitVarInsn(ALOAD, accs[2]);
        mv.visitVarInsn(ALOAD, accs[3]);
        instructions.reductionCombine(ir.reduceOp());
        instructions.reductionCombine(ir.reduceOp());
        instructions.reductionLanes(ir.reduceOp());
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
        mv.visitVarInsn(ILOAD, n);
        mv.visitVarInsn(ILOAD, n);
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
        if (reduceRows) { // short rows: their whole vectors unmasked (the same values), so only a row's last vector is masked
            Label whole = new Label(), last = new Label();
            mv.visitLabel(whole);
            mv.visitVarInsn(ILOAD, i);
            mv.visitVarInsn(ILOAD, n);
            mv.visitVarInsn(ILOAD, step);
            mv.visitInsn(ISUB);
            mv.visitJumpInsn(IF_ICMPGT, last);
            body(false);
            advance();
            mv.visitJumpInsn(GOTO, whole);
            mv.visitLabel(last);
        }
        mv.visitLabel(head);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, n);
        mv.visitJumpInsn(IF_ICMPGE, done);
        tailMask();
        body(true);
        advance();
        mv.visitJumpInsn(GOTO, head);
    }

    private void tailMask() {
        species();
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, n);
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
                    slotCode.load(in.slot(), masked, value[k]);
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
                    slotCode.store(out + j, masked);
                }
            }
            case REDUCE_ROW -> {
                if (ir.storesValue()) {
                    mv.visitVarInsn(ALOAD, result);
                    slotCode.store(out, masked);
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
                slotCode.loadFloats(out, masked);
                mv.visitVarInsn(ALOAD, result);
                instructions.reductionCombine(ir.reduceOp());
                slotCode.store(out, masked);
            }
        }
    }

    private void species() { mv.visitFieldInsn(GETSTATIC, owner, "S", VSD); }

}
