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

    CompiledSteps(Model model, JitOptions options) {
        this.model = model;
        this.options = options;
    }

    /** One compiled training step: returns the loss of the batch. */
    Tensor train(Batch batch) {
        List<Variable> trainable = model.trainableVariables();
        if (tracedTrainable != null && !sameVariables(tracedTrainable, trainable)) {
            functions.keySet().removeIf(k -> k.startsWith("train"));
            if (Debug.level() >= 1) {
                System.err.println("[javelin] " + model.name() + ": the trainable variables changed (" + tracedTrainable.size()
                        + " -> " + trainable.size() + "): recompiling the train step");
            }
        }
        tracedTrainable = trainable;
        return function("train", batch, b -> new Tensor[] {model.trainStep(b)}).call(args(batch))[0];
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
