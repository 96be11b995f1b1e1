package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.kernels.cuda.ptx.SlotKernelPtx;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Launches elementwise kernels ({@link SlotKernelPtx}) whose operands are strided {@code rows × cols}
 * matrices anywhere in device memory ({@link Slot}): a recurrence loop's cell kernels and the few
 * one-op kernels around them (copy, add, multiply, a masked select), all from the kernel IR.
 *
 * <pre>{@code
 * DeviceSlots.run(r, DeviceSlots.ADD, rows, cols, List.of(a, b, sum));   // sum = a + b
 * }</pre>
 */
final class DeviceSlots {
    static final KernelIR COPY = KernelIrPtx.copy(DType.FLOAT32);
    static final KernelIR ADD = KernelIrPtx.single(Op.ADD, List.of(DType.FLOAT32, DType.FLOAT32), DType.FLOAT32);
    static final KernelIR MUL = KernelIrPtx.single(Op.MUL, List.of(DType.FLOAT32, DType.FLOAT32), DType.FLOAT32);
    /** {@code mask ? a : b}. */
    static final KernelIR SELECT = KernelIrPtx.single(Op.WHERE, List.of(DType.BOOL, DType.FLOAT32, DType.FLOAT32), DType.FLOAT32);
    /** {@code mask ? a : a + b}: a masked row's state gradient passes through a step it did not take part in. */
    static final KernelIR ADD_WHERE_CLEAR = new KernelIR("E_add_where_clear", KernelIR.Mode.ELEMENTWISE, null,
            List.of(new KernelIR.Load(DType.BOOL, KernelIR.Access.STRIDED), new KernelIR.Load(DType.FLOAT32, KernelIR.Access.STRIDED),
                    new KernelIR.Load(DType.FLOAT32, KernelIR.Access.STRIDED)),
            List.of(Instr.load(0, DType.BOOL), Instr.load(1, DType.FLOAT32), Instr.load(2, DType.FLOAT32),
                    Instr.op(Op.ADD, List.of(1, 2), DType.FLOAT32), Instr.op(Op.WHERE, List.of(0, 1, 3), DType.FLOAT32)),
            DType.FLOAT32);

    private DeviceSlots() {}

    /** {@code a_k + b_k} for {@code pairs} pairs in one kernel: inputs a_0, b_0, a_1, b_1, ..., results in order. */
    static KernelIR pairSums(int pairs) {
        if (pairs == 1) return ADD;
        List<KernelIR.Load> loads = new ArrayList<>();
        List<Instr> body = new ArrayList<>();
        List<Integer> results = new ArrayList<>();
        for (int k = 0; k < pairs; k++) {
            loads.add(new KernelIR.Load(DType.FLOAT32, KernelIR.Access.STRIDED));
            loads.add(new KernelIR.Load(DType.FLOAT32, KernelIR.Access.STRIDED));
            body.add(Instr.load(2 * k, DType.FLOAT32));
            body.add(Instr.load(2 * k + 1, DType.FLOAT32));
            body.add(Instr.op(Op.ADD, List.of(body.size() - 2, body.size() - 1), DType.FLOAT32));
            results.add(body.size() - 1);
        }
        return KernelIR.multiOutput("E_add_pairs", loads, body, results);
    }

    /** A strided matrix on the device: element (row, col) at {@code address + (row·rowStride + col·colStride)·size}. */
    record Slot(long address, DType dtype, int rowStride, int colStride) {
        /** A float32 matrix whose rows are {@code rowStride} apart, columns adjacent. */
        static Slot rows(long address, int rowStride) {
            return new Slot(address, DType.FLOAT32, rowStride, 1);
        }

        /** One value read by every element. */
        static Slot scalar(long address) {
            return new Slot(address, DType.FLOAT32, 0, 0);
        }

        /** The same matrix {@code columns} columns further on. */
        Slot columns(int columns) {
            return new Slot(address + (long) columns * colStride * dtype.byteSize(), dtype, rowStride, colStride);
        }

        /** Dimensions 0 and 1 of {@code t}'s view from its element {@code element} (counted from its offset). */
        static Slot of(Tensor t, long element, int rowDim, int colDim) {
            long at = CudaKernels.address(t, false) + (t.offset() + element) * t.dtype().byteSize();
            return new Slot(at, t.dtype(), t.stride(rowDim), t.stride(colDim));
        }
    }

    /** {@code ir} over {@code rows × cols}, its input slots then its result slots in {@code slots}. */
    static void run(KernelRunner r, KernelIR ir, int rows, int cols, List<Slot> slots) {
        if (slots.size() != ir.loads().size() + ir.outputs()) {
            throw new IllegalArgumentException("cuda: kernel " + ir.name() + " has " + (ir.loads().size() + ir.outputs()) + " slots, got " + slots.size());
        }
        long n = (long) rows * cols;
        if (n == 0) return;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("cuda: " + ir.name() + " over " + rows + "x" + cols + " exceeds 2^31 elements");
        String name = "S_" + ir.name().replaceAll("^E_", "").replaceAll("[^A-Za-z0-9_]", "_") + "_" + CudaKernels.digest(ir.key());
        String entry = PtxCache.entry(name, () -> SlotKernelPtx.kernel(name, ir));
        List<Object> args = new ArrayList<>();
        args.add((int) n);
        args.add(cols);
        for (Slot s : slots) {
            args.add(s.address());
            args.add(s.rowStride());
            args.add(s.colStride());
        }
        r.launch(new Launch(name, entry, CudaKernels.gridFor(n, SlotKernelPtx.BLOCK), 1, 1, SlotKernelPtx.BLOCK, 0, args));
    }

    /** Every element of the float32 {@code rows × cols} matrix {@code to} set to {@code value}. */
    static void fill(KernelRunner r, Slot to, int rows, int cols, float value) {
        run(r, KernelIrPtx.fill(DType.FLOAT32, Float.floatToRawIntBits(value)), rows, cols, List.of(to));
    }

    /** Dense float32 scratch for {@code elements} values (uninitialized). */
    static long scratch(KernelRunner r, long elements) {
        return r.scratch(Math.max(1, elements) * 4);
    }
}
