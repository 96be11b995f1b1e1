package dev.javelin.highlevel;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.jit.JitOptions;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The train, test and predict steps of a model compiled with {@code jitCompile}: each is one traced
 * program (forward, loss, backward and optimizer update for training) with a dynamic batch, so the
 * smaller last batch reuses the kernels. Metrics are host-side accumulators, so the programs return
 * the predictions and the trainer updates the metrics eagerly after each call.
 */
final class JitSteps {
    private final Model model;
    private final Trainer trainer;
    private CompiledFunction train;
    private CompiledFunction test;
    private CompiledFunction predict;
    private int inputs;

    JitSteps(Model model, Trainer trainer) {
        this.model = model;
        this.trainer = trainer;
    }

    /** One compiled training step: returns the loss, then each prediction. */
    Tensor[] train(List<Tensor> x, List<Tensor> y) {
        if (train == null || inputs != x.size()) {
            inputs = x.size();
            int nx = x.size();
            // Slots and counters must exist as variables before tracing, so the program lifts them.
            trainer.optimizer().buildFor(model.trainableVariables());
            train = Jit.compile(args -> {
                List<Tensor> xs = Arrays.asList(args).subList(0, nx);
                List<Tensor> ys = Arrays.asList(args).subList(nx, args.length);
                List<Variable> vars = model.trainableVariables();
                List<Tensor> predictions;
                Tensor loss;
                GradientTape tape = GradientTape.record();
                try {
                    predictions = model.callOutputs(xs, true);
                    loss = trainer.computeLoss(ys, predictions);
                } finally {
                    tape.close();
                }
                trainer.optimizer().apply(vars, tape.gradient(loss, vars));
                return concat(loss, predictions);
            }, JitOptions.dynamicBatch());
        }
        return train.call(args(x, y));
    }

    /** One compiled evaluation step: returns the loss, then each prediction. */
    Tensor[] test(List<Tensor> x, List<Tensor> y) {
        if (test == null) {
            int nx = x.size();
            test = Jit.compile(args -> {
                List<Tensor> predictions = model.callOutputs(Arrays.asList(args).subList(0, nx), false);
                return concat(trainer.computeLoss(Arrays.asList(args).subList(nx, args.length), predictions), predictions);
            }, JitOptions.dynamicBatch());
        }
        return test.call(args(x, y));
    }

    /** The compiled forward pass in inference mode. */
    Tensor[] predict(List<Tensor> x) {
        if (predict == null) {
            predict = Jit.compile(args -> model.callOutputs(Arrays.asList(args), false).toArray(Tensor[]::new), JitOptions.dynamicBatch());
        }
        return predict.call(x.toArray(Tensor[]::new));
    }

    /** Compilations so far (train, test and predict together): 1 per step kind in a steady run. */
    long compilations() {
        return (train == null ? 0 : train.compilations()) + (test == null ? 0 : test.compilations())
                + (predict == null ? 0 : predict.compilations());
    }

    private static Tensor[] args(List<Tensor> x, List<Tensor> y) {
        List<Tensor> all = new ArrayList<>(x);
        all.addAll(y);
        return all.toArray(Tensor[]::new);
    }

    private static Tensor[] concat(Tensor first, List<Tensor> rest) {
        Tensor[] out = new Tensor[rest.size() + 1];
        out[0] = first;
        for (int i = 0; i < rest.size(); i++) out[i + 1] = rest.get(i);
        return out;
    }
}
