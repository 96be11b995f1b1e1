package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the fused attention's packed results keep each part: the forward's output and per-row
 * logsumexp ({@link Op#ATTENTION}), the backward's dq, dk and dv ({@link Op#ATTENTION_BACKWARD}).
 * The one definition of those offsets, for the reference, the kernels, the gradient rules and the
 * views the callers take.
 *
 * <p>Two layouts, by {@link OpAttrs.Attention#timeMajor}:
 * <ul>
 *   <li>batch-major (the default): the forward's result is [B...,Tq,Dv+1], each output row followed
 *       by its logsumexp; the backward's is [B..., Tq·D + Tk·D + Tk·Dv], each batch entry's dq, dk
 *       and dv row-major one after the other;</li>
 *   <li>time-major (q [B...,H,Tq,D] with H the last batch axis, the heads): every part is stored as
 *       [B...,T,H,width], so a head merge ({@code permute} to [B...,T,H,width], then {@code reshape}
 *       to [B·T, H·width]) is a view, not a copy. The forward's result is flat:
 *       the output [B...,Tq,H,Dv], then the logsumexp [B...,Tq,H]; the backward's is flat too: dq
 *       [B...,Tq,H,D], then dk [B...,Tk,H,D], then dv [B...,Tk,H,Dv].</li>
 * </ul>
 * Either way the values are the same; only their places differ.
 *
 * <pre>{@code
 * AttentionLayout l = AttentionLayout.of(q.shape(), k.shape(), v.shape(), true);
 * Tensor out = l.output(SequenceOps.attention(q, k, v, null, new OpAttrs.Attention(0.125, true, true)));
 * }</pre>
 *
 * @param batchShape the batch axes of q (B..., then H when time-major)
 * @param heads      H when time-major (the last batch axis), else 1
 */
public record AttentionLayout(boolean timeMajor, Shape batchShape, int heads, int batch, int tq, int tk, int d, int dv) {

    /** The layout of a call on q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv]; time-major needs a batch axis for the heads. */
    public static AttentionLayout of(Shape q, Shape k, Shape v, boolean timeMajor) {
        if (timeMajor && q.rank() < 3) {
            throw new IllegalArgumentException("attention: the time-major layout needs q [B...,H,Tq,D] with a heads axis, got q " + q);
        }
        Shape batchShape = q.sub(0, q.rank() - 2);
        int batch = 1;
        for (int i = 0; i < batchShape.rank(); i++) batch *= batchShape.dim(i);
        return new AttentionLayout(timeMajor, batchShape, timeMajor ? q.dim(-3) : 1, batch, q.dim(-2), k.dim(-2), q.dim(-1), v.dim(-1));
    }

    /** The layout of {@code call}'s operands q, k, v under its attributes. */
    public static AttentionLayout of(OpCall call) {
        return of(call.input(0).shape(), call.input(1).shape(), call.input(2).shape(), call.attrs(OpAttrs.Attention.class).timeMajor());
    }

    // ---- shapes ---------------------------------------------------------------------------------

    /** The shape of the forward's packed result. */
    public Shape forwardShape() {
        return timeMajor ? Shape.of(batch * tq * (dv + 1)) : Ops.concat(batchShape, tq, dv + 1);
    }

    /** The shape of the backward's packed result. */
    public Shape backwardShape() {
        if (timeMajor) return Shape.of(batch * (tq * d + tk * d + tk * dv));
        int[] s = Arrays.copyOf(batchShape.toArray(), batchShape.rank() + 1);
        s[batchShape.rank()] = tq * d + tk * d + tk * dv;
        return Shape.of(s);
    }

    // ---- offsets into a dense packed result (b: the flattened batch entry, heads last) ----------

    /** The index of output element (b, i, 0) in the forward's result. */
    public int outputRow(int b, int i) {
        return timeMajor ? ((b / heads * tq + i) * heads + b % heads) * dv : (b * tq + i) * (dv + 1);
    }

    /** The distance between output rows i and i+1 of one batch entry. */
    public int outputRowStride() {
        return timeMajor ? heads * dv : dv + 1;
    }

    /** The index of the logsumexp of row (b, i) in the forward's result. */
    public int logsumexp(int b, int i) {
        return timeMajor ? batch * tq * dv + (b / heads * tq + i) * heads + b % heads : (b * tq + i) * (dv + 1) + dv;
    }

    /** The distance between the logsumexps of rows i and i+1 of one batch entry. */
    public int logsumexpRowStride() {
        return timeMajor ? heads : dv + 1;
    }

    /** The index of element (b, i, 0) of the backward's part 0 (dq), 1 (dk) or 2 (dv). */
    public int gradientRow(int part, int b, int i) {
        int rows = part == 0 ? tq : tk, width = part == 2 ? dv : d;
        if (timeMajor) return partStart(part) * batch + ((b / heads * rows + i) * heads + b % heads) * width;
        return b * (tq * d + tk * d + tk * dv) + partStart(part) + i * width;
    }

    /** The distance between rows i and i+1 of one batch entry's part. */
    public int gradientRowStride(int part) {
        int width = part == 2 ? dv : d;
        return timeMajor ? heads * width : width;
    }

    /** Where part 0, 1 or 2 starts within one batch entry's (batch-major) or one head's share (time-major, times the batch). */
    private int partStart(int part) {
        return part == 0 ? 0 : part == 1 ? tq * d : tq * d + tk * d;
    }

    // ---- views of packed results, and packing (tensor ops: traced and differentiated like any) --

    /** The attention output [B...,Tq,Dv] in the forward's packed result (a view). */
    public Tensor output(Tensor packed) {
        return timeMajor ? headsFirst(packed.slice(0, 0, batch * tq * dv), tq, dv) : packed.slice(-1, 0, dv);
    }

    /** The logsumexp [B...,Tq,1] in the forward's packed result (a view). */
    public Tensor logsumexp(Tensor packed) {
        return timeMajor ? headsFirst(packed.slice(0, batch * tq * dv, batch * tq * (dv + 1)), tq, 1) : packed.slice(-1, dv, dv + 1);
    }

    /** Part 0 (dq [B...,Tq,D]), 1 (dk [B...,Tk,D]) or 2 (dv [B...,Tk,Dv]) of the backward's packed result (a view). */
    public Tensor gradient(Tensor packed, int part) {
        int rows = part == 0 ? tq : tk, width = part == 2 ? dv : d;
        if (timeMajor) {
            int start = partStart(part) * batch;
            return headsFirst(packed.slice(0, start, start + batch * rows * width), rows, width);
        }
        int start = partStart(part);
        return packed.slice(-1, start, start + rows * width).reshape(Ops.concat(batchShape, rows, width).toArray());
    }

    /** The forward's packed result from the output [B...,Tq,Dv] and the logsumexp [B...,Tq,1]. */
    public Tensor packForward(Tensor output, Tensor lse) {
        return timeMajor ? ArrayOps.concat(List.of(flatTimeMajor(output), flatTimeMajor(lse)), 0) : ArrayOps.concat(List.of(output, lse), -1);
    }

    /** The backward's packed result from dq, dk and dv (shaped as q, k and v). */
    public Tensor packBackward(Tensor dq, Tensor dk, Tensor dv) {
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : List.of(dq, dk, dv)) {
            if (timeMajor) {
                parts.add(flatTimeMajor(t));
            } else {
                int[] s = Arrays.copyOf(t.shape().toArray(), t.rank() - 1);
                s[s.length - 1] = t.dim(-2) * t.dim(-1);
                parts.add(t.reshape(s));
            }
        }
        return ArrayOps.concat(parts, timeMajor ? 0 : -1);
    }

    /** A flat [B...,T,H,width] region viewed as [B...,H,T,width]. */
    private Tensor headsFirst(Tensor flat, int rows, int width) {
        int r = batchShape.rank() + 2;
        int[] s = new int[r];
        for (int i = 0; i < r - 3; i++) s[i] = batchShape.dim(i);
        s[r - 3] = rows;
        s[r - 2] = heads;
        s[r - 1] = width;
        return flat.reshape(s).permute(swapHeadsAndTime(r));
    }

    /** [B...,H,T,width] flattened in the order [B...,T,H,width]. */
    private static Tensor flatTimeMajor(Tensor t) {
        return t.permute(swapHeadsAndTime(t.rank())).reshape(-1);
    }

    private static int[] swapHeadsAndTime(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        p[rank - 3] = rank - 2;
        p[rank - 2] = rank - 3;
        return p;
    }
}
