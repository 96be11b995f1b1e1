package dev.javelin.kernels.ir;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;

/**
 * One fused kernel in device-neutral form: what a code generator (the CPU one in
 * {@code dev.javelin.kernels.codegen}, a PTX renderer) walks. It describes the body of a loop over one
 * dimension of length {@code n} that a launcher supplies at run time; shapes, strides and offsets
 * are launch parameters, not part of the kernel, so one kernel serves every shape with the same
 * structure (and a smaller last batch compiles nothing new).
 *
 * <p>The body is a list of instructions in SSA form: instruction {@code i} may only use results of
 * instructions before it. A {@link Instr#load() load} reads slot {@code k} at the loop position
 * with that slot's {@link Access}; an op instruction applies an elementwise primitive to earlier
 * results. Values are float32 or bool (a lane mask). The last instruction is the result:
 * <ul>
 *   <li>{@link Mode#ELEMENTWISE}: stored to the output slot (slot {@code loads.size()}) at the loop position;
 *       a kernel with several {@link #results() results} (a recurrent cell's step: its states and its
 *       gates) stores result {@code j} to slot {@code loads.size() + j}, all in the one loop;</li>
 *   <li>{@link Mode#REDUCE_ROW}: combined over the whole loop with {@code reduceOp} and returned as one scalar;
 *       with {@code storesValue}, also stored to slot {@code loads.size()} at the loop position (a row
 *       group's exp pass that sums as it goes);</li>
 *   <li>{@link Mode#REDUCE_COLUMNS}: combined into the output slot at the loop position
 *       ({@code out[i] = out[i] (op) value}); the launcher walks the reduced positions around it.</li>
 * </ul>
 *
 * <pre>
 * E_mul_add_tanh_16777216: elementwise
 *   %0 = load 0 (float32, contiguous)
 *   %1 = load 1 (float32, broadcast)
 *   %2 = mul %0 %1
 *   ...
 * </pre>
 *
 * @param name     what it computes, e.g. {@code E_relu_add_4096x512} or {@code R_sum_exp_sub_4096x4096}
 * @param mode     how the result leaves the loop
 * @param reduceOp REDUCE_SUM, REDUCE_MAX or REDUCE_MIN for the reduce modes; null for elementwise
 * @param loads    one entry per input slot
 * @param body     the instructions, results last
 * @param outDtype the dtype of the result
 * @param storesValue for {@link Mode#REDUCE_ROW} only: the value is also stored along the loop
 * @param results  the instructions whose values leave the loop, one output slot each: the last
 *                 instruction alone, or for an elementwise kernel any of them (each of dtype {@code outDtype})
 * @param groups   empty, or per slot (inputs, then outputs) the first slot of its {@link #withSlotGroups slot group}
 */
public record KernelIR(String name, Mode mode, Op reduceOp, List<Load> loads, List<Instr> body, DType outDtype, boolean storesValue,
                       List<Integer> results, List<Integer> groups) {
    public KernelIR {
        loads = List.copyOf(loads);
        body = List.copyOf(body);
        results = List.copyOf(results);
        groups = List.copyOf(groups);
        checkGroups(name, mode, loads, results.size(), storesValue, groups);
        if (storesValue && mode != Mode.REDUCE_ROW) throw new IllegalArgumentException("KernelIR: only a row reduction also stores its value, got " + mode);
        if (results.size() != 1 || results.get(0) != body.size() - 1) {
            if (mode != Mode.ELEMENTWISE || results.isEmpty()) {
                throw new IllegalArgumentException("KernelIR " + name + ": only an elementwise kernel stores several results, got " + mode + " with " + results);
            }
            for (int r : results) {
                if (r < 0 || r >= body.size() || body.get(r).dtype() != outDtype) {
                    throw new IllegalArgumentException("KernelIR " + name + ": result %" + r + " is not an instruction of dtype " + outDtype);
                }
            }
        }
    }

    /** A kernel whose slots are each on their own (no {@link #withSlotGroups slot groups}). */
    public KernelIR(String name, Mode mode, Op reduceOp, List<Load> loads, List<Instr> body, DType outDtype, boolean storesValue,
                    List<Integer> results) {
        this(name, mode, reduceOp, loads, body, outDtype, storesValue, results, List.of());
    }

    /** A kernel whose result, its last instruction, leaves the loop one way only. */
    public KernelIR(String name, Mode mode, Op reduceOp, List<Load> loads, List<Instr> body, DType outDtype) {
        this(name, mode, reduceOp, loads, body, outDtype, false);
    }

    /** A kernel whose result is its last instruction. */
    public KernelIR(String name, Mode mode, Op reduceOp, List<Load> loads, List<Instr> body, DType outDtype, boolean storesValue) {
        this(name, mode, reduceOp, loads, body, outDtype, storesValue, List.of(body.size() - 1));
    }

    /**
     * An elementwise float32 kernel that stores several of its values, {@code results.get(j)} to slot
     * {@code loads.size() + j}: one loop instead of one per result, each input read once.
     *
     * <pre>{@code
     * // sum and difference of two inputs in one pass: slots 2 and 3
     * KernelIR.multiOutput("E_sum_diff", List.of(dense, dense),
     *         List.of(Instr.load(0, F), Instr.load(1, F), Instr.op(Op.ADD, List.of(0, 1), F), Instr.op(Op.SUB, List.of(0, 1), F)),
     *         List.of(2, 3));
     * }</pre>
     */
    public static KernelIR multiOutput(String name, List<Load> loads, List<Instr> body, List<Integer> results) {
        return new KernelIR(name, Mode.ELEMENTWISE, null, loads, body, DType.FLOAT32, false, results);
    }

    /** The number of output slots: one per result. */
    public int outputs() {
        return results.size();
    }

    /**
     * This elementwise kernel's value reduced over the row with {@code reduceOp} and stored as it
     * goes: one pass instead of the kernel and a row reduction reading its result.
     */
    public KernelIR reducingAndStoring(Op reduceOp, String name) {
        if (mode != Mode.ELEMENTWISE || outDtype != DType.FLOAT32) {
            throw new IllegalArgumentException("KernelIR: only a float32 elementwise kernel can reduce as it stores, got " + mode + " " + outDtype);
        }
        if (results.size() != 1) throw new IllegalArgumentException("KernelIR: a kernel with " + results.size() + " results cannot reduce as it stores");
        return new KernelIR(name, Mode.REDUCE_ROW, reduceOp, loads, body, outDtype, true);
    }

    /**
     * This kernel with its slots in groups: {@code groups.get(s)} is the first slot of slot {@code s}'s
     * group ({@code s} itself for a slot on its own or the first of a group). A launcher gives every slot
     * of a group the same row stride ({@link dev.javelin.kernels.codegen.FusedKernel#runRows}), so that
     * the distance between two slots of a group is fixed for the whole call: the generated code keeps one
     * offset per group, stepped once per row, and each other slot of it as a displacement from it (the 16
     * points of an image patch, {@code r·rowStride + c·pixStride} apart, as one offset and 16 constants,
     * instead of 16 offsets each stepped along the row). Only contiguous float32 slots and float32
     * outputs group; the arrays stay per slot (a point outside the image reads a buffer of zeros), and
     * what the kernel computes does not change: the interpreter and the PTX renderer read each slot as ever.
     *
     * <pre>{@code
     * KernelIR grouped = ir.withSlotGroups(List.of(0, 0, 0, 3, 3));   // slots 0-2 one group, 3-4 another
     * }</pre>
     */
    public KernelIR withSlotGroups(List<Integer> groups) {
        return new KernelIR(name, mode, reduceOp, loads, body, outDtype, storesValue, results, groups);
    }

    /** The first slot of slot {@code s}'s group: {@code s} itself when it is on its own or first. */
    public int groupOf(int s) {
        return groups.isEmpty() ? s : groups.get(s);
    }

    private static void checkGroups(String name, Mode mode, List<Load> loads, int outputs, boolean storesValue, List<Integer> groups) {
        if (groups.isEmpty()) return;
        int slots = loads.size() + (mode == Mode.REDUCE_ROW && !storesValue ? 0 : outputs);
        if (groups.size() != slots) {
            throw new IllegalArgumentException("KernelIR " + name + ": slot groups name " + groups.size() + " slots, the kernel has " + slots);
        }
        for (int s = 0; s < slots; s++) {
            int first = groups.get(s);
            if (first < 0 || first > s || groups.get(first) != first) {
                throw new IllegalArgumentException("KernelIR " + name + ": slot " + s + "'s group starts at slot " + first
                        + ", which is not an earlier slot leading its own group: " + groups);
            }
            if (first != s || groups.subList(s + 1, slots).contains(s)) {
                boolean contiguous = s >= loads.size() || loads.get(s).access() == Access.CONTIGUOUS && loads.get(s).dtype() == DType.FLOAT32;
                if (!contiguous || mode == Mode.REDUCE_COLUMNS && s >= loads.size()) {
                    throw new IllegalArgumentException("KernelIR " + name + ": slot " + s + " is in a group but is not a contiguous float32 slot"
                            + " of an elementwise or row kernel: " + groups);
                }
            }
        }
    }

    /** How the result leaves the loop. */
    public enum Mode { ELEMENTWISE, REDUCE_ROW, REDUCE_COLUMNS }

    /** How a slot is addressed along the loop: consecutive elements, one element for all, or a fixed stride. */
    public enum Access { CONTIGUOUS, BROADCAST, STRIDED }

    /** An input slot: its element type and its addressing along the loop. */
    public record Load(DType dtype, Access access) {}

    /**
     * The machine-level operations that {@link Decompositions} rewrites transcendentals into, beside
     * the elementwise {@link Op}s a code generator renders directly (NEG, ABS, SQRT, ADD, SUB, MUL,
     * DIV, MAX, MIN, the comparisons, WHERE, LOGICAL_NOT). Values are float32, int32 (a float's bits
     * or a small integer) or bool (a lane mask).
     */
    public enum Prim {
        /** A constant of the instruction's dtype: float32 (its bits in {@code constant}) or int32. */
        CONST,
        /** {@code a * b + c}, rounded once (float32). */
        FMA,
        /** The float32 argument's bits as an int32. */
        BITS,
        /** The int32 argument's bits as a float32. */
        FROM_BITS,
        /** The int32 argument's value as a float32 (exact below 2^24). */
        TO_FLOAT,
        /** int32 arithmetic and logic. */
        IADD, ISUB, IAND, IOR,
        /** int32 shifts by {@code constant} bits: left, arithmetic right, logical right. */
        SHL, SHR, USHR,
        /** bool mask logic. */
        AND, OR,
        /**
         * The float32 entry of a constant table ({@link KernelTable}, its ordinal in {@code constant})
         * at the int32 index of the argument, per lane; the index is always within the table.
         */
        TABLE,
        /**
         * The bool argument itself, opening a region: the next {@code constant} instructions, which a
         * renderer may skip when no lane of the mask is true. A region's values are used inside it,
         * or after it only as the second argument of a {@code WHERE} on this mask: where the mask is
         * false they are unspecified, so skipping the region changes no result. It keeps a costly
         * path (sin's reduction of huge arguments) off the loop when no lane needs it.
         */
        IF_ANY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One instruction: a load of slot {@code slot} (when {@code op} and {@code prim} are null),
     * {@code op} over the results {@code args}, or the machine-level {@code prim} over them
     * ({@code constant}: a CONST's value, a shift's count).
     */
    public record Instr(Op op, Prim prim, int slot, List<Integer> args, DType dtype, int constant) {
        public Instr {
            args = List.copyOf(args);
            if (op != null && prim != null) throw new IllegalArgumentException("KernelIR: an instruction is an op or a prim, not both");
        }

        public boolean load() {
            return op == null && prim == null;
        }

        public static Instr load(int slot, DType dtype) {
            return new Instr(null, null, slot, List.of(), dtype, 0);
        }

        public static Instr op(Op op, List<Integer> args, DType dtype) {
            return new Instr(op, null, -1, args, dtype, 0);
        }

        public static Instr prim(Prim prim, List<Integer> args, DType dtype, int constant) {
            return new Instr(null, prim, -1, args, dtype, constant);
        }

        /** What it computes, for the kernel's text: {@code exp}, {@code fma}, {@code const 1.0}, {@code shl 23}. */
        public String label() {
            if (op != null) return op.label();
            if (prim == null) return "load " + slot;
            return switch (prim) {
                case CONST -> "const " + (dtype == DType.FLOAT32 ? Float.toString(Float.intBitsToFloat(constant)) : Integer.toString(constant));
                case SHL, SHR, USHR -> prim.label() + " " + constant;
                case TABLE -> "table " + KernelTable.values()[constant].label();
                case IF_ANY -> "if_any (next " + constant + ")";
                default -> prim.label();
            };
        }
    }

    /** Number of input slots; the outputs (elementwise, reduce-columns) are the slots after them. */
    public int inputSlots() {
        return loads.size();
    }

    /**
     * The canonical text of the kernel without its name: equal keys mean the same generated code,
     * which is how generated classes are shared between programs and shapes.
     */
    public String key() {
        StringBuilder sb = new StringBuilder(mode.name());
        if (reduceOp != null) sb.append(' ').append(reduceOp.label());
        if (storesValue) sb.append(" and store");
        sb.append(" -> ").append(outDtype).append('\n');
        for (int i = 0; i < loads.size(); i++) {
            sb.append("  slot ").append(i).append(": ").append(loads.get(i).dtype()).append(' ')
                    .append(loads.get(i).access().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        }
        for (int i = 0; i < body.size(); i++) {
            Instr in = body.get(i);
            sb.append("  %").append(i).append(" = ");
            sb.append(in.label());
            for (int a : in.args()) sb.append(" %").append(a);
            sb.append(" : ").append(in.dtype()).append('\n');
        }
        if (results.size() > 1) {
            sb.append("  results");
            for (int r : results) sb.append(" %").append(r);
            sb.append('\n');
        }
        if (!groups.isEmpty()) sb.append("  slot groups ").append(groups).append('\n');
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + ": " + key();
    }
}
