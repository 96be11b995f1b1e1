package dev.javelin.highlevel.layers;

import dev.javelin.autodiff.GradCheck;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every sequence layer's gradient, with respect to its input and each weight, against finite
 * differences (GradCheck, float64; weights swapped for float64 copies), with and without a mask.
 */
class SequenceGradientsTest {
    private static final double TOLERANCE = 1e-6;
    private static final RecurrentOptions SEQ = RecurrentOptions.defaults().returnSequences(true);

    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims)).cast(DType.FLOAT64);
    }

    /** Examples of length 4, 2 and 3 in a [3, 4] mask. */
    private static Tensor mask() {
        return Tensors.of(new boolean[] {true, true, true, true, true, true, false, false, true, true, true, false}).reshape(3, 4);
    }

    private static void check(Layer layer, Tensor input, Tensor mask) {
        layer.ensureBuilt(List.of(input.shape()));
        List<Variable> weights = layer.weights();
        Tensor[] args = new Tensor[1 + weights.size()];
        args[0] = input;
        long seed = 100;
        for (int i = 0; i < weights.size(); i++) {
            Variable v = weights.get(i);
            Tensor w = v.stored().cast(DType.FLOAT64).add(new RandomTensors(seed++).normal(v.shape()).cast(DType.FLOAT64).mul(0.3));
            v.store(w);
            args[1 + i] = w;
        }
        GradCheck.check(xs -> {
            for (int i = 0; i < weights.size(); i++) weights.get(i).store(xs[1 + i]);
            return layer.call(xs[0], false, mask);
        }, args).assertWithin(TOLERANCE);
    }

    @Test
    void recurrentLayers() {
        check(new SimpleRNN(3, SEQ.goBackwards(true)), x(1, 3, 4, 2), null);
        check(new LSTM(3, SEQ), x(2, 3, 4, 2), mask());
        check(new LSTM(2), x(3, 3, 4, 3), null);
        check(new GRU(3, SEQ), x(4, 3, 4, 2), mask());
        check(new GRU(2, RecurrentOptions.defaults(), false, null), x(5, 3, 4, 2), mask());
    }

    @Test
    void wrappers() {
        check(new Bidirectional(new LSTM(2, SEQ)), x(6, 3, 4, 2), mask());
        check(new Bidirectional(new GRU(2), "mul"), x(7, 3, 4, 2), null);
        check(new TimeDistributed(new Dense(3, "tanh")), x(8, 3, 4, 2), null);
    }

    @Test
    void convolutionAndPooling() {
        check(new Conv1D(4, 3, 1, "causal", 2, 2, "tanh", true, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, null), x(9, 2, 7, 4), null);
        check(new Conv1D(3, 2, 2, "same", 1, 1, null, true, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, null), x(10, 2, 7, 2), null);
        check(new MaxPooling1D(3, 2, "same", null), x(11, 2, 7, 3), null);
        check(new AveragePooling1D(2), x(12, 2, 7, 3), null);
        check(new GlobalAveragePooling1D(), x(13, 3, 4, 2), mask());
        check(new GlobalMaxPooling1D(), x(14, 3, 4, 2), mask());
        check(new Masking(0.0), x(15, 3, 4, 2), null);
    }
}
