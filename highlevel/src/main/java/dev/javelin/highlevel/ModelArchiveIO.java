package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.WeightDeclaration;
import dev.javelin.highlevel.saving.AtomicFiles;
import dev.javelin.highlevel.saving.ModelArchive;
import dev.javelin.highlevel.saving.SafeTensors;
import dev.javelin.highlevel.saving.Shortened;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Model#save} / {@link Model#load} and the weights-only pair, over keras-support's
 * {@link ModelArchive} (config JSON in the safetensors {@code __metadata__}) and {@link SafeTensors}.
 * Loading builds the whole model first and sets the weights last, after checking every name and
 * shape, so a bad file never yields a half-loaded model.
 */
final class ModelArchiveIO {
    /** {@code __metadata__} of a weights-only file. */
    /** {@code __metadata__} of a weights-only file; version 2 carries a checksum (as model files of version 2 do). */
    private static final Map<String, String> WEIGHTS_METADATA = Map.of("format", "javelin.weights", "format_version", "2");

    private ModelArchiveIO() {}

    /** The config, the weights, and when the model is compiled its {@link TrainingState}. */
    static void save(Model model, Path path) throws IOException {
        requireBuilt(model, "save");
        LinkedHashMap<String, Tensor> tensors = namedWeights(model);
        LinkedHashMap<String, Tensor> trainingState = TrainingState.tensors(model);
        for (String name : trainingState.keySet()) {
            if (tensors.containsKey(name)) {
                throw new IllegalStateException(model.name() + ".save: a weight is named like the training state tensor '" + name + "'");
            }
        }
        tensors.putAll(trainingState);
        ModelArchive.write(path, ModelConfig.of(model), tensors, TrainingState.metadata(model));
    }

    /**
     * Reads and checks the whole file (header, checksum, tensor table), rebuilds the model from its
     * config without initialising any weight (declared only, so a config claiming huge layers
     * allocates nothing), checks every weight's name, shape and dtype against the file's table, and
     * only then stores the file's tensors. With {@code compile}, a file saved from a compiled model
     * compiles the model again and restores the optimizer's state ({@link TrainingState}). Every
     * problem is an IOException naming the file; no unchecked exception escapes.
     */
    static Model load(Path path, boolean compile) throws IOException {
        return load(() -> ModelArchive.read(path), path.toString(), compile);
    }

    /** {@link #load(Path, boolean)} for a file already in memory; {@code source} names it in messages. */
    static Model load(byte[] file, String source) throws IOException {
        return load(() -> ModelArchive.read(file, source), source, true);
    }

    private interface ArchiveReader {
        ModelArchive.Contents read() throws IOException;
    }

    private static Model load(ArchiveReader reader, String source, boolean compile) throws IOException {
        try {
            ModelArchive.Contents c = reader.read();
            Model model;
            try {
                model = WeightDeclaration.withoutInitialising(layerBudget(c.weights().size()), () -> ModelConfig.from(c.config()));
            } catch (RuntimeException e) {
                throw new IOException(source + ": model config: " + e.getMessage(), e);
            }
            setWeights(model, TrainingState.weightsOnly(c.metadata(), c.weights()), source);
            TrainingState.restoreSeeds(model, c.metadata(), c.weights(), source);
            if (compile) TrainingState.restore(model, c.metadata(), c.weights(), source);
            return model;
        } catch (RuntimeException e) {
            // a defect of the reader rather than of the file; still the documented exception, with its cause
            throw new IOException(source + ": cannot load the model: " + e, e);
        }
    }

    /**
     * The most layer objects a model file's config may make: generous (a transformer block is about 8
     * layers for 16 weights; weightless layers are each spelled out in the bounded config), and small
     * enough that a damaged count fails in milliseconds rather than filling the heap.
     */
    private static long layerBudget(int weightsInFile) {
        return 4_096L + 16L * weightsInFile;
    }

    static void saveWeights(Model model, Path path) throws IOException {
        requireBuilt(model, "saveWeights");
        LinkedHashMap<String, Tensor> weights = namedWeights(model);
        AtomicFiles.write(path, out -> SafeTensors.write(out, weights, WEIGHTS_METADATA));
    }

    static void loadWeights(Model model, Path path) throws IOException {
        requireBuilt(model, "loadWeights");
        try {
            SafeTensors.Contents c = SafeTensors.read(path, SafeTensors.Limits.DEFAULT);
            // a foreign or older file may lack a checksum; Javelin's version 2 must have one, so a damaged key is not taken for absent
            boolean javelinV2 = WEIGHTS_METADATA.entrySet().stream().allMatch(e -> e.getValue().equals(c.metadata().get(e.getKey())));
            if (javelinV2 && !c.verified()) {
                throw new IOException(path + ": weights file version 2 without its " + SafeTensors.CHECKSUM_KEY + " (the file was damaged)");
            }
            setWeights(model, TrainingState.weightsOnly(c.metadata(), c.tensors()), path.toString());
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot load the weights: " + e, e);
        }
    }

    /**
     * Loads weights, seed states and optimizer state into {@code model}; every part is checked against the
     * model before any is stored, so a file that does not fit throws and leaves the model as it was.
     */
    static void loadState(Model model, Path path) throws IOException {
        requireBuilt(model, "loadState");
        ModelArchive.Contents c = ModelArchive.read(path);
        String source = path.toString();
        List<Runnable> stores = new ArrayList<>();
        try {
            stores.add(checkedWeights(model, TrainingState.weightsOnly(c.metadata(), c.weights()), source));
            stores.add(TrainingState.checkedSeeds(model, c.metadata(), c.weights(), source));
            if (model.optimizer() != null) {
                try {
                    stores.add(TrainingState.checkedOptimizer(model, model.optimizer(), c.metadata(), c.weights()));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new IOException(path + ": cannot restore the optimizer state into " + model.name() + " (" + e.getMessage() + ")", e);
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot load the state: " + e, e);
        }
        for (Runnable store : stores) store.run();
    }

    /** Copies of the weights' values on the host, in {@link Model#weights()} order. */
    static List<Tensor> getWeights(Model model) {
        List<Tensor> out = new ArrayList<>();
        for (Variable v : model.weights()) out.add(v.stored().to(Device.CPU).contiguous());
        return out;
    }

    /** Sets every weight from {@code values} (in {@link Model#weights()} order) after checking them all. */
    static void setWeights(Model model, List<Tensor> values) {
        List<Variable> vars = model.weights();
        if (values.size() != vars.size()) {
            throw new IllegalArgumentException(model.name() + ".setWeights: got " + values.size() + " tensors, the model has "
                    + vars.size() + " weights " + List.copyOf(namedWeights(model).keySet()));
        }
        for (int i = 0; i < vars.size(); i++) {
            Variable v = vars.get(i);
            Tensor t = values.get(i);
            if (t == null || !t.shape().equals(v.shape()) || t.dtype() != v.dtype()) {
                throw new IllegalArgumentException(model.name() + ".setWeights: tensor #" + i + " is "
                        + (t == null ? "null" : t.dtype() + "" + t.shape()) + ", weight '" + v.name() + "' is " + v.dtype() + v.shape());
            }
        }
        for (int i = 0; i < vars.size(); i++) vars.get(i).store(values.get(i).to(vars.get(i).stored().device()));
    }

    /** Variable name to value, in the model's weight order; a repeated name gets a {@code #n} suffix. */
    static LinkedHashMap<String, Tensor> namedWeights(Model model) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Variable v : model.weights()) {
            String name = v.name();
            for (int n = 1; out.containsKey(name); n++) name = v.name() + "#" + n;
            out.put(name, v.stored());
        }
        return out;
    }

    /**
     * Matches saved tensors to the model's weights by name when every name is there, else by order
     * (a model built in another session may number its layers differently); every shape and dtype
     * must agree before anything is assigned.
     */
    private static void setWeights(Model model, LinkedHashMap<String, Tensor> saved, String path) throws IOException {
        checkedWeights(model, saved, path).run();
    }

    /** Checks {@code saved} against the model's weights; the returned action stores them. */
    private static Runnable checkedWeights(Model model, LinkedHashMap<String, Tensor> saved, String path) throws IOException {
        List<Variable> vars = model.weights();
        LinkedHashMap<String, Tensor> expected = namedWeights(model);
        List<String> names = List.copyOf(expected.keySet());
        if (saved.size() != vars.size()) {
            throw new IOException(path + ": the file holds " + saved.size() + " weights, the model " + Shortened.of(model.name())
                    + " has " + vars.size() + " (" + Shortened.of(names) + ")");
        }
        Set<String> savedNames = new HashSet<>(saved.keySet());
        boolean byName = savedNames.containsAll(names);
        List<Tensor> inOrder = List.copyOf(saved.values());
        Tensor[] values = new Tensor[vars.size()];
        for (int i = 0; i < vars.size(); i++) {
            Variable v = vars.get(i);
            Tensor t = byName ? saved.get(names.get(i)) : inOrder.get(i);
            if (!t.shape().equals(v.shape()) || t.dtype() != v.dtype()) {
                throw new IOException(path + ": weight " + (byName ? "'" + Shortened.of(names.get(i)) + "'" : "#" + i) + " is "
                        + t.dtype() + t.shape() + ", the model's '" + Shortened.of(v.name()) + "' is " + v.dtype() + v.shape());
            }
            values[i] = t;
        }
        return () -> {
            for (int i = 0; i < vars.size(); i++) vars.get(i).store(values[i].to(vars.get(i).stored().device()));
        };
    }

    private static void requireBuilt(Model model, String what) {
        if (!model.isBuilt()) {
            throw new IllegalStateException(model.name() + "." + what + ": the model is not built yet (give it an InputLayer, "
                    + "or call it on data or fit it first)");
        }
    }
}
