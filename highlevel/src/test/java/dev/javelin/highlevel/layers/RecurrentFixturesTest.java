package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.Fixtures;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SimpleRNN, LSTM, GRU, Bidirectional, Conv1D and 1-D pooling against PyTorch (fixtures written by
 * test-support/src/test/python/make_recurrent_fixtures.py, float64): forward outputs, final states,
 * and the gradients of sum(out * dy) with respect to the input and every weight. PyTorch's state is
 * converted by {@link TorchWeights}, so the documented layout is under test too; PyTorch's weight
 * gradients go through the same (linear) conversion to compare with the Keras-layout ones.
 */
class RecurrentFixturesTest {
    private static final String FILE = "fixtures/recurrent.json";
    private static final double RTOL = 1e-9;
    private static final double ATOL = 1e-10;

    static List<Fixtures.Case> cases() {
        return Fixtures.load(FILE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(Fixtures.Case c) {
        switch (c.string("kind")) {
            case "RNN", "LSTM", "GRU" -> recurrent(c);
            case "Conv1d" -> conv1d(c);
            default -> pool(c);
        }
    }

    private static RecurrentLayer recurrentOf(String kind, int units) {
        RecurrentOptions o = RecurrentOptions.defaults().returnSequences(true).returnState(true);
        return switch (kind) {
            case "RNN" -> new SimpleRNN(units, o);
            case "LSTM" -> new LSTM(units, o);
            default -> new GRU(units, o);
        };
    }

    private static Map<String, Tensor> state(Fixtures.Case c, String prefix, boolean zeroHiddenBias) {
        Map<String, Tensor> s = new HashMap<>();
        for (String key : c.fields().keySet()) {
            if (!key.startsWith(prefix + "weight_") && !key.startsWith(prefix + "bias_")) continue;
            Tensor t = c.tensor(key);
            // a summed bias's gradient is each part's gradient: convert grad(bias_ih) + 0
            if (zeroHiddenBias && key.startsWith(prefix + "bias_hh")) t = t.mul(0.0);
            s.put(key.substring(prefix.length()), t);
        }
        return s;
    }

    private static void recurrent(Fixtures.Case c) {
        String kind = c.string("kind");
        int units = c.integer("units");
        boolean bi = c.bool("bidirectional");
        Tensor x = c.tensor("x");
        Shape in = x.shape();
        RecurrentLayer base = recurrentOf(kind, units);
        Layer layer = bi ? new Bidirectional(base) : base;
        layer.ensureBuilt(List.of(in));
        Layer grads = bi ? new Bidirectional(recurrentOf(kind, units)) : recurrentOf(kind, units);
        grads.ensureBuilt(List.of(in));
        boolean summedBias = !kind.equals("GRU");
        if (bi) {
            TorchWeights.load((Bidirectional) layer, state(c, "", false), 0);
            TorchWeights.load((Bidirectional) grads, state(c, "grad_", summedBias), 0);
        } else {
            TorchWeights.load((RecurrentLayer) layer, state(c, "", false), "_l0");
            TorchWeights.load((RecurrentLayer) grads, state(c, "grad_", summedBias), "_l0");
        }
        List<Tensor> initial = null;
        if (c.has("h0")) {
            initial = new ArrayList<>();
            initial.add(c.tensor("h0").narrow(0, 0, 1).squeeze(0));
            if (c.has("c0")) initial.add(c.tensor("c0").narrow(0, 0, 1).squeeze(0));
        }
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            List<Tensor> outs = bi ? ((Bidirectional) layer).callWithStates(x, initial, null, false)
                    : ((RecurrentLayer) layer).callWithStates(x, initial, null, false);
            TensorAssert.assertClose(c.tensor("out"), outs.get(0), RTOL, ATOL);
            int states = kind.equals("LSTM") ? 2 : 1;
            for (int i = 0; i < states; i++) TensorAssert.assertClose(c.tensor("state" + i), outs.get(1 + i), RTOL, ATOL);
            Tensor loss = outs.get(0).mul(c.tensor("dy")).sum();
            TensorAssert.assertClose(c.tensor("grad_x"), tape.gradient(loss, x)[0], RTOL, ATOL);
            compareWeightGrads(tape.gradient(loss, layer.weights()), grads.weights());
        }
    }

    private static void compareWeightGrads(List<Tensor> actual, List<Variable> expected) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < actual.size(); i++) {
            TensorAssert.assertClose(expected.get(i).stored(), actual.get(i), RTOL, ATOL);
        }
    }

    private static void conv1d(Fixtures.Case c) {
        Tensor x = c.tensor("x");
        Conv1D layer = new Conv1D(c.integer("filters"), c.integer("kernel_size"), c.integer("strides"), c.string("padding"),
                c.integer("dilation"), c.integer("groups"), null, true, new dev.javelin.highlevel.initializers.Zeros(),
                new dev.javelin.highlevel.initializers.Zeros(), null, null, null);
        layer.ensureBuilt(List.of(x.shape()));
        TorchWeights.load(layer, c.tensor("weight"), c.tensor("bias"));
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            Tensor y = layer.call(x, false);
            TensorAssert.assertClose(c.tensor("out"), y, RTOL, ATOL);
            assertEquals(layer.computeOutputShape(x.shape()), y.shape());
            Tensor loss = y.mul(c.tensor("dy")).sum();
            TensorAssert.assertClose(c.tensor("grad_x"), tape.gradient(loss, x)[0], RTOL, ATOL);
            List<Tensor> g = tape.gradient(loss, layer.weights());
            TensorAssert.assertClose(c.tensor("grad_weight").permute(2, 1, 0), g.get(0), RTOL, ATOL);
            TensorAssert.assertClose(c.tensor("grad_bias"), g.get(1), RTOL, ATOL);
        }
    }

    private static void pool(Fixtures.Case c) {
        Tensor x = c.tensor("x");
        Layer layer = c.string("pool").equals("max") ? new MaxPooling1D(c.integer("pool_size"), c.integer("strides"), "valid", null)
                : new AveragePooling1D(c.integer("pool_size"), c.integer("strides"), "valid", null);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = layer.apply(x);
            TensorAssert.assertClose(c.tensor("out"), y, RTOL, ATOL);
            assertEquals(layer.computeOutputShape(x.shape()), y.shape());
            TensorAssert.assertClose(c.tensor("grad_x"), tape.gradient(y.mul(c.tensor("dy")).sum(), x)[0], RTOL, ATOL);
        }
    }
}
