package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.util.List;

/**
 * An elementwise {@link KernelIR} with one or several results ({@link KernelIR#multiOutput}) over a
 * {@code rows × cols} grid where every slot, input or result, is its own strided matrix: a base
 * pointer, a row stride and a column stride in elements. This is how a recurrence loop runs a cell's
 * step ({@code kernels.ir.RecurrentCells}) on the device: each operand is a gate's block of a step's
 * rows, read and written where it lives (the projected input, the packed result, a state), so no
 * step copies its operands into a gate-major buffer first. One thread per element in a grid-stride
 * loop; plain {@code ld.global} (not {@code .nc}), as a slot may be written by the same kernel that
 * reads it (an in-place select), each element by the thread that read it.
 *
 * <p>Parameters, in order: {@code n} (rows·cols), {@code cols}, then per slot (the inputs, then the
 * results) {@code ptr} (u64, the element at row 0, column 0), {@code rowStride}, {@code colStride} (s32).
 *
 * <pre>{@code
 * String entry = SlotKernelPtx.kernel("S_lstm_forward", RecurrentCells.forward(LSTM, TANH, SIGMOID)...ir());
 * }</pre>
 */
public final class SlotKernelPtx {
    /** Threads per block. */
    public static final int BLOCK = 256;

    private SlotKernelPtx() {}

    /** The entry {@code name} computing {@code ir}; its float32 arithmetic decomposed as the CPU's. */
    public static String kernel(String name, KernelIR ir) {
        if (ir.mode() != KernelIR.Mode.ELEMENTWISE) throw new IllegalArgumentException("SlotKernelPtx: " + ir.name() + " is a " + ir.mode());
        List<DType> inputs = ir.loads().stream().map(KernelIR.Load::dtype).toList();
        KernelIR body = KernelIrPtx.lower(ir);
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String n = w.paramU32("n");
        String cols = w.paramU32("cols");
        int slots = inputs.size() + ir.outputs();
        String[] ptr = new String[slots], rowStride = new String[slots], colStride = new String[slots];
        for (int k = 0; k < slots; k++) {
            ptr[k] = w.paramPtr("p" + k);
            rowStride[k] = w.paramU32("rs" + k);
            colStride[k] = w.paramU32("cs" + k);
        }
        w.gridStrideLoop(n, i -> {
            String row = w.reg(Reg.B32), col = w.reg(Reg.B32);
            w.op("div.u32 " + row + ", " + i + ", " + cols);
            w.op("mul.lo.s32 " + col + ", " + row + ", " + cols);
            w.op("sub.s32 " + col + ", " + i + ", " + col);
            String[] offset = new String[slots];
            for (int k = 0; k < slots; k++) {
                offset[k] = w.reg(Reg.B32);
                w.op("mul.lo.s32 " + offset[k] + ", " + row + ", " + rowStride[k]);
                w.op("mad.lo.s32 " + offset[k] + ", " + col + ", " + colStride[k] + ", " + offset[k]);
            }
            List<Val> values = KernelIrPtx.values(w, body, k -> {
                String addr = w.address(ptr[k], offset[k], PtxTypes.bytes(inputs.get(k)));
                return new Val(PtxTypes.load(w, inputs.get(k), addr, false), inputs.get(k));
            });
            List<Integer> results = body.results();
            for (int r = 0; r < results.size(); r++) {
                int k = inputs.size() + r;
                PtxTypes.store(w, ir.outDtype(), w.address(ptr[k], offset[k], PtxTypes.bytes(ir.outDtype())), values.get(results.get(r)).reg());
            }
        });
        return w.finish();
    }
}
