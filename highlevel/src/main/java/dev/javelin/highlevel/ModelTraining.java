package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The training half of {@link Model}'s API, as Keras 3's {@code Model} inherits it from its
 * {@code Trainer}: {@code compile}, {@code fit}, {@code evaluate}, {@code predict}, the step methods
 * a subclass may override ({@link #trainStep}, {@link #testStep}, {@link #predictStep}) and their
 * building blocks. Use it through {@code Model}; only {@code Model} extends it. The loops behind
 * these methods are the package's {@code Trainer}.
 *
 * <pre>{@code
 * Model model = new Sequential(Input.of(784), new Dense(10, "softmax"));
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * History history = model.fit(x, y, 128, 5);
 * Map<String, Double> scores = model.evaluate(testX, testY);
 * }</pre>
 */
public abstract class ModelTraining extends Layer {
    final Trainer trainer = new Trainer((Model) this);

    ModelTraining(String name) {
        super(name);
    }

    /** Every output of the model on {@code inputs}; see {@link Model#callOutputs}. */
    public abstract List<Tensor> callOutputs(List<Tensor> inputs, boolean training);

    /** The one output of {@code outs}, or an error naming the model when it has several. */
    Tensor single(List<Tensor> outs) {
        if (outs.size() != 1) {
            throw new IllegalArgumentException(name() + ": this model has " + outs.size() + " outputs; use callOutputs");
        }
        return outs.get(0);
    }

    /** The trainable variables the optimizer updates (Keras's {@code trainable_variables}). */
    public List<Variable> trainableVariables() {
        return trainableWeights();
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
        return trainer.fit(List.of(x), targets(y), options);
    }

    /** {@code y} as the list of targets; null (no targets, for a {@link #trainStep} that needs none) as an empty one. */
    private static List<Tensor> targets(Tensor y) {
        return y == null ? List.of() : List.of(y);
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
        return trainer.evaluate(List.of(x), targets(y), null, batchSize, List.of(), 0);
    }

    public Map<String, Double> evaluate(List<Tensor> x, List<Tensor> y, int batchSize, List<Callback> callbacks, int verbose) {
        return trainer.evaluate(x, y, null, batchSize, callbacks, verbose);
    }

    /** With a weight per example ({@code [rows]}, Keras's {@code sample_weight}): the loss and metrics weigh each example so. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, Tensor sampleWeight, int batchSize) {
        return trainer.evaluate(List.of(x), targets(y), sampleWeight, batchSize, List.of(), 0);
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
        return trainer.trainOnBatch(List.of(x), targets(y));
    }

    /** Loss and metrics on one batch, as Keras's {@code test_on_batch}: {@link #evaluate} over exactly this batch, silently. */
    public Map<String, Double> testOnBatch(Tensor x, Tensor y) {
        return evaluate(List.of(x), targets(y), Math.max(1, x.dim(0)), List.of(), 0);
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
}
