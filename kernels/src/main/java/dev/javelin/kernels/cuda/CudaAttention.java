package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.AttentionPtx;
import dev.javelin.tensor.AttentionLayout;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;

/**
 * Plans the float32 ATTENTION and ATTENTION_BACKWARD on the device ({@link AttentionPtx}): one block
 * per query row for the forward (online softmax), then for the backward one block per query row (dq
 * and each row's delta) and one per key row (dk, dv). Operands are read in place wherever their rows
 * are contiguous and the batch axes before the heads axis share one stride (batch-major tensors, the
 * heads-first views of time-major ones, broadcast masks); anything else is copied densely first. The
 * packed results are written where {@link AttentionLayout} says, batch-major or time-major.
 *
 * <pre>{@code
 * CudaAttention.forward(runner, call, out);
 * }</pre>
 */
final class CudaAttention {
    private CudaAttention() {}

    /** Rows of an operand as the kernels address them: element (o·H + h, i) at {@code address + (o·a + h·b + i·c)·4}. */
    record Rows(long address, int a, int b, int c) {
        void addTo(List<Object> args) {
            args.add(address);
            args.add(a);
            args.add(b);
            args.add(c);
        }

        /** The rows of a packed result at {@code base} whose element (b, i) is {@code at(b, i)}, for H heads (linear in o, h, i). */
        static Rows packed(long base, int heads, IntBinaryOperator at) {
            int origin = at.applyAsInt(0, 0);
            return new Rows(base + (long) origin * 4, at.applyAsInt(heads, 0) - origin, at.applyAsInt(1, 0) - origin, at.applyAsInt(0, 1) - origin);
        }
    }

    static void forward(KernelRunner r, OpCall call, Tensor out) {
        AttentionLayout l = AttentionLayout.of(call);
        OpAttrs.Attention attrs = call.attrs(OpAttrs.Attention.class);
        boolean masked = call.inputs().size() == 4;
        int heads = heads(call.input(0));
        if (l.batch() == 0 || l.tq() == 0) return;
        long base = CudaKernels.address(out, true) + (long) out.offset() * 4;
        List<Object> args = operands(r, call, masked);
        Rows.packed(base, heads, l::outputRow).addTo(args);
        Rows.packed(base, heads, l::logsumexp).addTo(args);
        sizes(args, heads, l, attrs);
        String name = "attention_fwd" + variant(attrs, masked);
        String entry = PtxCache.entry(name, () -> AttentionPtx.forward(name, attrs.causal(), masked));
        r.launch(new Launch(name, entry, l.tq(), l.batch(), 1, AttentionPtx.BLOCK, 0, args));
    }

    /** Inputs: q, k, v, [mask], the forward's packed result, the output's gradient, the logsumexp's. */
    static void backward(KernelRunner r, OpCall call, Tensor out) {
        AttentionLayout l = AttentionLayout.of(call);
        OpAttrs.Attention attrs = call.attrs(OpAttrs.Attention.class);
        boolean masked = call.inputs().size() == 7;
        int heads = heads(call.input(0)), at = masked ? 4 : 3;
        if (l.batch() == 0) return;
        long base = CudaKernels.address(out, true) + (long) out.offset() * 4;
        Tensor packed = call.input(at);
        long forward = packed.isContiguous() ? CudaKernels.address(packed, false) + (long) packed.offset() * 4 : CudaKernels.denseCopy(r, packed);
        Rows g = rows(r, call.input(at + 1)), gLse = rows(r, call.input(at + 2));
        Rows lse = Rows.packed(forward, heads, l::logsumexp);
        long delta = r.scratch(Math.max(1L, (long) l.batch() * l.tq()) * 4);
        String v = variant(attrs, masked);
        if (l.tq() > 0) {
            List<Object> args = operands(r, call, masked);
            Rows.packed(forward, heads, l::outputRow).addTo(args);
            lse.addTo(args);
            g.addTo(args);
            gLse.addTo(args);
            Rows.packed(base, heads, (b, i) -> l.gradientRow(0, b, i)).addTo(args);
            args.add(delta);
            sizes(args, heads, l, attrs);
            String name = "attention_bwd_q" + v;
            String entry = PtxCache.entry(name, () -> AttentionPtx.backwardQueries(name, attrs.causal(), masked));
            r.launch(new Launch(name, entry, l.tq(), l.batch(), 1, AttentionPtx.BLOCK, 0, args));
        }
        if (l.tk() > 0) {
            List<Object> args = operands(r, call, masked);
            lse.addTo(args);
            g.addTo(args);
            Rows.packed(base, heads, (b, j) -> l.gradientRow(1, b, j)).addTo(args);
            Rows.packed(base, heads, (b, j) -> l.gradientRow(2, b, j)).addTo(args);
            args.add(delta);
            sizes(args, heads, l, attrs);
            String name = "attention_bwd_kv" + v;
            String entry = PtxCache.entry(name, () -> AttentionPtx.backwardKeys(name, attrs.causal(), masked));
            r.launch(new Launch(name, entry, l.tk(), l.batch(), 1, AttentionPtx.BLOCK, 0, args));
        }
    }

    private static String variant(OpAttrs.Attention attrs, boolean masked) {
        return (attrs.causal() ? "_causal" : "") + (masked ? "_masked" : "");
    }

    /** The flattened batch index splits as (o, h) with h < H, the last batch axis (the heads of a time-major call). */
    private static int heads(Tensor q) {
        return q.rank() >= 3 ? q.dim(-3) : 1;
    }

    /** q, k, v and the mask (with its column stride) as kernel arguments. */
    private static List<Object> operands(KernelRunner r, OpCall call, boolean masked) {
        List<Object> args = new ArrayList<>();
        for (int k = 0; k < 3; k++) rows(r, call.input(k)).addTo(args);
        if (masked) {
            int[] column = new int[1];
            rows(r, call.input(3), true, column).addTo(args);
            args.add(column[0]);
        }
        return args;
    }

    private static void sizes(List<Object> args, int heads, AttentionLayout l, OpAttrs.Attention attrs) {
        args.addAll(List.of(heads, l.tq(), l.tk(), l.d(), l.dv(), (float) attrs.scale()));
    }

    private static long address(Tensor t) {
        return CudaKernels.address(t, false) + (long) t.offset() * 4;
    }

    /**
     * {@code t} [B...,T,W] in place when its batch axes before the last one coalesce into one stride
     * and its rows are contiguous ({@code anyColumns}: a mask, whose column stride is passed apart);
     * else a dense copy. Returns the rows and the column stride.
     */
    private static Rows rows(KernelRunner r, Tensor t, boolean anyColumns, int[] column) {
        int rank = t.rank();
        int[] s = t.strides();
        boolean inPlace = anyColumns || s[rank - 1] == 1 || t.dim(-1) == 1;
        int outer = 0, expected = -1;
        for (int d = rank - 4; d >= 0; d--) { // the outer batch axes as one: o·outer
            if (t.dim(d) == 1) continue;
            if (expected < 0) outer = s[d];
            else inPlace &= s[d] == expected;
            expected = s[d] * t.dim(d);
        }
        long address;
        if (inPlace) {
            address = address(t);
            column[0] = s[rank - 1];
        } else {
            address = CudaKernels.denseCopy(r, t);
            s = t.shape().contiguousStrides();
            outer = rank >= 4 ? s[rank - 4] : 0;
            column[0] = 1;
        }
        return new Rows(address, outer, rank >= 3 ? s[rank - 3] : 0, s[rank - 2]);
    }

    private static Rows rows(KernelRunner r, Tensor t) {
        return rows(r, t, false, new int[1]);
    }
}
