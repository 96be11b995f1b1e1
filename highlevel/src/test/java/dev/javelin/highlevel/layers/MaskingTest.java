package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.losses.MeanSquaredError;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import dev.javelin.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Padding masks: a batch padded with zeros gives, for the real tokens, the same outputs and the
 * same weight gradients as the unpadded sequences run one by one, through every layer that honours
 * masks (Embedding(maskZero) / Masking, both directions of each recurrent layer, 1D global pooling,
 * TimeDistributed, the losses).
 */
class MaskingTest {
    private static final int[] LENGTHS = {6, 3, 1, 4};
    private static final int T = 6;
    private static final double TOL = 2e-5;

    /** ids [4, 6] padded at the end with 0; every real id is in [1, 9). */
    private static long[][] ids() {
        RandomTensors r = new RandomTensors(11);
        float[] u = r.uniform(Shape.of(LENGTHS.length, T), DType.FLOAT32, 0, 1).toFloatArray();
        long[][] out = new long[LENGTHS.length][T];
        for (int i = 0; i < LENGTHS.length; i++) for (int t = 0; t < LENGTHS[i]; t++) out[i][t] = 1 + (long) (u[i * T + t] * 8);
        return out;
    }

    private static Tensor row(long[] ids, int length) {
        long[] a = java.util.Arrays.copyOf(ids, length);
        return Tensors.of(a, 1, length);
    }

    private static Tensor batch(long[][] ids) {
        long[] flat = new long[ids.length * T];
        for (int i = 0; i < ids.length; i++) System.arraycopy(ids[i], 0, flat, i * T, T);
        return Tensors.of(flat, ids.length, T);
    }

    /** Outputs per example, and the gradient of sum(outputs) for the batch vs the sum over one-by-one runs. */
    private static void samePaddedAndOneByOne(List<Layer> stack) {
        Function<Tensor, Tensor> net = in -> {
            Tensor h = in;
            for (Layer l : stack) h = l.apply(h, false);
            return h;
        };
        long[][] ids = ids();
        Tensor batchIds = batch(ids);
        net.apply(batchIds); // build
        List<Variable> vars = new ArrayList<>();
        for (Layer l : stack) vars.addAll(l.weights());
        Tensor padded;
        List<Tensor> batchGrads;
        try (GradientTape tape = GradientTape.record()) {
            padded = net.apply(batchIds);
            batchGrads = tape.gradient(summed(padded), vars);
        }
        List<Tensor> sum = null;
        for (int i = 0; i < ids.length; i++) {
            try (GradientTape tape = GradientTape.record()) {
                Tensor one = net.apply(row(ids[i], LENGTHS[i]));
                Tensor expected = padded.rank() == 3 ? padded.narrow(0, i, 1).narrow(1, 0, LENGTHS[i]) : padded.narrow(0, i, 1);
                TensorAssert.assertClose(one, expected, TOL, TOL);
                List<Tensor> g = tape.gradient(summed(one), vars);
                if (sum == null) sum = g;
                else for (int k = 0; k < g.size(); k++) sum.set(k, sum.get(k).add(g.get(k)));
            }
        }
        for (int k = 0; k < vars.size(); k++) TensorAssert.assertClose(sum.get(k), batchGrads.get(k), TOL, TOL);
    }

    /**
     * A sum that weights features differently, so gradients see every output unit; over real steps
     * only (the output's mask), as a masked loss sums.
     */
    private static Tensor summed(Tensor y) {
        Tensor w = Tensors.arange(y.dim(-1)).cast(y.dtype()).add(1.0).mul(0.1);
        Tensor weighted = y.mul(w);
        Tensor mask = Masks.of(y);
        if (y.rank() == 3) weighted = weighted.mul(mask.cast(y.dtype()).unsqueeze(-1));
        return weighted.sum();
    }

    private static RecurrentOptions seq() {
        return RecurrentOptions.defaults().returnSequences(true);
    }

    @Test
    void recurrentLayersBothDirectionsAndPooling() {
        samePaddedAndOneByOne(List.of(new Embedding(9, 5, true), new LSTM(4, seq()), new SimpleRNN(3, seq()),
                new GlobalAveragePooling1D()));
        // go_backwards with sequences out yields them in processing order while the mask stays in
        // input order (as in Keras), so the backward layer here is the last recurrent one
        samePaddedAndOneByOne(List.of(new Embedding(9, 5, true), new GRU(4, seq()), new LSTM(3, RecurrentOptions.defaults()
                .goBackwards(true))));
        samePaddedAndOneByOne(List.of(new Embedding(9, 4, true), new Bidirectional(new GRU(3, seq())),
                new TimeDistributed(new Dense(3, "tanh")), new Bidirectional(new LSTM(2), "sum")));
        samePaddedAndOneByOne(List.of(new Embedding(9, 4, true), new Bidirectional(new SimpleRNN(3, seq()), "ave"),
                new GlobalMaxPooling1D()));
    }

    @Test
    void sequencesOutKeepTheMaskForTheLoss() {
        samePaddedAndOneByOne(List.of(new Embedding(9, 4, true), new LSTM(3, seq()), new Dense(2)));
        Embedding e = new Embedding(9, 4, true);
        LSTM l = new LSTM(3, seq());
        Tensor y = l.apply(e.apply(batch(ids())));
        Tensor mask = Masks.of(y);
        assertEquals(Shape.of(4, T), mask.shape());
        assertEquals(14.0, mask.cast(DType.FLOAT32).sum().item());
        Tensor target = Tensors.zeros(4, T, 3);
        // the masked mean squared error is the mean over the 14 real steps only
        double expected = y.square().mean(2).mul(mask.cast(DType.FLOAT32)).sum().item() / 14;
        assertEquals(expected, new MeanSquaredError().call(target, y).item(), 1e-6);
        assertNull(Masks.of(new LSTM(3).apply(e.apply(batch(ids())))), "the last output only: no time axis, no mask");
    }

    @Test
    void aSequenceThatIsAllPaddingPoolsToZerosWithFiniteGradients() {
        // an empty text in a batch: max pooling gave -inf and average pooling 0/0 = NaN, so softmax and the
        // whole batch's loss were NaN; now zeros, as the recurrent layers' states and the losses treat it
        Tensor ids = Tensors.of(new long[] {3, 4, 0, 0, 0, 0}, 2, 3);
        Embedding e = new Embedding(10, 4, true);
        for (GlobalPooling1D pool : List.of(new GlobalMaxPooling1D(), new GlobalAveragePooling1D())) {
            Variable table = e.weights().isEmpty() ? null : e.weights().get(0);
            try (GradientTape tape = GradientTape.record()) {
                Tensor y = pool.apply(e.apply(ids));
                float[] v = y.toFloatArray();
                for (int c = 4; c < 8; c++) assertEquals(0f, v[c], pool.name() + ": the all-padding row");
                for (int c = 0; c < 4; c++) assertTrue(Float.isFinite(v[c]) && v[c] != 0, pool.name() + ": the real row");
                if (table == null) table = e.weights().get(0);
                float[] g = tape.gradient(y.sum(), List.of(table)).get(0).toFloatArray();
                for (float gi : g) assertTrue(Float.isFinite(gi), pool.name() + ": a NaN gradient");
            }
        }
    }

    @Test
    void maskingLayerMasksStepsOfMaskValue() {
        Tensor x = new RandomTensors(5).normal(Shape.of(2, 4, 3));
        float[] v = x.toFloatArray();
        for (int f = 0; f < 3; f++) v[(1 * 4 + 2) * 3 + f] = v[(1 * 4 + 3) * 3 + f] = 0; // example 1: steps 2, 3 padding
        Tensor padded = Tensors.of(v, 2, 4, 3);
        Tensor out = new Masking().apply(padded);
        assertEquals("[true, true, true, true, true, true, false, false]",
                java.util.Arrays.toString(Masks.of(out).toBooleanArray()));
        SimpleRNN rnn = new SimpleRNN(3);
        Tensor last = rnn.apply(out);
        Tensor unpadded = rnn.apply(padded.narrow(0, 1, 1).narrow(1, 0, 2));
        TensorAssert.assertClose(unpadded, last.narrow(0, 1, 1), 1e-6, 1e-6);
    }
}
