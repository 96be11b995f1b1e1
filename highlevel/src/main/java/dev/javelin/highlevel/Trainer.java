package dev.javelin.highlevel;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.callbacks.ProgbarLogger;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.jit.JitOptions;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The loops behind {@code fit}, {@code evaluate} and {@code predict}, written once for every kind
 * of model and every kind of data ({@link BatchSource}): callbacks, running means of the loss and
 * metrics, validation. The step itself is the model's {@link Model#trainStep} / {@link Model#testStep}
 * / {@link Model#predictStep}, compiled by the JIT ({@link CompiledSteps}) or run op by op.
 */
final class Trainer {
    private final Model model;
    private Optimizer optimizer;
    private CompileLoss loss;
    private CompileMetrics metrics;
    private boolean jitCompile;
    private CompileOptions compileOptions;
    private boolean nanCheck;
    private CompiledSteps jit;
    volatile boolean stopTraining;
    /** Set by {@link Model#stopTrainingAfterBatch}: read after every batch. */
    volatile boolean stopAfterBatch;
    /** Set by {@link Model#resumeAtEpoch} in a callback's onTrainBegin; -1 for the fit's own initial epoch. */
    int resumeEpoch = -1;

    Trainer(Model model) {
        this.model = model;
    }

    void compile(CompileOptions o) {
        compileOptions = o;
        optimizer = o.optimizer();
        loss = new CompileLoss(model, o);
        metrics = new CompileMetrics(model, o);
        jitCompile = o.jitCompile();
        nanCheck = o.nanCheck();
        JitOptions options = nanCheck ? JitOptions.dynamicBatch().withNanCheck() : JitOptions.dynamicBatch();
        jit = jitCompile ? new CompiledSteps(model, options) : null;
    }

    Optimizer optimizer() {
        return optimizer;
    }

    /** Gives back the device memory of the compiled steps, the optimizer's state and the metrics' state ({@link Model#release}). */
    void release() {
        if (jit != null) jit.release();
        if (optimizer != null) for (Variable v : optimizer.variables()) v.release();
        if (metrics != null) for (Variable v : metrics.stateVariables()) v.release();
    }

    /** What {@link #compile} was given (saved with the model); null before. */
    CompileOptions compileOptions() {
        return compileOptions;
    }

    Loss loss() {
        return loss == null ? null : loss.primary();
    }

    boolean jitCompile() {
        return jitCompile;
    }

    private void requireCompiled(String what) {
        if (optimizer == null || loss == null) {
            throw new IllegalStateException(model.name() + "." + what + ": call compile(optimizer, loss, metrics...) first");
        }
    }

    // ---- steps ------------------------------------------------------------------------------

    /** Keras's {@code train_step}: the model's {@link Model#gradientStep}, then the optimizer's update. */
    Tensor defaultTrainStep(Batch batch) {
        StepGradients g = model.gradientStep(batch);
        optimizer.apply(model.trainableVariables(), g.gradients());
        return g.loss();
    }

    /** Forward under a tape, loss, gradients, metric updates: everything of a train step but the update. */
    StepGradients defaultGradientStep(Batch batch) {
        List<Variable> vars = model.trainableVariables();
        List<Tensor> predictions;
        Tensor lossValue;
        GradientTape tape = GradientTape.record();
        try {
            predictions = model.callOutputs(batch.inputs(), true);
            lossValue = computeLoss(batch.targets(), predictions, batch.sampleWeight());
        } finally {
            tape.close(); // stop recording before the backward pass and the metric updates
        }
        List<Tensor> gradients = tape.gradient(lossValue, vars);
        updateMetrics(batch.targets(), predictions, batch.sampleWeight());
        return new StepGradients(lossValue, gradients);
    }

    @SuppressWarnings("try") // the scope only needs closing
    Tensor defaultTestStep(Batch batch) {
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            List<Tensor> predictions = model.callOutputs(batch.inputs(), false);
            Tensor lossValue = computeLoss(batch.targets(), predictions, batch.sampleWeight());
            updateMetrics(batch.targets(), predictions, batch.sampleWeight());
            return lossValue;
        }
    }

    Tensor computeLoss(List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        requireCompiled("computeLoss");
        return loss.compute(targets, predictions, sampleWeight);
    }

    void updateMetrics(List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        requireCompiled("updateMetrics");
        metrics.update(loss.resolve(predictions.size()), targets, predictions, sampleWeight);
    }

    /** One train or test step: the model's own step, compiled when {@code jitCompile} is on, else run op by op. */
    @SuppressWarnings("try") // the scope only needs closing
    private Tensor step(Batch host, boolean training) {
        loss.checkTargets(host.targets()); // a dataset's batches are seen only here; tensors were checked whole before the loop
        Batch b = onModelDevice(host);
        if (usesJit()) {
            try {
                return training ? jit.train(b) : jit.test(b);
            } catch (RuntimeException e) {
                throw explained(b, e);
            }
        }
        try (Dispatch.Scope check = nanCheck ? EagerNanCheck.watch() : null) {
            return training ? model.trainStep(b) : model.testStep(b);
        }
    }

    /**
     * A compiled step failed: an error in the user's data (a label out of range) shows inside the
     * program as an index error of some op. Rerunning the forward pass and the loss op by op, where
     * the losses check their targets, names the loss and the labels instead.
     */
    @SuppressWarnings("try") // the scope only needs closing
    private RuntimeException explained(Batch b, RuntimeException failure) {
        if (failure instanceof ArithmeticException) return failure; // the NaN check names its op already
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            List<Tensor> predictions = model.callOutputs(b.inputs(), false);
            for (int i = 0; i < Math.min(predictions.size(), b.targets().size()); i++) {
                loss.resolve(predictions.size()).get(i).call(b.targets().get(i), predictions.get(i), b.sampleWeight());
            }
        } catch (IllegalArgumentException clearer) {
            clearer.addSuppressed(failure);
            return clearer;
        } catch (RuntimeException other) {
            failure.addSuppressed(other);
        }
        return failure;
    }

    /** Compiled steps, on the CPU or a CUDA device (the same plan, its kernels rendered as PTX there). */
    private boolean usesJit() {
        return jit != null;
    }

    private Batch onModelDevice(Batch b) {
        Device d = model.device();
        if (d.equals(Device.CPU)) return b;
        return new Batch(to(b.inputs(), d), to(b.targets(), d), b.sampleWeight() == null ? null : b.sampleWeight().to(d));
    }

    private static List<Tensor> to(List<Tensor> ts, Device d) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.to(d));
        return out;
    }

    /** Compilations of the jitted steps so far; 0 when running eagerly. */
    long jitCompilations() {
        return jit == null ? 0 : jit.compilations();
    }

    // ---- loops ------------------------------------------------------------------------------

    /** Tensors: the training rows, and validation from {@code validationSplit} or validation tensors. */
    History fit(List<Tensor> x, List<Tensor> y, FitOptions o) {
        requireCompiled("fit");
        Long shuffle = o.shuffle() ? o.seed() : null;
        TensorBatches train = new TensorBatches("fit", x, y, o.sampleWeight(), o.classWeight(), o.batchSize(), shuffle);
        loss.checkTargets(train.targets());
        BatchSource validation = null;
        if (!o.validationX().isEmpty()) {
            TensorBatches v = new TensorBatches("fit validation data", o.validationX(), o.validationY(), null, null, o.batchSize(), null);
            loss.checkTargets(v.targets());
            validation = v;
        } else if (o.validationSplit() > 0) {
            int n = train.rows();
            int trainRows = (int) Math.floor(n * (1 - o.validationSplit()));
            if (trainRows < 1 || trainRows == n) {
                throw new IllegalArgumentException("fit: validationSplit " + o.validationSplit() + " of " + n + " rows leaves no "
                        + (trainRows < 1 ? "training" : "validation") + " data");
            }
            validation = train.slice("fit validation data", trainRows, n, null, false);
            train = train.slice("fit", 0, trainRows, shuffle, true);
        }
        if (o.validationDataset() != null) validation = BatchSource.of(o.validationDataset(), null, o.validationSteps());
        return fit(train, validation, o);
    }

    /** A dataset or an iterator of batches (with {@code o.stepsPerEpoch()}), validation from {@code o.validationDataset()}. */
    History fit(BatchSource train, FitOptions o) {
        requireCompiled("fit");
        if (o.sampleWeight() != null) {
            throw new IllegalArgumentException("fit: sampleWeight goes with tensors; a dataset's batches carry their own (Batch.sampleWeight)");
        }
        if (!o.validationX().isEmpty() || o.validationSplit() > 0) {
            throw new IllegalArgumentException("fit: with a dataset, give validation as a dataset (FitOptions.validationData(Dataset))");
        }
        BatchSource validation = o.validationDataset() == null ? null : BatchSource.of(o.validationDataset(), null, o.validationSteps());
        return fit(train, validation, o);
    }

    private History fit(BatchSource train, BatchSource validation, FitOptions o) {
        int steps = train.steps();
        History history = new History();
        List<Callback> all = new ArrayList<>();
        if (o.verbose() > 0) all.add(new ProgbarLogger(o.verbose() == 1 ? ProgbarLogger.Mode.AUTO : ProgbarLogger.Mode.LINES));
        all.addAll(o.callbacks());
        all.add(history);
        CallbackList callbacks = new CallbackList(all, model, Map.of("epochs", o.epochs(), "steps", steps, "verbose", o.verbose()));
        stopTraining = false;
        stopAfterBatch = false;
        resumeEpoch = -1;
        boolean prepared = false;
        Map<String, Double> logs = new LinkedHashMap<>();
        int interruptedEpoch = -1, interruptedStep = -1;
        try {
            callbacks.onTrainBegin(logs);
            for (int epoch = resumeEpoch >= 0 ? resumeEpoch : o.initialEpoch(); epoch < o.epochs() && !stopTraining && !stopAfterBatch; epoch++) {
                callbacks.onEpochBegin(epoch);
                RunningLogs running = new RunningLogs(loss, metrics);
                int step = 0;
                boolean fullEpoch = true;
                // stopTraining is read between epochs only (its Javadoc); an interrupt stops after the current batch
                try (EpochBatches batches = new EpochBatches(train, epoch)) {
                    while (batches.hasNext()) {
                        Batch b = batches.next();
                        if (!prepared) {
                            prepare(b, true);
                            prepared = true;
                        }
                        callbacks.onTrainBatchBegin(step);
                        running.add(step(b, true).item(), b.size());
                        callbacks.onTrainBatchEnd(step, running.logs());
                        step++;
                        if (Thread.currentThread().isInterrupted()) break;
                        if (stopAfterBatch) break; // the partial epoch still ends below, as in Keras
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        interruptedEpoch = epoch;
                        interruptedStep = step - 1;
                        fullEpoch = steps > 0 && step >= steps;
                    }
                }
                if (step == 0 && interruptedEpoch < 0) {
                    // an iterator that ran dry: Keras stops training here
                    System.err.println("[javelin] " + model.name() + ".fit: the data ran out at epoch " + epoch + "; stopping");
                    break;
                }
                // a partial epoch (batches or its validation left): no onEpochEnd, so History does not record it as a whole one
                if (interruptedEpoch >= 0 && (!fullEpoch || validation != null)) break;
                Map<String, Double> epochLogs = running.logs();
                if (validation != null) {
                    Map<String, Double> val;
                    try {
                        val = evaluate(validation, List.of(), 0);
                    } catch (CancellationException interruptedInValidation) { // the epoch is not whole: not recorded
                        interruptedEpoch = epoch;
                        interruptedStep = step - 1;
                        break;
                    }
                    for (Map.Entry<String, Double> e : val.entrySet()) epochLogs.put("val_" + e.getKey(), e.getValue());
                }
                callbacks.onEpochEnd(epoch, epochLogs);
                logs = epochLogs;
                if (interruptedEpoch >= 0) break;
            }
            callbacks.onTrainEnd(logs);
        } catch (RuntimeException | Error e) {
            callbacks.closeAll(e);
            throw e;
        }
        callbacks.closeAll(null);
        if (interruptedEpoch >= 0) { // the thread's interrupt flag stays set for the caller (an executor, a Future)
            throw new TrainingInterruptedException(history, interruptedEpoch, interruptedStep + 1, steps);
        }
        return history;
    }

    Map<String, Double> evaluate(List<Tensor> x, List<Tensor> y, Tensor sampleWeight, int batchSize, List<Callback> callbacks,
                                 int verbose) {
        requireCompiled("evaluate");
        TensorBatches data = new TensorBatches("evaluate", x, y, sampleWeight, null, batchSize, null);
        loss.checkTargets(data.targets());
        return evaluate(data, callbacks, verbose);
    }

    Map<String, Double> evaluate(BatchSource data, List<Callback> callbacks, int verbose) {
        requireCompiled("evaluate");
        List<Callback> all = new ArrayList<>(callbacks);
        if (verbose > 0) all.add(0, new ProgbarLogger(ProgbarLogger.Mode.LINES));
        CallbackList cbs = new CallbackList(all, model, Map.of("steps", data.steps(), "verbose", verbose, "epochs", 1));
        cbs.onTestBegin();
        RunningLogs running = new RunningLogs(loss, metrics);
        int step = 0;
        try (EpochBatches batches = new EpochBatches(data, 0)) {
            while (batches.hasNext()) {
                Batch b = batches.next();
                prepare(b, false);
                cbs.onTestBatchBegin(step);
                running.add(step(b, false).item(), b.size());
                cbs.onTestBatchEnd(step, running.logs());
                step++;
                stopIfInterrupted("evaluate", step, data.steps());
            }
            stopIfInterrupted("evaluate", step, data.steps() < 0 ? step + 1 : data.steps()); // an interrupt that ended the reading
        }
        Map<String, Double> logs = running.logs();
        cbs.onTestEnd(logs);
        return logs;
    }

    List<Tensor> predict(List<Tensor> x, int batchSize) {
        return predict(new TensorBatches("predict", x, List.of(), null, null, batchSize, null));
    }

    @SuppressWarnings("try") // the scope only needs closing
    List<Tensor> predict(BatchSource data) {
        List<List<Tensor>> parts = new ArrayList<>();
        int done = 0;
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers(); EpochBatches batches = new EpochBatches(data, 0)) {
            while (batches.hasNext()) {
                Batch host = batches.next();
                prepare(host, false);
                Batch b = onModelDevice(new Batch(host.inputs(), List.of(), null));
                List<Tensor> out = usesJit() ? jit.predict(b) : model.predictStep(b);
                for (int i = 0; i < out.size(); i++) {
                    if (parts.size() <= i) parts.add(new ArrayList<>());
                    parts.get(i).add(out.get(i).to(Device.CPU));
                }
                done++;
                stopIfInterrupted("predict", done, data.steps());
            }
            stopIfInterrupted("predict", done, data.steps() < 0 ? done + 1 : data.steps()); // an interrupt that ended the reading
        }
        if (parts.isEmpty()) throw new IllegalArgumentException("predict: the data has no batches");
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) result.add(HostBatches.concat(parts.get(i), i));
        return result;
    }

    /** {@link Model#computeGradients}: the model's gradient step on one batch, compiled as {@code fit}'s steps are. */
    @SuppressWarnings("try") // the scope only needs closing
    StepGradients computeGradients(Batch host) {
        requireCompiled("computeGradients");
        loss.checkTargets(host.targets());
        prepare(host, true);
        Batch b = onModelDevice(host);
        if (usesJit()) {
            try {
                return jit.gradients(b);
            } catch (RuntimeException e) {
                throw explained(b, e);
            }
        }
        try (Dispatch.Scope check = nanCheck ? EagerNanCheck.watch() : null) {
            return model.gradientStep(b);
        }
    }

    /** {@link Model#applyGradients}: the optimizer's update of the trainable variables, compiled as {@code fit}'s steps are. */
    void applyGradients(List<Tensor> gradients) {
        requireCompiled("applyGradients");
        List<Variable> vars = model.trainableVariables();
        if (gradients.size() != vars.size()) {
            throw new IllegalArgumentException(model.name() + ".applyGradients: " + gradients.size() + " gradients for "
                    + vars.size() + " trainable variables");
        }
        buildOptimizer();
        List<Tensor> onDevice = new ArrayList<>(gradients.size());
        for (Tensor g : gradients) onDevice.add(g == null ? null : g.to(model.device()));
        if (usesJit()) jit.apply(onDevice);
        else optimizer.apply(vars, onDevice);
    }

    List<Variable> metricVariables() {
        requireCompiled("metricVariables");
        return metrics.stateVariables();
    }

    Map<String, Double> metricResults() {
        requireCompiled("metricResults");
        Map<String, Double> logs = new LinkedHashMap<>();
        metrics.addLogs(logs);
        return logs;
    }

    void resetMetrics() {
        requireCompiled("resetMetrics");
        loss.reset();
        metrics.reset();
    }

    Map<String, Double> trainOnBatch(List<Tensor> x, List<Tensor> y) {
        requireCompiled("trainOnBatch");
        TensorBatches one = new TensorBatches("trainOnBatch", x, y, null, null,
                x.isEmpty() || x.get(0).rank() == 0 ? 1 : Math.max(1, x.get(0).dim(0)), null);
        loss.checkTargets(one.targets());
        Batch b = one.epoch(0).next();
        prepare(b, true);
        RunningLogs running = new RunningLogs(loss, metrics);
        running.add(step(b, true).item(), b.size());
        return running.logs();
    }

    /**
     * {@code evaluate} and {@code predict} stop after the current batch when their thread is
     * interrupted ({@code Future.cancel(true)}): a {@link CancellationException} caused by an
     * {@link InterruptedException}, the interrupt flag left set. {@code batches} is -1 when unknown.
     */
    private static void stopIfInterrupted(String what, int batchesDone, int batches) {
        if ((batches < 0 || batchesDone < batches) && Thread.currentThread().isInterrupted()) {
            CancellationException e = new CancellationException(what + ": interrupted after " + batchesDone + " of "
                    + (batches < 0 ? "an unknown number of" : String.valueOf(batches)) + " batches");
            e.initCause(new InterruptedException(what + " interrupted"));
            throw e;
        }
    }

    /** Builds the model from the batch's shapes if it is not built, places its weights, and (to train) builds the optimizer. */
    private void prepare(Batch b, boolean training) {
        if (!model.isBuilt()) {
            List<Shape> shapes = new ArrayList<>();
            for (Tensor t : b.inputs()) shapes.add(t.shape().with(0, Math.max(1, t.dim(0))));
            model.ensureBuilt(shapes);
        }
        model.placeWeights();
        if (training) buildOptimizer();
    }

    /**
     * Slots for every variable that may ever train (trainable variables of frozen layers too), so
     * that freezing or unfreezing a layer after the first step needs no new optimizer state.
     */
    private void buildOptimizer() {
        List<Variable> all = new ArrayList<>();
        for (Variable v : model.weights()) if (v.trainable()) all.add(v);
        optimizer.buildFor(all);
    }
}
