package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.Fixtures;
import dev.javelin.testing.TensorAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MultiHeadAttention against PyTorch's nn.MultiheadAttention (fixtures from
 * test-support/src/test/python/make_attention_fixtures.py, weights converted as the layer's Javadoc
 * says): forward and the gradients of inputs and weights, unmasked, with a padding mask and causal.
 * Also its config, summary, save/load and errors.
 */
class MultiHeadAttentionTest {
    private static final String FIXTURES = "fixtures/attention.json";

    @Test
    void matchesPyTorchForwardAndGradients() {
        for (Fixtures.Case c : Fixtures.load(FIXTURES)) {
            Tensor q = c.tensor("query"), k = c.tensor("key"), v = c.tensor("value");
            MultiHeadAttention mha = new MultiHeadAttention(c.integer("num_heads"), c.integer("key_dim"));
            mha.ensureBuilt(List.of(q.shape(), v.shape(), k.shape()));
            for (Variable w : mha.weights()) w.assign(c.tensor("w:" + w.name().substring(mha.name().length() + 1)));
            boolean causal = c.bool("causal");
            Tensor mask = causal ? null : c.tensor("mask");
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(q, k, v);
                Tensor out = mha.call(q, v, k, mask, causal, false);
                TensorAssert.assertClose(c.tensor("out"), out, 1e-4, 1e-5);
                Tensor loss = out.mul(c.tensor("dy")).sum();
                Tensor[] gi = tape.gradient(loss, q, k, v);
                TensorAssert.assertClose(c.tensor("grad_query"), gi[0], 1e-4, 1e-5);
                TensorAssert.assertClose(c.tensor("grad_key"), gi[1], 1e-4, 1e-5);
                TensorAssert.assertClose(c.tensor("grad_value"), gi[2], 1e-4, 1e-5);
            }
            try (GradientTape tape = GradientTape.record()) {
                List<Variable> ws = mha.weights();
                Tensor loss = mha.call(q, v, k, mask, causal, false).mul(c.tensor("dy")).sum();
                List<Tensor> gw = tape.gradient(loss, ws);
                for (int i = 0; i < ws.size(); i++) {
                    String key = ws.get(i).name().substring(mha.name().length() + 1);
                    TensorAssert.assertClose(c.tensor("g:" + key), gw.get(i), 1e-4, 1e-5);
                }
            }
        }
    }

    @Test
    void scoresAreTheComposedWeightsAndTheOutputIsTheFusedOne() {
        Fixtures.Case c = Fixtures.find(FIXTURES, "cross_attention_padding_mask");
        Tensor q = c.tensor("query"), k = c.tensor("key"), v = c.tensor("value");
        MultiHeadAttention mha = new MultiHeadAttention(c.integer("num_heads"), c.integer("key_dim"));
        mha.ensureBuilt(List.of(q.shape(), v.shape(), k.shape()));
        MultiHeadAttention.Result r = mha.callWithScores(q, v, k, c.tensor("mask"), false, false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 3, 4, 7}, r.scores().shape().toArray());
        TensorAssert.assertClose(mha.call(q, v, k, c.tensor("mask"), false, false), r.output(), 1e-5, 1e-6);
        // masked keys get zero weight, and each row sums to one
        assertEquals(0.0, r.scores().get(1, 0, 0, 6), 0.0);
        TensorAssert.assertClose(dev.javelin.tensor.Tensors.ones(2, 3, 4), r.scores().sum(-1), 1e-5, 1e-6);
    }

    /** The attention mask as a fourth input, as a functional model records Keras's {@code mha(q, v, k, attention_mask=m)}. */
    @Test
    void anAttentionMaskInputActsAsTheCallArgument() {
        MultiHeadAttention mha = new MultiHeadAttention(2, 4);
        Tensor x = new dev.javelin.testing.RandomTensors(5).normal(dev.javelin.tensor.Shape.of(2, 5, 8));
        Tensor keep = dev.javelin.tensor.Tensors.of(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 0}).reshape(2, 1, 5).cast(dev.javelin.tensor.DType.BOOL);
        Tensor expected = mha.call(x, x, null, keep, false, false);
        TensorAssert.assertClose(expected, mha.apply(List.of(x, x, x, keep), false), 0, 0);
        Tensor in = Input.of(5, 8), mask = Input.of(new int[] {1, 5}, dev.javelin.tensor.DType.BOOL, "keep");
        Model model = new Model(List.of(in, mask), List.of(mha.apply(List.of(in, in, in, mask), false)), "masked");
        TensorAssert.assertClose(expected, model.predictOutputs(List.of(x, keep), 2).get(0), 1e-6, 1e-6);
    }

    /** A layer made with use_causal_mask attends causally when called without the flag, in a functional model too, and keeps it in its config. */
    @Test
    void useCausalMaskInTheConfigMakesPlainCallsCausal() {
        MultiHeadAttention causal = new MultiHeadAttention(2, 4, null, 0.0, true, null, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, true);
        Tensor x = new dev.javelin.testing.RandomTensors(4).normal(dev.javelin.tensor.Shape.of(2, 5, 8));
        Tensor expected = causal.call(x, x, null, null, true, false);
        TensorAssert.assertClose(expected, causal.apply(x), 0, 0);
        TensorAssert.assertClose(expected, causal.call(x, x, null, null, false, false), 0, 0);
        // causal: changing the last step leaves the earlier steps' outputs as they were
        Tensor later = x.add(dev.javelin.tensor.Tensors.of(new float[] {0, 0, 0, 0, 1}).reshape(1, 5, 1));
        TensorAssert.assertClose(expected.narrow(1, 0, 4), causal.apply(later).narrow(1, 0, 4), 1e-6, 1e-6);
        Tensor in = Input.of(5, 8);
        Model model = new Model(in, causal.apply(in));
        TensorAssert.assertClose(expected, model.predict(x), 1e-6, 1e-6);
        assertEquals(true, causal.getConfig().get("use_causal_mask"));
        MultiHeadAttention back = MultiHeadAttention.fromConfig(causal.getConfig());
        assertEquals(true, back.getConfig().get("use_causal_mask"));
        assertTrue(!new MultiHeadAttention(2, 4).getConfig().containsKey("use_causal_mask")); // Keras's config, unchanged without it
    }

    @Test
    void configSummaryAndSaveLoad(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        MultiHeadAttention mha = new MultiHeadAttention(2, 4, 3, 0.1, true, 6, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), 5L, null);
        Map<String, Object> config = mha.getConfig();
        assertEquals(2, config.get("num_heads"));
        assertEquals(3, config.get("value_dim"));
        MultiHeadAttention back = MultiHeadAttention.fromConfig(config);
        assertEquals(config.toString().replace(mha.name(), "N"), back.getConfig().toString().replace(back.name(), "N"));

        Tensor in = Input.of(5, 8);
        Model model = new Model(in, new MultiHeadAttention(2, 4).apply(in, in));
        // Keras: 3 x (8*2*4 + 2*4) + (2*4*8 + 8) = 3 * 72 + 72
        assertEquals(288, model.countParams());
        assertTrue(model.summaryText().contains("MultiHeadAttention"), model.summaryText());
        Tensor x = new dev.javelin.testing.RandomTensors(3).normal(dev.javelin.tensor.Shape.of(2, 5, 8));
        Path file = dir.resolve("mha.safetensors");
        model.save(file);
        Model loaded = Model.load(file);
        TensorAssert.assertClose(model.predict(x), loaded.predict(x), 0, 0);
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void aMaskOfTheWrongShapeNamesTheLayerAndTheShapes() {
        MultiHeadAttention mha = new MultiHeadAttention(2, 4, null, 0.0, true, null, new dev.javelin.highlevel.initializers.GlorotUniform(),
                new dev.javelin.highlevel.initializers.Zeros(), null, "my_attention");
        Tensor x = dev.javelin.tensor.Tensors.ones(2, 5, 8);
        Tensor badMask = dev.javelin.tensor.Tensors.ones(2, 4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mha.call(x, x, null, badMask, false, false));
        assertTrue(e.getMessage().contains("my_attention") && e.getMessage().contains("[2, 4, 5]") && e.getMessage().contains("[2, 5, 5]"),
                e.getMessage());
    }
}
