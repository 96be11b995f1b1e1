package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.jit.JitOptions;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Debug;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's own {@link Model#trainStep}, {@link Model#testStep} and {@link Model#predictStep},
 * compiled by the JIT as Keras 3 compiles {@code train_step}: whatever the model's step does (the
 * default or an override) is traced once into one program with a dynamic batch, so the smaller
 * last batch reuses the kernels. Metric state and optimizer slots are variables, so their updates
 * are part of the program; only the loss comes out.
 *
 * <p>The train step is traced for one set of trainable variables: when that set changes (a layer
 * frozen or unfrozen after {@code compile}) it is traced again before the next step.
 */
final class CompiledSteps {
    private final Model model;
    private final JitOptions options;
    /** One compiled function per step kind and batch layout (number of inputs, targets, weights). */
    private final Map<String, CompiledFunction> functions = new ConcurrentHashMap<>(); // predict may run on several threads
    private List<Variable> tracedTrainable;
    /** Which trainable variables have a gradient, as the last trace of the gradient step found. */
    private boolean[] gradientPresent;

    CompiledSteps(Model model, JitOptions options) {
        this.model = model;
        this.options = options;
    }

    /** Gives back the device memory of every compiled step's programs ({@link CompiledFunction#release}); later steps compile again. */
    void release() {
        for (CompiledFunction f : functions.values()) f.release();
        functions.clear();
        tracedTrainable = null;
    }

    /** One compiled training step: returns the loss of the batch. */
    Tensor train(Batch batch) {
        retraceIfTrainableChanged();
        return function("train", batch, b -> new Tensor[] {model.trainStep(b)}).call(args(batch))[0];
    }

    /**
     * The model's {@link Model#gradientStep} compiled: the loss and the gradients. The program
     * returns only the gradients that exist; which ones do is learnt when it is traced.
     */
    StepGradients gradients(Batch batch) {
        retraceIfTrainableChanged();
        Tensor[] out = function("gradients", batch, b -> {
            StepGradients g = model.gradientStep(b);
            List<Tensor> flat = new ArrayList<>();
            flat.add(g.loss());
            boolean[] present = new boolean[g.gradients().size()];
            for (int i = 0; i < present.length; i++) {
                present[i] = g.gradients().get(i) != null;
                if (present[i]) flat.add(g.gradients().get(i));
            }
            gradientPresent = present;
            return flat.toArray(Tensor[]::new);
        }).call(args(batch));
        List<Tensor> gradients = new ArrayList<>(gradientPresent.length);
        int next = 1;
        for (boolean p : gradientPresent) gradients.add(p ? out[next++] : null);
        return new StepGradients(out[0], gradients);
    }

    /** The optimizer's update with these gradients (null: that variable is left alone), compiled once per pattern of nulls. */
    void apply(List<Tensor> gradients) {
        StringBuilder key = new StringBuilder("apply/");
        List<Tensor> present = new ArrayList<>();
        for (Tensor g : gradients) {
            key.append(g == null ? '0' : '1');
            if (g != null) present.add(g);
        }
        functions.computeIfAbsent(key.toString(), k -> Jit.compile(a -> {
            List<Tensor> full = new ArrayList<>(gradients.size());
            int next = 0;
            for (int i = 0; i < k.length() - "apply/".length(); i++) full.add(k.charAt("apply/".length() + i) == '1' ? a[next++] : null);
            model.optimizer().apply(model.trainableVariables(), full);
            return new Tensor[] {model.optimizer().iterations().value()}; // the step count after the update
        }, JitOptions.defaults())).call(present.toArray(Tensor[]::new));
    }

    private void retraceIfTrainableChanged() {
        List<Variable> trainable = model.trainableVariables();
        if (tracedTrainable != null && !sameVariables(tracedTrainable, trainable)) {
            functions.keySet().removeIf(k -> k.startsWith("train") || k.startsWith("gradients") || k.startsWith("apply"));
            if (Debug.level() >= 1) {
                System.err.println("[javelin] " + model.name() + ": the trainable variables changed (" + tracedTrainable.size()
                        + " -> " + trainable.size() + "): recompiling the train step");
            }
        }
        tracedTrainable = trainable;
    }

    /** One compiled evaluation step: returns the loss of the batch. */
    Tensor test(Batch batch) {
        return function("test", batch, b -> new Tensor[] {model.testStep(b)}).call(args(batch))[0];
    }

    /** The compiled forward pass in inference mode: every output. */
    List<Tensor> predict(Batch batch) {
        return List.of(function("predict", batch, b -> model.predictStep(b).toArray(Tensor[]::new)).call(args(batch)));
    }

    /** Compilations so far (every step kind together): 1 per step kind in a steady run. */
    long compilations() {
        long n = 0;
        for (CompiledFunction f : functions.values()) n += f.compilations();
        return n;
    }

    private CompiledFunction function(String kind, Batch like, java.util.function.Function<Batch, Tensor[]> step) {
        int nx = like.inputs().size(), ny = like.targets().size();
        boolean weighted = like.sampleWeight() != null;
        String key = kind + "/" + nx + "/" + ny + "/" + weighted;
        return functions.computeIfAbsent(key, k -> Jit.compile(a -> {
            List<Tensor> all = List.of(a);
            Batch b = new Batch(all.subList(0, nx), all.subList(nx, nx + ny), weighted ? a[nx + ny] : null);
            Tensor[] out = step.apply(b);
            if (out.length == 0 || out[0] == null) {
                throw new IllegalStateException(model.name() + "." + kind + "Step returned no tensor");
            }
            return out;
        }, options));
    }

    private static Tensor[] args(Batch b) {
        List<Tensor> all = new ArrayList<>(b.inputs());
        all.addAll(b.targets());
        if (b.sampleWeight() != null) all.add(b.sampleWeight());
        return all.toArray(Tensor[]::new);
    }

    private static boolean sameVariables(List<Variable> a, List<Variable> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }
}
