package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps;
import dev.javelin.kernels.cuda.ptx.ElementwisePtx;
import dev.javelin.kernels.cuda.ptx.KernelIrPtx;
import dev.javelin.kernels.cuda.ptx.PtxTypes;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans each primitive as kernel launches on a {@link KernelRunner}: picks the kernel, generates (or
 * reuses) its PTX, and computes grid and arguments from the operands' shapes and strides. Knows
 * nothing of the driver, so tests run it against a recorder and assemble everything it emitted.
 * Ops without a PTX kernel (float64 transcendentals, float64 convolutions, bool scatter) report
 * {@link #supports} false and the backend runs them on the host.
 *
 * <pre>{@code
 * RecordingRunner r = ...;            // or the device
 * CudaKernels.execute(r, call, out);   // enqueues the launches for one primitive
 * }</pre>
 */
public final class CudaKernels {
    private static final int MAX_GRID = 16384;

    private CudaKernels() {}

    /** True when {@code call} runs as PTX; false sends it to the host. */
    public static boolean supports(OpCall call) {
        Op op = call.op();
        return switch (op.kind()) {
            case UNARY, BINARY, TERNARY -> ElementwiseOps.supports(op, op == Op.WHERE ? call.input(1).dtype() : call.input(0).dtype());
            case REDUCE -> true;
            case DATA -> op != Op.FOLD || call.dtype().isFloating();
            case CONTRACTION -> op == Op.MATMUL || op == Op.CONV2D || op == Op.CONV2D_BACKWARD_INPUT || op == Op.CONV2D_BACKWARD_FILTER
                    ? call.dtype().isFloating() : call.dtype() == DType.FLOAT32;
            case INDEX -> op == Op.GATHER || (op == Op.SCATTER_ADD && call.dtype() != DType.BOOL); // ARGSORT sorts on the host
            case RANDOM -> CudaRandom.supports(op);
            case MOVEMENT -> false;
        };
    }

    /** Enqueues the kernels computing {@code call} into the dense {@code out}. */
    public static void execute(KernelRunner r, OpCall call, Tensor out) {
        Op op = call.op();
        if (out.size() == 0 && op != Op.SCATTER_ADD) return;
        switch (op.kind()) {
            case UNARY, BINARY, TERNARY -> {
                List<DType> types = call.inputs().stream().map(Tensor::dtype).toList();
                elementwise(r, KernelIrPtx.single(op, types, call.dtype()), call.inputs(), address(out, true), out);
            }
            case REDUCE -> CudaReductions.reduce(r, call, out);
            case CONTRACTION -> {
                switch (op) {
                    case MATMUL -> CudaMatmul.matmul(r, call.input(0), call.input(1), out);
                    case RECURRENCE -> CudaRecurrence.forward(r, call, out);
                    case RECURRENCE_BACKWARD -> CudaRecurrence.backward(r, call, out);
                    case ATTENTION -> CudaAttention.forward(r, call, out);
                    case ATTENTION_BACKWARD -> CudaAttention.backward(r, call, out);
                    default -> CudaConv.execute(r, call, out);
                }
            }
            case DATA -> {
                switch (op) {
                    case CAST -> elementwise(r, KernelIrPtx.single(Op.CAST, List.of(call.input(0).dtype()), call.dtype()), call.inputs(),
                            address(out, true), out);
                    case CONTIGUOUS -> elementwise(r, KernelIrPtx.copy(call.dtype()), call.inputs(), address(out, true), out);
                    case PAD -> CudaIndexing.pad(r, call, out);
                    case FOLD -> CudaConv.fold(r, call, out);
                    default -> throw new IllegalArgumentException("cuda: unexpected data op " + op.label());
                }
            }
            case INDEX -> {
                switch (op) {
                    case GATHER -> CudaIndexing.gather(r, call, out);
                    case SCATTER_ADD -> CudaIndexing.scatterAdd(r, call, out);
                    default -> throw new IllegalArgumentException("cuda: " + op.label() + " runs on the host (see supports)");
                }
            }
            case RANDOM -> CudaRandom.random(r, call, out);
            case MOVEMENT -> throw new IllegalArgumentException("cuda: view " + op.label() + " reached the backend; views are made by the engine");
        }
    }

    // ---- shared helpers ----------------------------------------------------------------------

    /** The device address of element 0 of {@code t}'s storage (not of its offset). */
    static long address(Tensor t, boolean overwrite) {
        Storage s = t.storage();
        if (s instanceof RawStorage raw) return raw.address();
        if (!(s instanceof CudaStorage cs)) {
            throw new IllegalArgumentException("cuda: operand " + t.dtype() + t.shape() + " lives on " + t.device()
                    + " in " + (s == null ? "no storage (symbolic)" : s.getClass().getSimpleName()) + ", expected CUDA storage");
        }
        return overwrite ? cs.addressForOverwrite() : cs.address();
    }

    static int gridFor(long n, int block) {
        return (int) Math.max(1, Math.min(MAX_GRID, (n + block - 1) / block));
    }

    /**
     * Computes the elementwise kernel {@code ir} over {@code inputs} (any strides) into the dense
     * buffer at {@code outAddress} shaped like {@code shapeOf}; the output dtype is the kernel's.
     */
    static void elementwise(KernelRunner r, KernelIR ir, List<Tensor> inputs, long outAddress, Tensor shapeOf) {
        int[] dims = shapeOf.shape().toArray();
        int n = shapeOf.shape().sizeAsInt();
        if (n == 0) return;
        List<int[]> strides = new ArrayList<>();
        strides.add(StridedLayout.dense(dims));
        List<DType> types = new ArrayList<>();
        for (Tensor t : inputs) {
            strides.add(t.strides());
            types.add(t.dtype());
        }
        StridedLayout l = StridedLayout.coalesce(dims, strides);
        int rank = l.rank();
        if (rank == 1 && vectorizable(ir, inputs, l, outAddress)) {
            boolean[] broadcast = new boolean[inputs.size()];
            StringBuilder mask = new StringBuilder();
            for (int k = 0; k < inputs.size(); k++) {
                broadcast[k] = l.strides().get(k + 1)[0] == 0;
                mask.append(broadcast[k] ? 'b' : 'c');
            }
            String name = kernelName(ir) + "_v4" + (inputs.isEmpty() ? "" : "_" + mask);
            String entry = PtxCache.entry(name, () -> ElementwisePtx.vectorKernel(name, ir, broadcast));
            List<Object> args = new ArrayList<>();
            args.add(outAddress);
            args.add(n);
            for (Tensor t : inputs) {
                args.add(address(t, false));
                args.add(t.offset());
            }
            r.launch(new Launch(name, entry, gridFor((n + 3) / 4, ElementwisePtx.BLOCK), 1, 1, ElementwisePtx.BLOCK, 0, args));
            return;
        }
        String name = kernelName(ir) + "_r" + rank;
        String entry = PtxCache.entry(name, () -> ElementwisePtx.kernel(name, ir, rank));
        List<Object> args = new ArrayList<>();
        args.add(outAddress);
        args.add(n);
        for (int d = 1; d < rank; d++) args.add(l.dims()[d]);
        for (int k = 0; k < inputs.size(); k++) {
            Tensor t = inputs.get(k);
            args.add(address(t, false));
            args.add(t.offset());
            for (int d = 0; d < rank; d++) args.add(l.strides().get(k + 1)[d]);
        }
        r.launch(new Launch(name, entry, gridFor(n, ElementwisePtx.BLOCK), 1, 1, ElementwisePtx.BLOCK, 0, args));
    }

    /**
     * True when the dense v4 kernel applies: 4-byte dtypes throughout, every operand contiguous or a
     * single broadcast element, contiguous ones and the output 16-byte aligned, and enough elements
     * for the wide path to matter.
     */
    private static boolean vectorizable(KernelIR ir, List<Tensor> inputs, StridedLayout l, long outAddress) {
        if (l.dims()[0] < 64 || outAddress % 16 != 0 || ir.outDtype().byteSize() != 4) return false;
        for (int k = 0; k < inputs.size(); k++) {
            Tensor t = inputs.get(k);
            int s = l.strides().get(k + 1)[0];
            if (t.dtype().byteSize() != 4 || (s != 0 && s != 1)) return false;
            if (s == 1 && (address(t, false) + (long) t.offset() * 4) % 16 != 0) return false;
        }
        return true;
    }

    /** A dense copy of {@code t} in scratch memory; returns its address. */
    static long denseCopy(KernelRunner r, Tensor t) {
        long addr = r.scratch((long) t.shape().sizeAsInt() * t.dtype().byteSize());
        elementwise(r, KernelIrPtx.copy(t.dtype()), List.of(t), addr, t);
        return addr;
    }

    /**
     * {@code E_add_f32_f32} for one op over its inputs in order, {@code E_cast_..}, {@code E_copy_..},
     * {@code E_fill_..}, else the kernel's name and a hash of its body.
     */
    static String kernelName(KernelIR ir) {
        StringBuilder tags = new StringBuilder();
        for (KernelIR.Load l : ir.loads()) tags.append('_').append(PtxTypes.tag(l.dtype()));
        List<KernelIR.Instr> body = ir.body();
        KernelIR.Instr last = body.get(body.size() - 1);
        boolean plain = body.size() == ir.loads().size() + (last.load() ? 0 : 1);
        for (int i = 0; plain && i < ir.loads().size(); i++) plain = body.get(i).load() && body.get(i).slot() == i;
        if (plain && last.load()) return "E_copy" + tags;
        if (plain && last.op() == Op.CAST) return "E_cast" + tags + "_" + PtxTypes.tag(ir.outDtype());
        if (plain && last.op() != null && last.args().size() == ir.loads().size()) return "E_" + last.op().label() + tags;
        if (body.size() == 1 && last.prim() == KernelIR.Prim.CONST) {
            return "E_fill_" + PtxTypes.tag(ir.outDtype()) + "_" + Integer.toHexString(last.constant());
        }
        String base = ir.name().replaceAll("[^A-Za-z0-9_]", "_");
        if (base.length() > 40) base = base.substring(0, 40);
        return (base.startsWith("E_") ? base : "E_" + base) + "_" + digest(ir.key());
    }

    /** 64 bits of SHA-256 in hex: kernel names for generated code, where a collision would run the wrong kernel. */
    static String digest(String text) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) sb.append(String.format("%02x", h[i] & 0xff));
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
