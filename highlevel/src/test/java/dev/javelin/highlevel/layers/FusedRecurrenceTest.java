package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.jit.Jit;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused LSTM, GRU and SimpleRNN loops (one RECURRENCE op) against the unrolled steps they replace, in float32:
 * outputs, final states and the gradients of the input, the initial states and every weight, with
 * masks, return_sequences or not, go_backwards, Bidirectional and initial states. And under the JIT,
 * a traced LSTM train step does not grow with the number of steps.
 */
class FusedRecurrenceTest {
    private static final double TOLERANCE = 2e-5;
    private static final RecurrentOptions SEQ = RecurrentOptions.defaults().returnSequences(true);

    /** Example lengths 5, 2, 4 (inner gap), 0 in a [4, 5] mask. */
    private static Tensor mask() {
        return Tensors.of(new boolean[] {
                true, true, true, true, true,
                true, true, false, false, false,
                true, false, true, true, true,
                false, false, false, false, false}).reshape(4, 5);
    }

    @Test
    void lstmMatchesTheUnrolledStepsForwardAndBackward() {
        RecurrentOptions all = SEQ.returnState(true);
        compare(() -> new LSTM(6, all), null, false);
        compare(() -> new LSTM(6, all), mask(), false);
        compare(() -> new LSTM(5, all.goBackwards(true)), mask(), false);
        compare(() -> new LSTM(5, RecurrentOptions.defaults().goBackwards(true).returnState(true)), mask(), true);
        compare(() -> new LSTM(1, RecurrentOptions.defaults()), null, false);
        compare(() -> new Bidirectional(new LSTM(4, SEQ)), mask(), false);
        compare(() -> new LSTM(5, all.activation("relu").recurrentActivation("linear")), mask(), true);
        compare(() -> new Bidirectional(new LSTM(3, RecurrentOptions.defaults().goBackwards(true)), "sum"), null, false);
        compare(() -> new LSTM(5, all.recurrentActivation("hard_sigmoid")), mask(), true);
        compare(() -> new LSTM(5, all.recurrentDropout(0.4).dropout(0.2).seed(11L)), mask(), true);
        compare(() -> new Bidirectional(new LSTM(4, SEQ.recurrentDropout(0.5).seed(12L))), mask(), false);
    }

    @Test
    void eachGatesInputProjectionIsItsBlockOfTheWhole() {
        Tensor x = new RandomTensors(8).normal(Shape.of(6, 3));
        List<RecurrentLayer> layers = List.of(new LSTM(4), new LSTM(4, RecurrentOptions.defaults().useBias(false)), new GRU(4),
                new GRU(4, RecurrentOptions.defaults(), false, null), new GRU(4, RecurrentOptions.defaults().useBias(false), false, null));
        for (RecurrentLayer l : layers) {
            l.ensureBuilt(List.of(Shape.of(2, 3, 3)));
            for (Variable w : l.weights()) w.store(w.stored().add(new RandomTensors(9).normal(w.shape()).mul(0.2)));
            Tensor whole = l.projectInputs(x);
            for (int q = 0; q < l.gateCount(); q++) {
                Tensor expected = whole.narrow(1, q * 4, 4), got = l.projectGate(x, q);
                assertTrue(got.sub(expected).abs().max().item() <= 1e-6, l.name() + " gate " + q);
            }
        }
    }

    @Test
    void hardSigmoidIsKeras3sAndRunsFused() {
        double[] at = {-4, -3, -1.5, 0, 1.5, 3, 4};
        double[] expected = {0, 0, 0.25, 0.5, 0.75, 1, 1}; // relu6(x + 3) / 6
        double[] got = Activations.get("hard_sigmoid").apply(Tensors.of(at, 7)).toDoubleArray();
        for (int i = 0; i < at.length; i++) assertEquals(expected[i], got[i], 1e-12, "hard_sigmoid(" + at[i] + ")");
        assertEquals(OpAttrs.Recurrence.Activation.HARD_SIGMOID, OpAttrs.Recurrence.Activation.named("hard_sigmoid"));
        LSTM lstm = new LSTM(4, SEQ.recurrentActivation("hard_sigmoid"));
        Tensor x = new RandomTensors(5).normal(Shape.of(2, 6, 3));
        lstm.ensureBuilt(List.of(x.shape()));
        String plan = Jit.explain(in -> new Tensor[] {lstm.call(in[0], true)}, x);
        assertTrue(plan.contains("recurrence"), "an LSTM with hard_sigmoid gates runs the fused loop:\n" + plan);
    }

    @Test
    void gruMatchesTheUnrolledStepsForwardAndBackward() {
        RecurrentOptions all = SEQ.returnState(true);
        compare(() -> new GRU(6, all), null, false);
        compare(() -> new GRU(5, all.goBackwards(true)), mask(), false);
        compare(() -> new GRU(5, RecurrentOptions.defaults().useBias(false).returnState(true)), mask(), true);
        compare(() -> new Bidirectional(new GRU(4, SEQ)), mask(), false);
        compare(() -> new GRU(4, all.activation("sigmoid").recurrentActivation("tanh").goBackwards(true)), mask(), false);
        compare(() -> new GRU(5, all.recurrentActivation("hard_sigmoid")), mask(), true);
        compare(() -> new GRU(5, all.recurrentDropout(0.4).seed(13L).goBackwards(true)), mask(), true);
        compare(() -> new GRU(5, all.recurrentDropout(0.3).dropout(0.3).seed(16L)), mask(), false);
        // reset_after=False: its own cell in the fused loop
        compare(() -> new GRU(6, all, false, null), null, false);
        compare(() -> new GRU(5, all.goBackwards(true), false, null), mask(), true);
        compare(() -> new GRU(5, RecurrentOptions.defaults().useBias(false).returnState(true), false, null), mask(), true);
        compare(() -> new GRU(5, all.recurrentDropout(0.4).dropout(0.1).seed(15L).recurrentActivation("hard_sigmoid"), false, null),
                mask(), true);
        compare(() -> new Bidirectional(new GRU(4, SEQ, false, null)), mask(), false);
    }

    @Test
    void simpleRnnMatchesTheUnrolledStepsForwardAndBackward() {
        RecurrentOptions all = SEQ.returnState(true);
        compare(() -> new SimpleRNN(6, all), null, false);
        compare(() -> new SimpleRNN(5, all.goBackwards(true)), mask(), false);
        compare(() -> new SimpleRNN(5, all.activation("relu")), mask(), true);
        compare(() -> new SimpleRNN(5, RecurrentOptions.defaults().activation("relu").goBackwards(true).returnState(true)), mask(), true);
        compare(() -> new Bidirectional(new SimpleRNN(4, SEQ)), mask(), false);
        compare(() -> new SimpleRNN(4, all.activation("linear")), null, false);
        compare(() -> new SimpleRNN(5, all.recurrentDropout(0.3).seed(14L)), mask(), true);
    }

    private static void compare(java.util.function.Supplier<Layer> make, Tensor mask, boolean initialStates) {
        Tensor x = new RandomTensors(7).normal(Shape.of(4, 5, 3));
        Layer fused = make.get(), unrolled = make.get();
        fused.ensureBuilt(List.of(x.shape()));
        unrolled.ensureBuilt(List.of(x.shape()));
        for (int i = 0; i < fused.weights().size(); i++) {
            Tensor w = fused.weights().get(i).stored().add(new RandomTensors(20 + i).normal(fused.weights().get(i).shape()).mul(0.3));
            fused.weights().get(i).store(w);
            unrolled.weights().get(i).store(w);
        }
        setFused(unrolled, false);
        List<Tensor> init = null;
        if (initialStates) {
            init = new ArrayList<>(List.of(new RandomTensors(30).normal(Shape.of(4, 5)), new RandomTensors(31).normal(Shape.of(4, 5))));
            if (!(fused instanceof LSTM)) init.remove(1);
        }
        List<Tensor> a = run(fused, x, init, mask), b = run(unrolled, x, init, mask);
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).shape(), a.get(i).shape(), fused.name() + " result " + i);
            assertTrue(a.get(i).sub(b.get(i)).abs().max().item() <= TOLERANCE * (1 + b.get(i).abs().max().item()),
                    fused.name() + ": result " + i + " differs from the unrolled steps by " + a.get(i).sub(b.get(i)).abs().max().item());
        }
    }

    /** The layer's outputs, then the gradients of a random projection of them (input, initial states, weights). */
    private static List<Tensor> run(Layer layer, Tensor x, List<Tensor> init, Tensor mask) {
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            if (init != null) for (Tensor s : init) tape.watch(s);
            List<Tensor> outs = layer instanceof RecurrentLayer l ? l.callWithStates(x, init, mask, true) : List.of(layer.call(x, true, mask));
            Tensor loss = Tensors.scalar(0f);
            for (int i = 0; i < outs.size(); i++) loss = loss.add(outs.get(i).mul(new RandomTensors(40 + i).normal(outs.get(i).shape())).sum());
            List<Tensor> results = new ArrayList<>(outs);
            List<Tensor> sources = new ArrayList<>(List.of(x));
            if (init != null) sources.addAll(init);
            results.addAll(List.of(tape.gradient(loss, sources.toArray(Tensor[]::new))));
            results.addAll(tape.gradient(loss, layer.weights()));
            return results;
        }
    }

    private static void setFused(Layer layer, boolean on) {
        if (layer instanceof RecurrentLayer r) r.fusedLoop = on;
        if (layer instanceof Bidirectional b) {
            setFused(b.forwardLayer(), on);
            setFused(b.backwardLayer(), on);
        }
    }

    @Test
    void aCompiledTrainStepDoesNotGrowWithTheSequence() {
        assertEquals(programSize(4, SEQ), programSize(48, SEQ));
        RecurrentOptions dropped = SEQ.recurrentDropout(0.3).seed(5L);
        assertEquals(programSize(4, dropped), programSize(48, dropped), "with recurrent dropout");
    }

    private static long programSize(int steps, RecurrentOptions options) {
        LSTM first = new LSTM(8, options), second = new LSTM(8, options.returnSequences(false));
        Tensor x = new RandomTensors(3).normal(Shape.of(2, steps, 3));
        first.ensureBuilt(List.of(x.shape()));
        second.ensureBuilt(List.of(Shape.of(2, steps, 8)));
        List<Variable> weights = new ArrayList<>(first.weights());
        weights.addAll(second.weights());
        String plan = Jit.explain(in -> {
            try (GradientTape tape = GradientTape.record()) {
                Tensor loss = second.call(first.call(in[0], true), true).square().sum();
                List<Tensor> grads = tape.gradient(loss, weights);
                return grads.toArray(Tensor[]::new);
            }
        }, x);
        return plan.lines().count();
    }
}
