package dev.javelin.highlevel;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.callbacks.ProgbarLogger;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.metrics.Metrics;
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
 * of model: batching, shuffling, callbacks, running means of the loss and metrics. The step itself
 * is the model's {@link Model#trainStep} / {@link Model#testStep}.
 */
final class Trainer {
    private final Model model;
    private Optimizer optimizer;
    private Loss loss;
    private final List<Metric> metrics = new ArrayList<>();
    private boolean jitCompile;
    private CompileOptions compileOptions;
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
        loss = o.loss();
        jitCompile = o.jitCompile();
        jit = jitCompile ? new CompiledSteps(model, JitOptions.dynamicBatch()) : null;
        metrics.clear();
        for (Object m : o.metrics()) metrics.add(m instanceof Metric metric ? metric : Metrics.get((String) m, loss));
    }

    Optimizer optimizer() {
        return optimizer;
    }

    /** What {@link #compile} was given (saved with the model); null before. */
    CompileOptions compileOptions() {
        return compileOptions;
    }

    Loss loss() {
        return loss;
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

    Tensor defaultTrainStep(Batch batch) {
        List<Variable> vars = model.trainableVariables();
        List<Tensor> predictions;
        Tensor lossValue;
        GradientTape tape = GradientTape.record();
        try {
            predictions = model.callOutputs(batch.inputs(), true);
            lossValue = computeLoss(batch.targets(), predictions);
        } finally {
            tape.close(); // stop recording before the backward pass and the metric updates
        }
        optimizer.apply(vars, tape.gradient(lossValue, vars));
        updateMetrics(batch.targets(), predictions);
        return lossValue;
    }

    @SuppressWarnings("try") // the scope only needs closing
    Tensor defaultTestStep(Batch batch) {
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            List<Tensor> predictions = model.callOutputs(batch.inputs(), false);
            Tensor lossValue = computeLoss(batch.targets(), predictions);
            updateMetrics(batch.targets(), predictions);
            return lossValue;
        }
    }

    Tensor computeLoss(List<Tensor> targets, List<Tensor> predictions) {
        requireCompiled("computeLoss");
        if (targets.size() != predictions.size()) {
            throw new IllegalArgumentException(model.name() + ": " + predictions.size() + " outputs but " + targets.size() + " targets");
        }
        Tensor total = null;
        for (int i = 0; i < targets.size(); i++) {
            Tensor l = loss.call(targets.get(i), predictions.get(i));
            total = total == null ? l : total.add(l);
        }
        for (Tensor penalty : model.losses()) total = total.add(penalty);
        return total;
    }

    /**
     * Updates every metric with every output, with tensor ops on the metrics' state variables: inside
     * a compiled step these updates are part of its program.
     */
    @SuppressWarnings("try") // the scope only needs closing
    void updateMetrics(List<Tensor> targets, List<Tensor> predictions) {
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            for (Metric m : metrics) {
                for (int i = 0; i < targets.size(); i++) {
                    Tensor p = predictions.get(i);
                    try {
                        m.updateState(targets.get(i).to(Device.CPU), p.to(Device.CPU));
                    } catch (IllegalStateException e) {
                        if (!p.isSymbolic()) throw e;
                        throw new IllegalStateException("metric '" + m.name() + "' cannot run inside the compiled train step ("
                                + e.getMessage() + "): keep its state in variables (Metric.addState) and update it with tensor "
                                + "ops, or compile with jitCompile(false)", e);
                    }
                }
            }
        }
    }

    // ---- loops ------------------------------------------------------------------------------

    History fit(List<Tensor> xIn, List<Tensor> yIn, FitOptions o) {
        requireCompiled("fit");
        List<Tensor> x = HostBatches.dense(xIn, "fit x");
        List<Tensor> y = HostBatches.dense(yIn, "fit y");
        int n = rows(x, y, "fit");
        checkTargets(y);
        List<Tensor> valX = o.validationX().isEmpty() ? List.of() : HostBatches.dense(o.validationX(), "fit validation x");
        List<Tensor> valY = o.validationY().isEmpty() ? List.of() : HostBatches.dense(o.validationY(), "fit validation y");
        int trainRows = n;
        int[] all = HostBatches.identity(n);
        if (valX.isEmpty() && o.validationSplit() > 0) {
            trainRows = (int) Math.floor(n * (1 - o.validationSplit()));
            if (trainRows < 1 || trainRows == n) {
                throw new IllegalArgumentException("fit: validationSplit " + o.validationSplit() + " of " + n + " rows leaves no "
                        + (trainRows < 1 ? "training" : "validation") + " data");
            }
            valX = take(x, all, trainRows, n);
            valY = take(y, all, trainRows, n);
            x = take(x, all, 0, trainRows);
            y = take(y, all, 0, trainRows);
        } else if (!valX.isEmpty()) {
            rows(valX, valY, "fit validation data");
        }
        ensureBuilt(x, o.batchSize());
        buildOptimizer();
        int steps = (trainRows + o.batchSize() - 1) / o.batchSize();

        History history = new History();
        List<Callback> callbacks = new ArrayList<>();
        if (o.verbose() > 0) callbacks.add(new ProgbarLogger(o.verbose() == 1 ? ProgbarLogger.Mode.AUTO : ProgbarLogger.Mode.LINES));
        callbacks.addAll(o.callbacks());
        callbacks.add(history);
        Map<String, Object> params = Map.of("epochs", o.epochs(), "steps", steps, "verbose", o.verbose());
        for (Callback c : callbacks) {
            c.setModel(model);
            c.setParams(params);
        }
        stopTraining = false;
        stopAfterBatch = false;
        resumeEpoch = -1;
        Map<String, Double> logs = new LinkedHashMap<>();
        int interruptedEpoch = -1, interruptedStep = -1;
        try {
            for (Callback c : callbacks) c.onTrainBegin(logs);
            for (int epoch = resumeEpoch >= 0 ? resumeEpoch : o.initialEpoch(); epoch < o.epochs() && !stopTraining && !stopAfterBatch; epoch++) {
                for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
                int[] order = o.shuffle() ? HostBatches.permutation(trainRows, o.seed(), epoch) : HostBatches.identity(trainRows);
                RunningLogs running = new RunningLogs();
                // stopTraining is read between epochs only (its Javadoc); an interrupt stops after the current batch
                for (int step = 0; step < steps; step++) {
                    int from = step * o.batchSize();
                    int to = Math.min(trainRows, from + o.batchSize());
                    for (Callback c : callbacks) c.onTrainBatchBegin(step, new LinkedHashMap<>());
                    Tensor batchLoss = step(take(x, order, from, to), take(y, order, from, to), true);
                    running.add(batchLoss.item(), to - from);
                    Map<String, Double> batchLogs = running.logs(metrics);
                    for (Callback c : callbacks) c.onTrainBatchEnd(step, batchLogs);
                    if (Thread.currentThread().isInterrupted()) {
                        interruptedEpoch = epoch;
                        interruptedStep = step;
                        break;
                    }
                    if (stopAfterBatch) break; // the partial epoch still ends below, as in Keras
                }
                // a partial epoch (batches or its validation left): no onEpochEnd, so History does not record it as a whole one
                if (interruptedEpoch >= 0 && (interruptedStep + 1 < steps || !valX.isEmpty())) break;
                Map<String, Double> epochLogs = running.logs(metrics);
                if (!valX.isEmpty()) {
                    Map<String, Double> val;
                    try {
                        val = evaluate(valX, valY, o.batchSize(), List.of(), 0);
                    } catch (CancellationException interruptedInValidation) { // the epoch is not whole: not recorded
                        interruptedEpoch = epoch;
                        interruptedStep = steps - 1;
                        break;
                    }
                    for (Map.Entry<String, Double> e : val.entrySet()) epochLogs.put("val_" + e.getKey(), e.getValue());
                }
                for (Callback c : callbacks) c.onEpochEnd(epoch, epochLogs);
                logs = epochLogs;
                if (interruptedEpoch >= 0) break;
            }
            for (Callback c : callbacks) c.onTrainEnd(logs);
        } catch (RuntimeException | Error e) {
            closeAll(callbacks, e);
            throw e;
        }
        closeAll(callbacks, null);
        if (interruptedEpoch >= 0) { // the thread's interrupt flag stays set for the caller (an executor, a Future)
            throw new TrainingInterruptedException(history, interruptedEpoch, interruptedStep + 1, steps);
        }
        return history;
    }

    /**
     * Releases every callback's resources (CSVLogger's file), also when the loop failed: then a
     * failure to close is added to {@code failure} as suppressed; otherwise the first one is thrown.
     */
    private static void closeAll(List<Callback> callbacks, Throwable failure) {
        RuntimeException first = null;
        for (Callback c : callbacks) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (failure != null) failure.addSuppressed(e);
                else if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    Map<String, Double> evaluate(List<Tensor> xIn, List<Tensor> yIn, int batchSize, List<Callback> callbacks, int verbose) {
        requireCompiled("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException("evaluate: batchSize must be >= 1, got " + batchSize);
        List<Tensor> x = HostBatches.dense(xIn, "evaluate x");
        List<Tensor> y = HostBatches.dense(yIn, "evaluate y");
        int n = rows(x, y, "evaluate");
        checkTargets(y);
        ensureBuilt(x, batchSize);
        int[] order = HostBatches.identity(n);
        List<Callback> cbs = new ArrayList<>(callbacks);
        if (verbose > 0) cbs.add(0, new ProgbarLogger(ProgbarLogger.Mode.LINES));
        int steps = (n + batchSize - 1) / batchSize;
        for (Callback c : cbs) {
            c.setModel(model);
            c.setParams(Map.of("steps", steps, "verbose", verbose, "epochs", 1));
            c.onTestBegin(new LinkedHashMap<>());
        }
        RunningLogs running = new RunningLogs();
        for (int step = 0; step < steps; step++) {
            int from = step * batchSize;
            int to = Math.min(n, from + batchSize);
            for (Callback c : cbs) c.onTestBatchBegin(step, new LinkedHashMap<>());
            Tensor batchLoss = step(take(x, order, from, to), take(y, order, from, to), false);
            running.add(batchLoss.item(), to - from);
            Map<String, Double> logs = running.logs(metrics);
            for (Callback c : cbs) c.onTestBatchEnd(step, logs);
            stopIfInterrupted("evaluate", step + 1, steps);
        }
        Map<String, Double> logs = running.logs(metrics);
        for (Callback c : cbs) c.onTestEnd(logs);
        return logs;
    }

    @SuppressWarnings("try") // the scope only needs closing
    List<Tensor> predict(List<Tensor> xIn, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("predict: batchSize must be >= 1, got " + batchSize);
        List<Tensor> x = HostBatches.dense(xIn, "predict x");
        int n = rows(x, x, "predict");
        ensureBuilt(x, batchSize);
        int[] order = HostBatches.identity(n);
        List<List<Tensor>> parts = new ArrayList<>();
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            for (int from = 0; from < n; from += batchSize) {
                List<Tensor> batch = take(x, order, from, Math.min(n, from + batchSize));
                Batch b = new Batch(onModelDevice(batch), List.of(), null);
                List<Tensor> out = usesJit() ? jit.predict(b) : model.predictStep(b);
                for (int i = 0; i < out.size(); i++) {
                    if (parts.size() <= i) parts.add(new ArrayList<>());
                    parts.get(i).add(out.get(i).to(Device.CPU));
                }
                stopIfInterrupted("predict", from / batchSize + 1, (n + batchSize - 1) / batchSize);
            }
        }
        List<Tensor> result = new ArrayList<>();
        for (List<Tensor> p : parts) result.add(HostBatches.concat(p));
        return result;
    }

    Map<String, Double> trainOnBatch(List<Tensor> x, List<Tensor> y) {
        requireCompiled("trainOnBatch");
        List<Tensor> dx = HostBatches.dense(x, "trainOnBatch x");
        List<Tensor> dy = HostBatches.dense(y, "trainOnBatch y");
        rows(dx, dy, "trainOnBatch");
        checkTargets(dy);
        ensureBuilt(dx, dx.get(0).dim(0));
        buildOptimizer();
        RunningLogs running = new RunningLogs();
        running.add(step(dx, dy, true).item(), dx.get(0).dim(0));
        return running.logs(metrics);
    }

    /** Compilations of the jitted steps so far; 0 when running eagerly. */
    long jitCompilations() {
        return jit == null ? 0 : jit.compilations();
    }

    /** One train or test step: the model's own step, compiled when {@code jitCompile} is on, else run op by op. */
    private Tensor step(List<Tensor> xHost, List<Tensor> yHost, boolean training) {
        Batch b = new Batch(onModelDevice(xHost), onModelDevice(yHost), null);
        if (usesJit()) return training ? jit.train(b) : jit.test(b);
        return training ? model.trainStep(b) : model.testStep(b);
    }

    /** Compiled steps on the CPU; on another device the steps run op by op on its backend. */
    private boolean usesJit() {
        return jit != null && model.device().equals(Device.CPU);
    }

    private List<Tensor> onModelDevice(List<Tensor> ts) {
        Device d = model.device();
        if (d.equals(Device.CPU)) return ts;
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(t.to(d));
        return out;
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

    private void ensureBuilt(List<Tensor> x, int batchSize) {
        if (!model.isBuilt()) {
            List<Shape> shapes = new ArrayList<>();
            for (Tensor t : x) shapes.add(t.shape().with(0, Math.max(1, Math.min(batchSize, t.dim(0)))));
            model.ensureBuilt(shapes);
        }
        model.placeWeights();
    }

    /**
     * {@code evaluate} and {@code predict} stop after the current batch when their thread is
     * interrupted ({@code Future.cancel(true)}): a {@link CancellationException} caused by an
     * {@link InterruptedException}, the interrupt flag left set.
     */
    private static void stopIfInterrupted(String what, int batchesDone, int batches) {
        if (batchesDone < batches && Thread.currentThread().isInterrupted()) {
            CancellationException e = new CancellationException(what + ": interrupted after " + batchesDone + " of " + batches + " batches");
            e.initCause(new InterruptedException(what + " interrupted"));
            throw e;
        }
    }

    /** The loss's check of the targets' values, on the host data before any (possibly compiled) step. */
    private void checkTargets(List<Tensor> targets) {
        for (Tensor t : targets) loss.checkTargets(t);
    }

    private static List<Tensor> take(List<Tensor> ts, int[] idx, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(HostBatches.rows(t, idx, from, to));
        return out;
    }

    private static int rows(List<Tensor> x, List<Tensor> y, String what) {
        if (x.isEmpty()) throw new IllegalArgumentException(what + ": no inputs");
        int n = x.get(0).dim(0);
        for (Tensor t : x) requireRows(what, t, n);
        for (Tensor t : y) requireRows(what, t, n);
        if (n == 0) throw new IllegalArgumentException(what + ": the data has no rows");
        return n;
    }

    private static void requireRows(String what, Tensor t, int n) {
        if (t.dim(0) != n) {
            throw new IllegalArgumentException(what + ": every input and target needs the same number of rows (first dimension); got "
                    + n + " and " + t.shape());
        }
    }

    /** The running mean of the loss (weighted by batch size) and the metrics' current results. */
    private final class RunningLogs {
        private double lossSum;
        private long count;

        RunningLogs() {
            for (Metric m : metrics) m.reset();
        }

        void add(double batchLoss, int rows) {
            lossSum += batchLoss * rows;
            count += rows;
        }

        Map<String, Double> logs(List<Metric> ms) {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", count == 0 ? Double.NaN : lossSum / count);
            for (Metric m : ms) logs.put(m.name(), m.result());
            return logs;
        }
    }
}
