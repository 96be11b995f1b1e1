package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.json.Json;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model file carries besides the architecture and weights, so that training resumes where it
 * stopped (Keras's {@code compile_config} and optimizer variables): the compile arguments as JSON in
 * the {@code __metadata__} key {@value #CONFIG_KEY}; the optimizer's variables (step count,
 * learning rate, slots such as Adam's moments) as tensors named {@code optimizer/<variable name>},
 * listed in order under {@value #VARIABLES_KEY}; and the layers' seed generator states (Dropout's)
 * as tensors {@code seed_state/<i>}, listed under {@value #SEEDS_KEY}, so that the resumed epochs
 * draw the random numbers the uninterrupted run would have.
 *
 * <pre>{@code
 * model.save(file);                  // compiled: the compile state goes along
 * Model again = Model.load(file);    // compiled again, optimizer state restored
 * }</pre>
 */
final class TrainingState {
    /** {@code __metadata__} key: optimizer, loss, metrics and {@code jit_compile}, as JSON. */
    static final String CONFIG_KEY = "compile_config";
    /** {@code __metadata__} key: the tensor names of the optimizer's variables, in its order, as a JSON list. */
    static final String VARIABLES_KEY = "optimizer_variables";
    /** {@code __metadata__} key: the tensor names of the layers' seed generator states, in {@link Model#seedStates()} order. */
    static final String SEEDS_KEY = "seed_states";
    private static final String TENSOR_PREFIX = "optimizer/";
    private static final String SEED_PREFIX = "seed_state/";

    private TrainingState() {}

    /** The metadata pairs for {@code model}'s compile state (when compiled) and seed states (when it has any). */
    static Map<String, String> metadata(Model model) {
        Map<String, String> md = new LinkedHashMap<>();
        LinkedHashMap<String, Tensor> seeds = seedTensors(model);
        if (!seeds.isEmpty()) md.put(SEEDS_KEY, Json.write(new ArrayList<>(seeds.keySet())));
        CompileOptions options = model.trainer.compileOptions();
        if (options == null) return md;
        md.put(CONFIG_KEY, Json.write(CompileConfig.of(options)));
        md.put(VARIABLES_KEY, Json.write(new ArrayList<>(optimizerTensors(model).keySet())));
        return md;
    }

    /** The tensors to store besides the weights: the optimizer's variables (when compiled), then the seed states. */
    static LinkedHashMap<String, Tensor> tensors(Model model) {
        LinkedHashMap<String, Tensor> out = optimizerTensors(model);
        out.putAll(seedTensors(model));
        return out;
    }

    private static LinkedHashMap<String, Tensor> optimizerTensors(Model model) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        if (model.trainer.compileOptions() == null) return out;
        for (Variable v : model.optimizer().variables()) out.put(TENSOR_PREFIX + v.name(), v.stored());
        return out;
    }

    private static LinkedHashMap<String, Tensor> seedTensors(Model model) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        List<Variable> states = model.seedStates();
        for (int i = 0; i < states.size(); i++) out.put(SEED_PREFIX + i, states.get(i).stored());
        return out;
    }

    /** {@code tensors} without those {@link #VARIABLES_KEY} and {@link #SEEDS_KEY} in {@code metadata} list. */
    static LinkedHashMap<String, Tensor> weightsOnly(Map<String, String> metadata, LinkedHashMap<String, Tensor> tensors) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>(tensors);
        for (String key : List.of(VARIABLES_KEY, SEEDS_KEY)) {
            String listed = metadata.get(key);
            if (listed != null) for (Object name : listOf(Json.parse(listed), key)) out.remove(String.valueOf(name));
        }
        return out;
    }

    /**
     * Stores the file's seed generator states into {@code model}'s (when the file lists them).
     *
     * @throws IOException naming the file when they do not fit the model's seed generators
     */
    static void restoreSeeds(Model model, Map<String, String> metadata, Map<String, Tensor> tensors, String source) throws IOException {
        checkedSeeds(model, metadata, tensors, source).run();
    }

    /** {@link #restoreSeeds}'s checks; the returned action stores the states. */
    static Runnable checkedSeeds(Model model, Map<String, String> metadata, Map<String, Tensor> tensors, String source) throws IOException {
        String listed = metadata.get(SEEDS_KEY);
        if (listed == null) return () -> { };
        List<Object> names = listOf(Json.parse(listed), SEEDS_KEY);
        List<Variable> states = model.seedStates();
        if (names.size() != states.size()) {
            throw new IOException(source + ": the file holds " + names.size() + " seed generator states, the model " + model.name()
                    + " has " + states.size());
        }
        Tensor[] values = new Tensor[states.size()];
        for (int i = 0; i < states.size(); i++) {
            Tensor t = tensors.get(String.valueOf(names.get(i)));
            Variable v = states.get(i);
            if (t == null || !t.shape().equals(v.shape()) || t.dtype() != v.dtype()) {
                throw new IOException(source + ": seed state '" + names.get(i) + "' is " + (t == null ? "missing" : t.dtype() + "" + t.shape())
                        + ", expected " + v.dtype() + v.shape());
            }
            values[i] = t;
        }
        return () -> {
            for (int i = 0; i < states.size(); i++) states.get(i).store(values[i].to(states.get(i).stored().device()));
        };
    }

    /**
     * Compiles {@code model} as the file says and loads the optimizer's variables, when the file
     * holds a compile state; otherwise leaves the model uncompiled.
     *
     * @throws IOException naming the file when the state cannot be restored (a custom loss or metric
     *     the loader cannot rebuild, or optimizer variables that do not fit the model)
     */
    static void restore(Model model, Map<String, String> metadata, Map<String, Tensor> tensors, String source) throws IOException {
        String json = metadata.get(CONFIG_KEY);
        if (json == null) return;
        try {
            // Read strictly (ConfigMap): a key this version does not know is refused, not ignored.
            CompileOptions options = CompileConfig.from(ConfigMap.of(Json.parseObject(json)));
            model.compile(options);
            restoreOptimizer(model, options.optimizer(), metadata, tensors);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(source + ": cannot restore the compile state (" + e.getMessage() + "); load the model with "
                    + "Model.load(path, false) and compile it yourself", e);
        }
    }

    /** Loads the optimizer variables the file lists into {@code optimizer} (built for the model's trainable variables if needed). */
    static void restoreOptimizer(Model model, Optimizer optimizer, Map<String, String> metadata, Map<String, Tensor> tensors) {
        checkedOptimizer(model, optimizer, metadata, tensors).run();
    }

    /** {@link #restoreOptimizer}'s checks (building the optimizer's slots if needed); the returned action stores the values. */
    static Runnable checkedOptimizer(Model model, Optimizer optimizer, Map<String, String> metadata, Map<String, Tensor> tensors) {
        String listed = metadata.get(VARIABLES_KEY);
        if (listed == null) return () -> { };
        List<Object> names = listOf(Json.parse(listed), VARIABLES_KEY);
        if (names.size() > optimizer.variables().size()) optimizer.buildFor(model.trainableVariables()); // it had slots
        List<Variable> vars = optimizer.variables();
        if (names.size() != vars.size()) {
            throw new IllegalArgumentException("the file holds " + names.size() + " optimizer variables, " + optimizer.name()
                    + " has " + vars.size() + " for this model");
        }
        Tensor[] values = new Tensor[vars.size()];
        for (int i = 0; i < vars.size(); i++) {
            String name = String.valueOf(names.get(i));
            Tensor t = tensors.get(name);
            Variable v = vars.get(i);
            if (t == null) throw new IllegalArgumentException("optimizer variable '" + name + "' is listed but not stored");
            if (!t.shape().equals(v.shape()) || t.dtype() != v.dtype()) {
                throw new IllegalArgumentException("optimizer variable '" + name + "' is " + t.dtype() + t.shape() + ", "
                        + optimizer.name() + "'s '" + v.name() + "' is " + v.dtype() + v.shape());
            }
            values[i] = t;
        }
        return () -> {
            for (int i = 0; i < vars.size(); i++) vars.get(i).store(values[i].to(vars.get(i).stored().device()));
        };
    }

    @SuppressWarnings("unchecked")
    private static List<Object> listOf(Object o, String what) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw new IllegalArgumentException(what + ": expected a JSON list, got " + o);
    }
}
