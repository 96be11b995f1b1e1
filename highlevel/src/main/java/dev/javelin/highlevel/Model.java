package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Map;

/**
 * A trainable group of layers, as Keras's {@code Model}, in its three forms:
 * <ul>
 *   <li>functional: {@code new Model(inputs, outputs)} over Keras tensors from {@link Input#of};
 *   <li>{@link Sequential}: a stack of layers;
 *   <li>subclassed: extend {@code Model}, create layers in the constructor, override {@link #call}.
 * </ul>
 * Training lives in {@link #compile}, {@link #fit}, {@link #evaluate} and {@link #predict}; one
 * step of it is {@link #trainStep}, which a subclass may override as Keras's {@code train_step}.
 *
 * <pre>{@code
 * Tensor in = Input.of(784);
 * Tensor h = new Dense(256, "relu").apply(in);
 * Model model = new Model(in, new Dense(10, "softmax").apply(h));
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * History history = model.fit(x, y, FitOptions.builder().batchSize(128).epochs(5).build());
 * }</pre>
 */
public class Model extends Layer {
    private final FunctionalGraph graph;
    final Trainer trainer = new Trainer(this);

    /** A subclassed model: override {@link #call(Tensor, boolean)}. */
    protected Model() {
        this((String) null);
    }

    protected Model(String name) {
        super(name);
        this.graph = null;
    }

    /** A functional model with one input and one output. */
    public Model(Tensor input, Tensor output) {
        this(List.of(input), List.of(output), null);
    }

    /** A functional model with several inputs and/or outputs; {@code name} null for {@code functional}. */
    public Model(List<Tensor> inputs, List<Tensor> outputs, String name) {
        super(name != null ? name : uniqueName("functional"));
        this.graph = new FunctionalGraph(inputs, outputs);
        for (Layer l : graph.layers()) track(l);
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : graph.inputs) shapes.add(t.shape());
        ensureBuilt(shapes);
    }

    // ---- forward ----------------------------------------------------------------------------

    /** A subclassed model overrides this; a functional model runs its graph. */
    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return single(callOutputs(List.of(inputs), training));
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        return single(callOutputs(inputs, training));
    }

    /** Every output of the model (functional models may have several). */
    public List<Tensor> callOutputs(List<Tensor> inputs, boolean training) {
        if (graph != null) return graph.run(inputs, training);
        if (inputs.size() == 1) return List.of(call(inputs.get(0), training));
        return List.of(call(inputs, training));
    }

    private Tensor single(List<Tensor> outs) {
        if (outs.size() != 1) {
            throw new IllegalArgumentException(name() + ": this model has " + outs.size() + " outputs; use callOutputs");
        }
        return outs.get(0);
    }

    /** A subclassed or Sequential model learns its layers and shapes by a symbolic pass. */
    @Override
    public void build(Shape inputShape) {
        build(List.of(inputShape));
    }

    /** Builds every layer by a symbolic pass over inputs of these shapes (batch first); the model is built after. */
    @Override
    public void build(List<Shape> inputShapes) {
        if (isBuilt()) return;
        if (graph == null) runSymbolic(inputShapes);
        markBuilt(inputShapes);
    }

    /** The functional graph's Keras inputs; empty for other models. */
    public List<Tensor> inputs() {
        return graph == null ? List.of() : graph.inputs;
    }

    /** The functional graph's Keras outputs; empty for other models. */
    public List<Tensor> outputs() {
        return graph == null ? List.of() : graph.outputs;
    }

    /**
     * The names of the model's outputs, as the keys of per-output losses and metrics and of History
     * ({@code <output>_loss}): a functional model's output layers; a Sequential's last layer; a
     * subclassed model's {@code output_1}, {@code output_2}, ...
     */
    public List<String> outputNames() {
        return outputNames(graph != null ? graph.outputs.size() : 1);
    }

    List<String> outputNames(int count) {
        List<String> names = new ArrayList<>();
        if (graph != null) {
            for (Tensor t : graph.outputs) {
                String n = KerasTensors.nodeOf(t).layer().name();
                names.add(names.contains(n) ? n + "_" + names.size() : n);
            }
        } else if (count == 1 && !layers().isEmpty()) {
            names.add(layers().get(layers().size() - 1).name());
        } else {
            for (int i = 1; i <= count; i++) names.add("output_" + i);
        }
        return names;
    }

    FunctionalGraph graph() {
        return graph;
    }

    /** The layers of the model, in the order they are called. */
    public List<Layer> layers() {
        return graph != null ? graph.layers() : trackedLayers();
    }

    /** The layer named {@code name}. */
    public Layer getLayer(String layerName) {
        for (Layer l : layers()) if (l.name().equals(layerName)) return l;
        throw new IllegalArgumentException(name() + ".getLayer: no layer named '" + layerName + "'");
    }

    /** The trainable variables the optimizer updates (Keras's {@code trainable_variables}). */
    public List<Variable> trainableVariables() {
        return trainableWeights();
    }

    // ---- device -----------------------------------------------------------------------------

    private Device device = Device.CPU;

    /**
     * Puts the model on {@code device} (PyTorch's {@code model.to}): its weights now, and any made
     * later when it is built; {@code fit}, {@code evaluate} and {@code predict} then move each batch
     * there and run each step as one program compiled for that device (on a CUDA device its kernels
     * are PTX from the same plan as the CPU's), or op by op on its backend with {@code jitCompile(false)}.
     * Compiled steps keep the metrics' state on the device too; {@code predict} returns CPU tensors.
     *
     * <pre>{@code
     * model.to(Device.cuda(0));
     * model.fit(x, y, 128, 15);   // x, y stay on the host; each batch is copied to the GPU
     * }</pre>
     */
    public Model to(Device target) {
        this.device = Objects.requireNonNull(target, "device");
        placeWeights();
        return this;
    }

    /** The device the model runs on ({@link #to}); the CPU unless moved. */
    public Device device() {
        return device;
    }

    /** Moves every weight not yet on the model's device there. */
    void placeWeights() {
        for (Variable v : weights()) if (!v.device().equals(device)) v.store(v.stored().to(device));
    }

    // ---- summary ----------------------------------------------------------------------------

    /** The Keras summary table: layer (type), output shape, parameters, and the totals. */
    public String summaryText() {
        return ModelSummary.of(this);
    }

    /** Prints {@link #summaryText()}. */
    public void summary() {
        System.out.print(summaryText());
    }

    // ---- training ---------------------------------------------------------------------------

    /** Configures training: optimizer, loss and metrics; steps run compiled by the JIT (see {@link CompileOptions}). */
    public void compile(Optimizer optimizer, Loss loss, Object... metrics) {
        compile(CompileOptions.builder().optimizer(optimizer).loss(loss).metrics(metrics).build());
    }

    /** String forms, as Keras: {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}. */
    public void compile(String optimizer, String loss, Object... metrics) {
        compile(CompileOptions.builder().optimizer(optimizer).loss(loss).metrics(metrics).build());
    }

    public void compile(CompileOptions options) {
        trainer.compile(options);
    }

    /**
     * Trains for {@code epochs} passes over {@code (x, y)} in batches, shuffled, with the progress bar.
     * Interrupting the thread that runs it ({@code Future.cancel(true)}) stops it after the current
     * batch with a {@link TrainingInterruptedException}; {@link #setStopTraining} stops it after the epoch.
     */
    public History fit(Tensor x, Tensor y, int batchSize, int epochs) {
        return fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs).build());
    }

    public History fit(Tensor x, Tensor y, FitOptions options) {
        return trainer.fit(List.of(x), List.of(y), options);
    }

    /** Several inputs and/or outputs, each a tensor with the batch first. */
    public History fit(List<Tensor> x, List<Tensor> y, FitOptions options) {
        return trainer.fit(x, y, options);
    }

    /**
     * Trains on a {@link Dataset}: each epoch is one pass over its batches in its own order (its
     * batch size and shuffling apply; {@code options.batchSize} and {@code shuffle} do not), or
     * {@code stepsPerEpoch} batches of it. Batches are read on a background thread while the step
     * runs; callbacks, progress bar and validation ({@code validationData(Dataset)}) work as with tensors.
     *
     * <pre>{@code
     * Dataset train = Dataset.fromTensors(x, y).shuffle(42).batch(128).map(b -> augment(b));
     * model.fit(train, FitOptions.builder().epochs(5).validationData(Dataset.fromTensors(vx, vy).batch(256)).build());
     * }</pre>
     */
    public History fit(Dataset data, FitOptions options) {
        return trainer.fit(BatchSource.of(data, options.classWeight(), options.stepsPerEpoch()), options);
    }

    /**
     * Trains on batches from an iterator (a generator of batches): each epoch takes the next
     * {@code stepsPerEpoch} of them (with 0, one epoch reads it to its end); training stops when it
     * runs dry. Read on a background thread while the step runs.
     */
    public History fit(Iterator<Batch> batches, FitOptions options) {
        return trainer.fit(BatchSource.of(batches, options.classWeight(), options.stepsPerEpoch()), options);
    }

    /** The loss and metrics on {@code (x, y)}, keyed as in {@link History} ({@code loss}, {@code accuracy}, ...). */
    public Map<String, Double> evaluate(Tensor x, Tensor y) {
        return evaluate(x, y, 32);
    }

    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return trainer.evaluate(List.of(x), List.of(y), null, batchSize, List.of(), 0);
    }

    public Map<String, Double> evaluate(List<Tensor> x, List<Tensor> y, int batchSize, List<Callback> callbacks, int verbose) {
        return trainer.evaluate(x, y, null, batchSize, callbacks, verbose);
    }

    /** With a weight per example ({@code [rows]}, Keras's {@code sample_weight}): the loss and metrics weigh each example so. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, Tensor sampleWeight, int batchSize) {
        return trainer.evaluate(List.of(x), List.of(y), sampleWeight, batchSize, List.of(), 0);
    }

    /** The loss and metrics over every batch of {@code data} (one epoch of it). */
    public Map<String, Double> evaluate(Dataset data) {
        return trainer.evaluate(BatchSource.of(data, null, 0), List.of(), 0);
    }

    /** The loss and metrics over the next {@code steps} batches (0: all that are left). */
    public Map<String, Double> evaluate(Iterator<Batch> batches, int steps) {
        return trainer.evaluate(BatchSource.of(batches, null, steps), List.of(), 0);
    }

    /**
     * The model's output on {@code x}, computed in batches in inference mode. Interrupting the thread
     * stops it after the current batch with a {@code CancellationException} (so does {@code evaluate}).
     */
    public Tensor predict(Tensor x) {
        return predict(x, 32);
    }

    public Tensor predict(Tensor x, int batchSize) {
        return single(trainer.predict(List.of(x), batchSize));
    }

    /** The model's output on every batch of {@code data}, joined along the batch axis. */
    public Tensor predict(Dataset data) {
        return single(trainer.predict(BatchSource.of(data, null, 0)));
    }

    /** Every output, for models with several inputs or outputs. */
    public List<Tensor> predictOutputs(List<Tensor> x, int batchSize) {
        return trainer.predict(x, batchSize);
    }

    /** One optimizer step on one batch; returns the loss and metrics of that batch. */
    public Map<String, Double> trainOnBatch(Tensor x, Tensor y) {
        return trainer.trainOnBatch(List.of(x), List.of(y));
    }

    /** Loss and metrics on one batch, as Keras's {@code test_on_batch}: {@link #evaluate} over exactly this batch, silently. */
    public Map<String, Double> testOnBatch(Tensor x, Tensor y) {
        return evaluate(List.of(x), List.of(y), Math.max(1, x.dim(0)), List.of(), 0);
    }

    /** The output on one batch, as Keras's {@code predict_on_batch}: {@link #predict} with the whole batch at once. */
    public Tensor predictOnBatch(Tensor x) {
        return predict(x, Math.max(1, x.dim(0)));
    }

    /**
     * One training step, as Keras's {@code train_step}: forward under a gradient tape, loss plus
     * regularization, gradients, optimizer update, metric updates. Override it to change how a
     * model learns; {@link #computeLoss} and {@link #updateMetrics} are the usual building blocks.
     * With {@code jitCompile} (the default) {@code fit} traces this method once per batch layout and
     * runs it as one compiled program, overridden or not: write it with tensor ops and variables
     * (host reads such as {@code item()} belong in callbacks), as a Keras 3 {@code train_step}.
     *
     * <pre>{@code
     * Model m = new Sequential(Input.of(4), new Dense(3, "softmax")) {
     *     public Tensor trainStep(Batch b) {
     *         GradientTape tape = GradientTape.record();
     *         Tensor loss;
     *         try { loss = computeLoss(b.targets(), callOutputs(b.inputs(), true)); } finally { tape.close(); }
     *         optimizer().apply(trainableVariables(), tape.gradient(loss, trainableVariables()));
     *         return loss;
     *     }
     * };
     * }</pre>
     *
     * @return the loss of this batch (a scalar), for the running mean the progress bar shows
     */
    public Tensor trainStep(Batch batch) {
        return trainer.defaultTrainStep(batch);
    }

    /**
     * The first half of the default {@link #trainStep}: forward under a gradient tape, loss plus
     * regularization, the gradients of the trainable variables, metric updates; no update. The
     * default {@code trainStep} is this step followed by {@code optimizer().apply}, so overriding
     * it changes {@code fit} and a data-parallel trainer alike. Traceable like {@code trainStep}.
     */
    public StepGradients gradientStep(Batch batch) {
        return trainer.defaultGradientStep(batch);
    }

    /**
     * Runs {@link #gradientStep} on one batch, compiled as {@code fit}'s steps are (op by op with
     * {@code jitCompile(false)}): the loss and the gradients, without changing any weight. With
     * {@link #applyGradients} this is one {@code fit} step split in two, for data-parallel training.
     *
     * <pre>{@code
     * StepGradients g = model.computeGradients(new Batch(List.of(x), List.of(y), null));
     * model.applyGradients(g.gradients());   // the same update as trainOnBatch(x, y)
     * }</pre>
     */
    public StepGradients computeGradients(Batch batch) {
        return trainer.computeGradients(batch);
    }

    /**
     * Runs the compiled optimizer's update of {@link #trainableVariables()} with {@code gradients}
     * (one per variable, in that order; null leaves a variable alone), compiled as {@code fit}'s
     * steps are. See {@link #computeGradients}.
     */
    public void applyGradients(List<Tensor> gradients) {
        trainer.applyGradients(gradients);
    }

    /** One evaluation step, as Keras's {@code test_step}: forward in inference mode, loss, metrics. */
    public Tensor testStep(Batch batch) {
        return trainer.defaultTestStep(batch);
    }

    /** One prediction step, as Keras's {@code predict_step}: every output of the forward pass in inference mode. */
    public List<Tensor> predictStep(Batch batch) {
        return callOutputs(batch.inputs(), false);
    }

    /** The compiled loss of {@code predictions} against {@code targets} plus every regularization penalty. */
    public Tensor computeLoss(List<Tensor> targets, List<Tensor> predictions) {
        return trainer.computeLoss(targets, predictions, null);
    }

    /**
     * The compiled loss with a weight per example (null: all 1): each output's loss times its loss
     * weight, summed, plus every regularization penalty.
     */
    public Tensor computeLoss(List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        return trainer.computeLoss(targets, predictions, sampleWeight);
    }

    /** Updates the compiled metrics with one batch. */
    public void updateMetrics(List<Tensor> targets, List<Tensor> predictions) {
        trainer.updateMetrics(targets, predictions, null);
    }

    /** Updates the compiled metrics with one batch whose examples weigh {@code sampleWeight} (null: all 1). */
    public void updateMetrics(List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        trainer.updateMetrics(targets, predictions, sampleWeight);
    }

    /**
     * The state variables of the compiled metrics (totals, counts), in a fixed order; empty until
     * the first step creates the metrics. A data-parallel trainer sums their per-step changes over
     * workers so that every worker's metrics describe the global batch.
     */
    public List<Variable> metricVariables() {
        return trainer.metricVariables();
    }

    /** The compiled metrics' current results, keyed as in {@link History} ({@code accuracy}, ...). */
    public Map<String, Double> metricResults() {
        return trainer.metricResults();
    }

    /** Clears the compiled metrics' state (Keras's {@code reset_metrics}); {@code fit} does it every epoch. */
    public void resetMetrics() {
        trainer.resetMetrics();
    }

    /** The compiled optimizer; null before {@link #compile}. */
    public Optimizer optimizer() {
        return trainer.optimizer();
    }

    /** The compiled loss; null before {@link #compile}. */
    public Loss loss() {
        return trainer.loss();
    }

    /**
     * Asks {@link #fit} to stop after the current epoch (EarlyStopping sets it): the epoch runs to
     * its end (validation and callbacks included), no further epoch starts, and {@code fit} returns
     * normally. To stop after the current batch instead, interrupt the thread running {@code fit}
     * (it then throws {@link TrainingInterruptedException}).
     */
    public void setStopTraining(boolean stop) {
        trainer.stopTraining = stop;
    }

    /**
     * Asks {@link #fit} to stop after the current batch (TerminateOnNaN does), as Keras's
     * {@code stop_training} read inside the epoch: the partial epoch still ends (validation,
     * {@code onEpochEnd}, History), no further batch or epoch runs, and {@code fit} returns normally.
     */
    public void stopTrainingAfterBatch() {
        trainer.stopAfterBatch = true;
    }

    /**
     * From a callback's {@code onTrainBegin} (BackupAndRestore does): the {@code fit} that is
     * starting begins at {@code epoch} (counting from 0) instead of its {@code initialEpoch}.
     */
    public void resumeAtEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException(name() + ".resumeAtEpoch: expected an epoch >= 0, got " + epoch);
        trainer.resumeEpoch = epoch;
    }

    public boolean stopTraining() {
        return trainer.stopTraining;
    }

    // ---- saving -----------------------------------------------------------------------------

    /**
     * Writes one file: the model's config as JSON and its weights, in the safetensors format; for a
     * compiled model also the compile arguments and the optimizer's state (step count, learning
     * rate, moments), so that {@link #load} resumes training where it stopped.
     */
    public void save(Path path) throws IOException {
        ModelArchiveIO.save(this, path);
    }

    /**
     * Rebuilds a model written by {@link #save}, compiled again with its optimizer state when it was
     * saved compiled; custom layers must be in {@link LayerRegistry}.
     * The file is not trusted: its header, checksum and tensor table are checked first, the config
     * is read strictly (unknown keys, wrong JSON types and out-of-range numbers are errors naming
     * the layer and key), the layers are built without initialising any weight the file provides,
     * and every weight's name, shape and dtype must match the file before one is stored. Work and
     * memory are bounded by the file's size.
     *
     * <pre>{@code
     * model.fit(x, y, FitOptions.builder().epochs(2).seed(7).build());
     * model.save(file);
     * Model resumed = Model.load(file);
     * resumed.fit(x, y, FitOptions.builder().epochs(4).initialEpoch(2).seed(7).build()); // as if never stopped
     * }</pre>
     *
     * @throws IOException for every problem with the file, naming it (no unchecked exception escapes)
     */
    public static Model load(Path path) throws IOException {
        return ModelArchiveIO.load(path, true);
    }

    /** As {@link #load(Path)}; with {@code compile} false the model comes back uncompiled (Keras's {@code compile=False}). */
    public static Model load(Path path, boolean compile) throws IOException {
        return ModelArchiveIO.load(path, compile);
    }

    /**
     * Loads the weights and, when this model is compiled and the file has them, the optimizer's
     * variables (step count, moments) from a file written by {@link #save}, into this model: it
     * then trains on as the saved one would have (BackupAndRestore resumes this way).
     */
    public void loadState(Path path) throws IOException {
        ModelArchiveIO.loadState(this, path);
    }

    /** Copies of every weight's value on the host, in {@link #weights()} order (Keras's {@code get_weights}). */
    public List<Tensor> getWeights() {
        return ModelArchiveIO.getWeights(this);
    }

    /**
     * Sets every weight, in {@link #weights()} order, after checking the count, shapes and dtypes
     * (Keras's {@code set_weights}): {@code b.setWeights(a.getWeights())}.
     */
    public void setWeights(List<Tensor> values) {
        ModelArchiveIO.setWeights(this, values);
    }

    /** Writes only the weights (safetensors, keyed by variable name). */
    public void saveWeights(Path path) throws IOException {
        ModelArchiveIO.saveWeights(this, path);
    }

    /** Reads weights written by {@link #saveWeights} (or {@link #save}) into this built model. */
    public void loadWeights(Path path) throws IOException {
        ModelArchiveIO.loadWeights(this, path);
    }
}
