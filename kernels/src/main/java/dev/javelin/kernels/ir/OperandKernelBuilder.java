package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one multi-result elementwise float32 kernel ({@link KernelIR#multiOutput}) over named
 * operands of type {@code K}: each operand read is loaded once (a contiguous slot), each write is a
 * result; the kernel's slots are the reads in order, then the writes in order ({@link #slots()}), so
 * a launcher maps each slot to its array by its operand. Every operation is one float32 instruction
 * rounded on its own, in the order written. A recurrent cell's step ({@link CellStep.Builder}) and
 * the Winograd transforms ({@link WinogradKernels}) are written with it.
 *
 * <pre>{@code
 * OperandKernelBuilder<String> k = new OperandKernelBuilder<>();
 * int a = k.read("a"), b = k.read("b");
 * k.write("sum", k.add(a, b));
 * k.write("diff", k.sub(a, b));
 * KernelIR ir = k.ir("E_sum_diff");   // slots: a, b, sum, diff
 * }</pre>
 *
 * @param <K> what names an operand (equal operands are the same slot when read)
 */
public class OperandKernelBuilder<K> {
    private final Decompositions.Builder b = new Decompositions.Builder();
    private final List<KernelIR.Load> loads = new ArrayList<>();
    private final List<K> reads = new ArrayList<>(), writes = new ArrayList<>();
    private final List<Integer> results = new ArrayList<>();
    private final Map<K, Integer> loaded = new HashMap<>();

    /** The value of {@code operand} at the loop position (loaded once however often it is read). */
    public int read(K operand) {
        return loaded.computeIfAbsent(operand, o -> {
            reads.add(o);
            loads.add(new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS));
            return b.emit(Instr.load(loads.size() - 1, DType.FLOAT32));
        });
    }

    /** Stores {@code value} to {@code operand} at the loop position. */
    public void write(K operand, int value) {
        writes.add(operand);
        results.add(value);
    }

    /** The operand of each slot: the reads in the order first read, then the writes in the order written. */
    public List<K> slots() {
        List<K> slots = new ArrayList<>(reads);
        slots.addAll(writes);
        return slots;
    }

    /** The kernel of what was read, computed and written. */
    public KernelIR ir(String name) {
        return KernelIR.multiOutput(name, loads, b.body, results);
    }

    public int add(int x, int y) { return b.add(x, y); }
    public int sub(int x, int y) { return b.sub(x, y); }
    public int mul(int x, int y) { return b.mul(x, y); }
    public int neg(int x) { return b.neg(x); }
    public int constant(float v) { return b.c(v); }

    /** {@code op} over float32 values. */
    protected int op(Op op, int... args) {
        List<Integer> a = new ArrayList<>();
        for (int x : args) a.add(x);
        return b.emit(Instr.op(op, a, DType.FLOAT32));
    }
}
