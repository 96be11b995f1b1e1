package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The fused sequence primitives, beside {@link Ops}: {@link Op#ATTENTION} and
 * {@link Op#RECURRENCE} with their backward ops, each a whole loop (over keys, over time) as one op.
 * Their operand checks live in {@link AttentionOperands} and {@link RecurrenceOperands}. Users
 * usually reach them through {@link NN#scaledDotProductAttention} and the recurrent layers.
 *
 * <pre>{@code
 * Tensor packed = SequenceOps.attention(q, k, v, null, new OpAttrs.Attention(scale, false));
 * Tensor hs = SequenceOps.recurrence(xw, u, List.of(h0, c0), null, new OpAttrs.Recurrence(Cell.LSTM, false, false));
 * }</pre>
 */
public final class SequenceOps {
    private SequenceOps() {}

    // ---- attention (checks in AttentionOperands) --------------------------------------------

    /**
     * The fused {@link Op#ATTENTION}: q [B...,Tq,D], k [B...,Tk,D], v [B...,Tk,Dv] with equal batch
     * dims, {@code mask} null or an additive floating mask that broadcasts to [B...,Tq,Tk]; returns
     * the output and each row's logsumexp, packed as {@link AttentionLayout} says ([B...,Tq,Dv+1]
     * unless {@code attrs.timeMajor()}). Users call {@link NN#scaledDotProductAttention}, which checks
     * and normalizes its arguments and keeps only the output.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, OpAttrs.Attention attrs) {
        DType dt = AttentionOperands.dtype(q, k, v);
        Shape packed = AttentionLayout.of(q.shape(), k.shape(), v.shape(), attrs.timeMajor()).forwardShape();
        List<Tensor> in = AttentionOperands.inputs(q, k, v, mask, dt);
        return Ops.apply(Op.ATTENTION, in, attrs, packed, dt);
    }

    /**
     * {@link Op#ATTENTION_BACKWARD}: given the forward's inputs, its packed result {@code out} and that
     * result's gradient {@code g}, returns dq, dk and dv packed as {@link AttentionLayout} says
     * ([B..., Tq·D + Tk·D + Tk·Dv] unless {@code attrs.timeMajor()}). The op reads g as two views, the
     * output's gradient and the logsumexp's, so where g is a padded output gradient (the logsumexp
     * unused, as in {@link NN#scaledDotProductAttention}) a compiled program reads the unpadded one.
     */
    public static Tensor attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor g,
                                           OpAttrs.Attention attrs) {
        DType dt = AttentionOperands.dtype(q, k, v);
        AttentionLayout layout = AttentionLayout.of(q.shape(), k.shape(), v.shape(), attrs.timeMajor());
        Shape packed = layout.forwardShape();
        if (!out.shape().equals(packed) || !g.shape().equals(packed)) {
            throw new IllegalArgumentException("attention_backward: output " + out.shape() + " and gradient " + g.shape()
                    + " must both be " + packed + " for q " + q.shape() + ", v " + v.shape());
        }
        List<Tensor> in = new ArrayList<>(AttentionOperands.inputs(q, k, v, mask, dt));
        in.add(Ops.cast(out, dt));
        in.add(Ops.cast(layout.output(g), dt));
        in.add(Ops.cast(layout.logsumexp(g), dt));
        return Ops.apply(Op.ATTENTION_BACKWARD, in, attrs, layout.backwardShape(), dt);
    }

    // ---- recurrence (checks in RecurrenceOperands) ------------------------------------------

    /**
     * The fused {@link Op#RECURRENCE}: a recurrent layer's whole loop as one op (no graph growth with
     * T). {@code x} holds every step's projected input, {@code operands} the cell's other operands
     * (LSTM: h0, c0; GRU: the recurrent bias, h0), {@code mask} is null or bool [batch, time] (false
     * steps keep the states). See {@link Op#RECURRENCE} for the layout, e.g.
     * {@code SequenceOps.recurrence(xw, u, List.of(h0, c0), null, new OpAttrs.Recurrence(Cell.LSTM, false, false))}.
     */
    public static Tensor recurrence(Tensor x, Tensor w, List<Tensor> operands, Tensor mask, OpAttrs.Recurrence attrs) {
        List<Tensor> in = RecurrenceOperands.forward(x, w, operands, mask, attrs);
        return Ops.apply(Op.RECURRENCE, in, attrs, RecurrenceOperands.outputShape(x, w, attrs), in.get(0).dtype());
    }

    /** {@link Op#RECURRENCE_BACKWARD}: the forward's operands (but x), its result {@code out} and that result's gradient {@code g}. */
    public static Tensor recurrenceBackward(Tensor w, List<Tensor> operands, Tensor mask, Tensor out, Tensor g, OpAttrs.Recurrence attrs) {
        List<Tensor> in = RecurrenceOperands.backward(w, operands, mask, out, g, attrs);
        return Ops.apply(Op.RECURRENCE_BACKWARD, in, attrs, RecurrenceOperands.backwardShape(w, out, attrs), in.get(0).dtype());
    }
}
