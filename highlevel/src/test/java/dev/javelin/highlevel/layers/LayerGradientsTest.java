package dev.javelin.highlevel.layers;

import dev.javelin.autodiff.GradCheck;
import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every layer's gradient, with respect to its input and each weight, against finite differences
 * (autodiff's GradCheck, float64). Weights are swapped for float64 copies so the check is exact.
 */
class LayerGradientsTest {
    private static final double TOLERANCE = 1e-6;

    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims)).cast(DType.FLOAT64);
    }

    /**
     * Attention's key bias adds the same amount to every score of a query row, which the softmax
     * cancels: its gradient is exactly zero, so finite differences would measure only rounding.
     * It is held fixed (in float64) rather than checked.
     */
    private static boolean heldFixed(Variable v) {
        return v.name().endsWith("key/bias");
    }

    /** Builds {@code layer} for {@code inputs}, then checks d(layer(inputs))/d(inputs and weights). */
    static void check(Layer layer, boolean training, Tensor... inputs) {
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(t.shape());
        layer.ensureBuilt(shapes);
        List<Variable> weights = new ArrayList<>();
        long seed = 100;
        for (Variable v : layer.weights()) {
            Tensor w = v.stored().cast(DType.FLOAT64);
            if (v.trainable()) w = w.add(new RandomTensors(seed++).normal(v.shape()).cast(DType.FLOAT64).mul(0.1));
            v.store(w);
            if (!heldFixed(v)) weights.add(v);
        }
        Tensor[] args = new Tensor[inputs.length + weights.size()];
        System.arraycopy(inputs, 0, args, 0, inputs.length);
        for (int i = 0; i < weights.size(); i++) args[inputs.length + i] = weights.get(i).stored();
        int n = inputs.length;
        GradCheck.check(xs -> {
            for (int i = 0; i < weights.size(); i++) weights.get(i).store(xs[n + i]);
            List<Tensor> in = List.of(xs).subList(0, n);
            return n == 1 ? layer.call(in.get(0), training) : layer.call(in, training);
        }, args).assertWithin(TOLERANCE);
    }

    @Test
    void dense() {
        check(new Dense(3, "tanh"), true, x(1, 4, 5));
        check(new Dense(2, "softmax"), true, x(2, 3, 2, 4));
    }

    @Test
    void conv2d() {
        check(new Conv2D(3, new int[] {3, 2}, new int[] {2, 1}, "same", "sigmoid"), true, x(3, 2, 5, 4, 2));
        check(new Conv2D(4, new int[] {2, 2}, new int[] {1, 1}, "valid", new int[] {2, 2}, 2, null, true,
                new RandomNormal(0, 0.5, 1L), new RandomNormal(0, 0.5, 2L), null, null, null), true, x(4, 1, 5, 5, 4));
    }

    @Test
    void pooling() {
        check(new MaxPooling2D(2), true, x(5, 2, 5, 4, 3));
        check(new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null), true, x(6, 1, 5, 5, 2));
        check(new AveragePooling2D(2), true, x(7, 2, 4, 4, 1));
        check(new AveragePooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null), true, x(8, 1, 5, 4, 2));
        check(new GlobalAveragePooling2D(), true, x(9, 2, 3, 3, 2));
    }

    @Test
    void reshapingAndActivations() {
        check(new Flatten(), true, x(10, 2, 3, 2));
        check(new Reshape(3, 2), true, x(11, 2, 6));
        for (String a : List.of("relu", "gelu", "softmax", "silu", "softplus", "elu", "tanh", "sigmoid", "log_softmax")) {
            check(new Activation(a), true, x(12, 3, 4));
        }
    }

    @Test
    void dropoutWithAFixedMask() {
        Dropout d = new Dropout(0.4, 9L);
        Tensor state = d.seedGenerator().state().stored();
        Tensor input = x(13, 4, 5);
        GradCheck.check(xs -> {
            d.seedGenerator().state().store(state); // the same mask for every evaluation
            return d.call(xs[0], true);
        }, input).assertWithin(TOLERANCE);
    }

    @Test
    void normalization() {
        check(new BatchNormalization(), true, x(14, 6, 3));
        check(new BatchNormalization(), false, x(15, 2, 2, 2, 3));
        check(new LayerNormalization(), true, x(16, 3, 5));
    }

    @Test
    void embeddingTable() {
        Embedding e = new Embedding(6, 3);
        Tensor ids = Tensors.of(new long[] {0, 5, 2, 2}, 2, 2);
        e.ensureBuilt(List.of(ids.shape()));
        Variable table = e.weights().get(0);
        GradCheck.check(xs -> {
            table.store(xs[1]);
            return e.call(xs[0], false);
        }, ids, table.stored().cast(DType.FLOAT64)).assertWithin(TOLERANCE);
    }

    @Test
    void mergeLayers() {
        check(new Add(), true, x(17, 2, 3), x(18, 2, 3));
        check(new Concatenate(), true, x(19, 2, 3), x(20, 2, 1));
        check(new Concatenate(0, null), true, x(21, 2, 3), x(22, 1, 3));
    }

    @Test
    void attentionLayers() {
        check(new MultiHeadAttention(2, 3), false, x(60, 2, 4, 5), x(61, 2, 6, 5));
        check(new PositionEmbedding(7), false, x(62, 2, 5, 3));
        check(new TransformerDecoder(8, 2, 0.0, "gelu", 1e-5, true, null), false, x(63, 2, 4, 6));
        check(new TransformerDecoder(6, 3, 0.0, "relu", 1e-5, false, null), false, x(64, 1, 3, 6));
    }
}
