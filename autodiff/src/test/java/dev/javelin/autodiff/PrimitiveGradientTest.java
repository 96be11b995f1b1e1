package dev.javelin.autodiff;

import static dev.javelin.tensor.OpAttrs.Recurrence.Activation.HARD_SIGMOID;
import static dev.javelin.tensor.OpAttrs.Recurrence.Activation.LINEAR;
import static dev.javelin.tensor.OpAttrs.Recurrence.Activation.RELU;
import static dev.javelin.tensor.OpAttrs.Recurrence.Activation.SIGMOID;
import static dev.javelin.tensor.OpAttrs.Recurrence.Activation.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.OpObserver;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive op's rule against finite differences in float64, on broadcast operands, size-1
 * dimensions, scalars and non-contiguous views (transposes, strided slices, stride-0 expands).
 */
class PrimitiveGradientTest {
    /** A [3, 4] view that is not contiguous (the transpose of a [4, 3] tensor). */
    private static Tensor transposed(Tensor x4by3) {
        return x4by3.mT();
    }

    static List<GradCase> cases() {
        Tensor nc = transposed(Rand.normal(1, 4, 3));
        Tensor ncPos = transposed(Rand.positive(2, 4, 3));
        Tensor ncAway = transposed(Rand.awayFromZero(3, 4, 3));
        Tensor strided = Rand.normal(4, 3, 8).slice(1, 0, 8, 2); // [3, 4], column stride 2
        OpAttrs.Conv conv = new OpAttrs.Conv(2, 1, 1, 0, 2, 1, 1, 2, 2);
        Tensor convX = Rand.normal(40, 2, 5, 6, 4);
        Tensor convF = Rand.normal(41, 3, 2, 2, 6);
        Shape convY = Ops.convOutputShape(convX.shape(), convF.shape(), conv);
        OpAttrs.Window win = new OpAttrs.Window(2, 3, 1, 2, 2, 1);
        Shape foldOut = Shape.of(1, 5, 6, 2);
        return List.of(
                // unary
                new GradCase("neg", x -> x[0].neg(), nc),
                new GradCase("abs", x -> x[0].abs(), ncAway),
                new GradCase("exp", x -> x[0].exp(), strided),
                new GradCase("exp of a scalar", x -> x[0].exp(), Tensors.scalar(0.3, DType.FLOAT64)),
                new GradCase("log", x -> x[0].log(), ncPos),
                new GradCase("sqrt", x -> x[0].sqrt(), ncPos),
                new GradCase("sin", x -> x[0].sin(), nc),
                new GradCase("cos", x -> x[0].cos(), strided),
                new GradCase("tanh with size-1 dims", x -> x[0].tanh(), Rand.normal(5, 1, 3, 1)),
                new GradCase("sigmoid", x -> x[0].sigmoid(), nc),
                new GradCase("relu", x -> x[0].relu(), ncAway),
                new GradCase("reciprocal", x -> x[0].reciprocal(), ncAway),
                new GradCase("erf", x -> x[0].erf(), nc),
                new GradCase("x * sign(x)", x -> x[0].mul(x[0].sign()), ncAway),
                new GradCase("x * floor(x)", x -> x[0].mul(x[0].floor()), nc),
                new GradCase("x * ceil(x)", x -> x[0].mul(x[0].ceil()), nc),
                new GradCase("x * round(x)", x -> x[0].mul(x[0].round()), nc),
                // binary, with broadcasting
                new GradCase("add [2,3,4] + [3,1]", x -> x[0].add(x[1]), Rand.normal(6, 2, 3, 4), Rand.normal(7, 3, 1)),
                new GradCase("sub [3,4] - [4]", x -> x[0].sub(x[1]), nc, Rand.normal(8, 4)),
                new GradCase("mul [1,4] * [3,1]", x -> x[0].mul(x[1]), Rand.normal(9, 1, 4), Rand.normal(10, 3, 1)),
                new GradCase("mul by a scalar tensor", x -> x[0].mul(x[1]), nc, Tensors.scalar(1.7, DType.FLOAT64)),
                new GradCase("div", x -> x[0].div(x[1]), strided, ncAway),
                new GradCase("div [3,4] / [3,1]", x -> x[0].div(x[1]), nc, Rand.positive(11, 3, 1)),
                new GradCase("pow of both", x -> x[0].pow(x[1]), ncPos, Rand.normal(12, 4)),
                new GradCase("x^3 with negative bases", x -> x[0].pow(3.0), nc),
                new GradCase("maximum [3,4] vs [4]", x -> x[0].maximum(x[1]), nc, Rand.normal(13, 4)),
                new GradCase("minimum [2,1,4] vs [3,1]", x -> x[0].minimum(x[1]), Rand.normal(14, 2, 1, 4), Rand.normal(15, 3, 1)),
                // ternary and comparisons
                new GradCase("where(a > b, a, b)", x -> x[0].gt(x[1]).where(x[0], x[1]), nc, Rand.normal(16, 3, 1)),
                new GradCase("where(!(a < 0), a * b, b)", x -> x[0].lt(0.0).logicalNot().where(x[0].mul(x[1]), x[1]),
                        nc, strided),
                new GradCase("mask comparisons cast to float", x -> x[0].mul(x[0].ge(x[1]).cast(DType.FLOAT64))
                        .add(x[1].mul(x[0].le(x[1]).cast(DType.FLOAT64))).add(x[0].mul(x[0].eq(x[1]).cast(DType.FLOAT64)))
                        .add(x[1].mul(x[0].ne(x[1]).cast(DType.FLOAT64))), nc, strided),
                // reductions
                new GradCase("sum of all", x -> x[0].sum(), nc),
                new GradCase("sum over axes 0, 2 keepDims", x -> x[0].sum(new int[] {0, 2}, true), Rand.normal(17, 2, 3, 4)),
                new GradCase("sum over a size-1 axis", x -> x[0].sum(1), Rand.normal(18, 3, 1, 2)),
                new GradCase("sum over an empty axis", x -> x[0].sum(1), Tensors.zeros(Shape.of(2, 0, 3), DType.FLOAT64)),
                new GradCase("max over axis 1", x -> x[0].max(1), nc),
                new GradCase("max of all", x -> x[0].max(), strided),
                new GradCase("min over axes 0, 2 keepDims", x -> x[0].min(new int[] {0, 2}, true), Rand.normal(19, 2, 3, 4)),
                new GradCase("gather at argmax", x -> IndexingOps.gather(x[0], 1, x[0].argmax(1).unsqueeze(1)), Rand.normal(20, 3, 5)),
                new GradCase("gather at argmin", x -> IndexingOps.gather(x[0], 0, x[0].argmin(0).unsqueeze(0)), Rand.normal(21, 3, 5)),
                // movement
                new GradCase("reshape", x -> x[0].reshape(2, 3, 2).mul(x[0].reshape(2, 3, 2)), Rand.normal(22, 3, 4)),
                new GradCase("reshape of a transposed view (copies)", x -> x[0].reshape(6, 2).sin(), nc),
                new GradCase("permute", x -> x[0].permute(2, 0, 1).mul(Rand.normal(23, 4, 2, 3)), Rand.normal(24, 2, 3, 4)),
                new GradCase("expand [3,1] to [2,3,5]", x -> x[0].broadcastTo(Shape.of(2, 3, 5)).sin(), Rand.normal(25, 3, 1)),
                new GradCase("strided slice on two axes",
                        x -> Ops.slice(x[0], new OpAttrs.Slice(new int[] {1, 0}, new int[] {5, 7}, new int[] {2, 3})).exp(),
                        Rand.normal(26, 5, 7)),
                new GradCase("slice of a view", x -> x[0].slice(1, 1, 4).mul(x[0].slice(1, 0, 3)), nc),
                new GradCase("unfold (dilated, strided windows)", x -> Ops.unfold(x[0], win).sin(), Rand.normal(27, 1, 5, 6, 2)),
                new GradCase("pad with low, high and interior",
                        x -> Ops.pad(x[0], new int[] {1, 0}, new int[] {0, 2}, new int[] {2, 1}, 0.5).exp(), nc),
                new GradCase("fold", x -> Ops.fold(x[0], win, foldOut).sin(),
                        Rand.normal(28, 1, 3, 2, 2, 3, 2)),
                new GradCase("contiguous copy of a view", x -> x[0].contiguous().tanh(), nc),
                // contractions
                new GradCase("matmul of views", x -> x[0].matmul(x[1]), nc, Rand.normal(29, 5, 4).mT()),
                new GradCase("batched matmul, broadcast batch", x -> x[0].matmul(x[1]),
                        Rand.normal(30, 2, 1, 3, 4), Rand.normal(31, 5, 4, 2)),
                new GradCase("vector @ matrix", x -> x[0].matmul(x[1]), Rand.normal(32, 4), Rand.normal(33, 4, 3)),
                new GradCase("matrix @ vector", x -> x[0].matmul(x[1]), nc, Rand.normal(34, 4)),
                new GradCase("conv2d: stride, padding, dilation, groups", x -> Ops.conv2d(x[0], x[1], conv), convX, convF),
                new GradCase("conv2d backward input", x -> Ops.conv2dBackwardInput(x[0], x[1], convX.shape(), conv),
                        Rand.normal(42, convY.toArray()), convF),
                new GradCase("conv2d backward filter", x -> Ops.conv2dBackwardFilter(x[0], x[1], convF.shape(), conv),
                        convX, Rand.normal(43, convY.toArray())),
                // fused attention: the packed output's logsumexp column is checked too
                new GradCase("attention with its logsumexp", x -> SequenceOps.attention(x[0], x[1], x[2], null, new OpAttrs.Attention(0.4, false)),
                        Rand.normal(44, 2, 3, 4), Rand.normal(45, 2, 5, 4), Rand.normal(46, 2, 5, 3)),
                new GradCase("causal attention, additive mask, a view, a fully masked row",
                        x -> NN.scaledDotProductAttention(x[0], x[1], x[2], attentionMask(), true),
                        Rand.normal(47, 1, 2, 3, 4).mT(), Rand.normal(48, 1, 2, 4, 3), Rand.normal(49, 1, 2, 4, 2)),
                // the fused LSTM loop: every column of its result (h, c and the stored gates) is checked
                new GradCase("lstm recurrence", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2], x[3]), null,
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, false, false)),
                        Rand.normal(50, 2, 3, 8), Rand.normal(51, 2, 8), Rand.normal(52, 2, 2), Rand.normal(53, 2, 2)),
                new GradCase("lstm recurrence, reversed in time order, masked, a view", x -> SequenceOps.recurrence(x[0], x[1],
                        List.of(x[2], x[3]), Tensors.of(new double[] {1, 0, 1, 1, 0, 0, 1, 0}, 2, 4).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, true, true)),
                        Rand.normal(54, 2, 4, 12), Rand.normal(55, 12, 3).mT(), Rand.normal(56, 2, 3), Rand.normal(57, 2, 3)),
                new GradCase("gru recurrence, reversed, masked", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2], x[3]),
                        Tensors.of(new double[] {1, 1, 0, 1, 0, 1}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.GRU, true, false)),
                        Rand.normal(58, 2, 3, 9), Rand.normal(59, 3, 9), Rand.normal(60, 9), Rand.normal(61, 2, 3)),
                new GradCase("lstm recurrence with one tensor as h0 and c0", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2], x[2]),
                        null, new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, false, false)),
                        Rand.normal(68, 2, 2, 8), Rand.normal(69, 2, 8), Rand.normal(70, 2, 2)),
                new GradCase("tanh rnn recurrence, masked", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2]),
                        Tensors.of(new double[] {1, 0, 1, 1, 1, 0}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.RNN, false, false)),
                        Rand.normal(62, 2, 3, 4), Rand.normal(63, 4, 4), Rand.normal(64, 2, 4)),
                new GradCase("relu rnn recurrence, reversed in time order", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2]), null,
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.RNN, true, true, RELU, SIGMOID)),
                        Rand.normal(65, 2, 3, 4), Rand.normal(66, 4, 4).mul(0.5), Rand.normal(67, 2, 4)),
                new GradCase("lstm recurrence, relu activation, linear gates, masked", x -> SequenceOps.recurrence(x[0], x[1],
                        List.of(x[2], x[3]), Tensors.of(new double[] {1, 1, 0, 1, 0, 1}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, false, false, RELU, LINEAR)),
                        Rand.normal(71, 2, 3, 8), Rand.normal(72, 2, 8).mul(0.5), Rand.normal(73, 2, 2), Rand.normal(74, 2, 2)),
                new GradCase("gru recurrence, sigmoid activation, tanh gates", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2], x[3]),
                        null, new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.GRU, false, false, SIGMOID, TANH)),
                        Rand.normal(75, 2, 3, 6), Rand.normal(76, 2, 6), Rand.normal(77, 6), Rand.normal(78, 2, 2)),
                new GradCase("lstm recurrence, hard_sigmoid gates, masked", x -> SequenceOps.recurrence(x[0], x[1],
                        List.of(x[2], x[3]), Tensors.of(new double[] {1, 0, 1, 1, 1, 0}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, false, false, TANH, HARD_SIGMOID)),
                        Rand.normal(79, 2, 3, 8).mul(2), Rand.normal(80, 2, 8), Rand.normal(81, 2, 2), Rand.normal(82, 2, 2)),
                // recurrent dropout: a constant multiplier per gate (no gradient of its own)
                new GradCase("lstm recurrence with recurrent dropout, masked", x -> SequenceOps.recurrence(x[0], x[1],
                        List.of(x[2], x[3], Tensors.of(new double[] {2, 0, 2, 2, 0, 2, 2, 2, 2, 0, 0, 2, 2, 2, 0, 2}, 2, 8)),
                        Tensors.of(new double[] {1, 1, 0, 1, 1, 1}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.LSTM, true, false, TANH, SIGMOID, true)),
                        Rand.normal(83, 2, 3, 8), Rand.normal(84, 2, 8), Rand.normal(85, 2, 2), Rand.normal(86, 2, 2)),
                new GradCase("gru recurrence with recurrent dropout", x -> SequenceOps.recurrence(x[0], x[1],
                        List.of(x[2], x[3], Tensors.of(new double[] {1.5, 0, 1.5, 1.5, 1.5, 0, 0, 1.5, 1.5, 1.5, 1.5, 0}, 2, 6)), null,
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.GRU, false, true, TANH, SIGMOID, true)),
                        Rand.normal(87, 2, 3, 6), Rand.normal(88, 2, 6), Rand.normal(89, 6), Rand.normal(90, 2, 2)),
                // Keras's GRU with reset_after=False: the candidate's product reads r ∘ h
                new GradCase("gru (reset before) recurrence, reversed, masked", x -> SequenceOps.recurrence(x[0], x[1], List.of(x[2]),
                        Tensors.of(new double[] {1, 0, 1, 1, 1, 0}, 2, 3).cast(DType.BOOL),
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.GRU_RESET_BEFORE, true, false)),
                        Rand.normal(91, 2, 3, 9), Rand.normal(92, 3, 9), Rand.normal(93, 2, 3)),
                new GradCase("gru (reset before) recurrence with recurrent dropout, hard_sigmoid gates", x -> SequenceOps.recurrence(x[0],
                        x[1], List.of(x[2], Tensors.of(new double[] {2, 2, 0, 2, 2, 2, 0, 2, 2, 2, 2, 0}, 2, 6)), null,
                        new OpAttrs.Recurrence(OpAttrs.Recurrence.Cell.GRU_RESET_BEFORE, false, true, TANH, HARD_SIGMOID, true)),
                        Rand.normal(94, 2, 3, 6), Rand.normal(95, 2, 6), Rand.normal(96, 2, 2)),
                // indexing and random
                new GradCase("gather along 0 with repeats", x -> IndexingOps.gather(x[0], 0, Rand.indices(35, 4, 6, 2)),
                        Rand.normal(36, 4, 3)),
                new GradCase("scatter_add with repeats", x -> IndexingOps.scatterAdd(x[0], 1, Rand.indices(37, 5, 2, 7), x[1]),
                        Rand.normal(38, 3, 5), Rand.normal(39, 2, 7)),
                new GradCase("values gathered in argsort order (the order itself has no gradient)",
                        x -> IndexingOps.gather(x[0], 1, IndexingOps.argsort(x[0], 1, true)), nc),
                new GradCase("x * random", x -> x[0].mul(Ops.randomUniform(x[0].shape(), Tensors.scalar(5, DType.INT64)).cast(DType.FLOAT64))
                        .add(x[0].mul(Ops.randomNormal(x[0].shape(), Tensors.scalar(6, DType.INT64)).cast(DType.FLOAT64))), nc));
    }

    /** Key 0 hidden from every query: with the causal mask, query 0 sees nothing and must get zeros, not NaN. */
    private static Tensor attentionMask() {
        return Tensors.of(new double[] {Double.NEGATIVE_INFINITY, 0, 0.5, -1}, 1, 1, 1, 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFiniteDifferences(GradCase c) {
        c.check();
    }

    /** The cases above reach every op in the enum, so a new primitive without a checked rule fails here. */
    @Test
    void casesCoverEveryPrimitive() {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        OpObserver spy = new OpObserver() {
            @Override
            public void onOp(OpCall call, Tensor result) {
                seen.add(call.op());
            }
        };
        try (Dispatch.Scope s = Dispatch.observe(spy)) {
            for (GradCase c : cases()) {
                try (GradientTape tape = GradientTape.record()) {
                    tape.watch(c.inputs());
                    Tensor y = c.fn().apply(c.inputs());
                    tape.gradient(y, c.inputs());
                }
            }
        }
        assertEquals(EnumSet.allOf(Op.class), seen, "ops never exercised: " + missing(seen));
    }

    private static Set<Op> missing(Set<Op> seen) {
        Set<Op> m = EnumSet.allOf(Op.class);
        m.removeAll(seen);
        return m;
    }

    @AfterAll
    static void summary() {
        System.out.println("[autodiff] " + WorstError.summary());
    }
}
