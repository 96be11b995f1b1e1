package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.EpiloguePtx;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An elementwise kernel that a float32 matmul or convolution applies to each element of its result
 * C [M, N] as it stores it, writing its own result to {@code out}, dense [M, N] (bias, activation,
 * residual in the GEMM's store instead of a second pass over C). C itself is stored only where the
 * caller gives the contraction an output for it. Slot k of {@code ir} reads C where
 * {@code operands.get(k)} is null, else that operand at row r, column c:
 * {@code tensor[offset + decode(r) + c * colStride]}, {@code decode} splitting r over {@code rowDims}
 * (row-major, product M) with the operand's {@code rowStrides}.
 *
 * <pre>{@code
 * // relu(x @ w + b): b read at column c for every row
 * GemmEpilogue e = new GemmEpilogue(ir, Arrays.asList(null, new GemmEpilogue.Operand(b, 0, 1, new int[] {0})), new int[] {m}, out);
 * }</pre>
 *
 * @param ir       the elementwise kernel
 * @param operands per slot, null for C, else how the slot is addressed
 * @param rowDims  the row dimensions (their product is M)
 * @param out      where the kernel's result goes
 */
public record GemmEpilogue(KernelIR ir, List<Operand> operands, int[] rowDims, Tensor out) {
    /** A slot that reads a tensor (not C): element offset (added to the tensor's own), column stride, one stride per row dimension. */
    public record Operand(Tensor tensor, int offset, int colStride, int[] rowStrides) {}

    public GemmEpilogue {
        operands = java.util.Collections.unmodifiableList(new ArrayList<>(operands)); // nulls allowed: they mark C
        if (operands.size() != ir.loads().size() || ir.mode() != KernelIR.Mode.ELEMENTWISE) {
            throw new IllegalArgumentException("GemmEpilogue: " + ir.name() + " (" + ir.mode() + ", " + ir.loads().size() + " slots) with "
                    + operands.size() + " operands; expected an elementwise kernel and one operand (or null for C) per slot");
        }
        for (Operand o : operands) {
            if (o != null && o.rowStrides().length != rowDims.length) {
                throw new IllegalArgumentException("GemmEpilogue: an operand has " + o.rowStrides().length + " row strides for "
                        + rowDims.length + " row dimensions");
            }
        }
    }

    /** What shapes the generated code; {@code storesProduct}: the GEMM stores C beside {@code out}. */
    EpiloguePtx.Shape shape(boolean storesProduct) {
        boolean[] c = new boolean[operands.size()];
        for (int s = 0; s < c.length; s++) c[s] = operands.get(s) == null;
        return new EpiloguePtx.Shape(ir, c, rowDims.length, storesProduct);
    }

    /** The kernel arguments after the GEMM's own, in {@link EpiloguePtx}'s order. */
    List<Object> arguments(int ldu) {
        List<Object> args = new ArrayList<>();
        args.add(CudaKernels.address(out, true) + (long) out.offset() * out.dtype().byteSize());
        args.add(ldu);
        for (int d = 1; d < rowDims.length; d++) args.add(rowDims[d]);
        for (Operand o : operands) {
            if (o == null) continue;
            args.add(CudaKernels.address(o.tensor(), false));
            args.add(o.tensor().offset() + o.offset());
            args.add(o.colStride());
            for (int s : o.rowStrides()) args.add(s);
        }
        return args;
    }

    /** True when U's rows start 16-byte aligned, so the vectorized GEMM may store it with v4. */
    boolean aligned(int ldu) {
        long a = CudaKernels.address(out, true) + (long) out.offset() * out.dtype().byteSize();
        return a % 16 == 0 && ldu % 4 == 0;
    }
}
