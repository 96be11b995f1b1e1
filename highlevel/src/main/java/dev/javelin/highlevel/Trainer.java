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
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private JitSteps jit;
    volatile boolean stopTraining;

    Trainer(Model model) {
        this.model = model;
    }

    void compile(CompileOptions o) {
        compileOptions = o;
        optimizer = o.optimizer();
        loss = o.loss();
        jitCompile = o.jitCompile();
        jit = jitCompile ? new JitSteps(model, this) : null;
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

    Tensor defaultTrainStep(List<Tensor> x, List<Tensor> y) {
        List<Variable> vars = model.trainableVariables();
        List<Tensor> predictions;
        Tensor lossValue;
        GradientTape tape = GradientTape.record();
        try {
            predictions = model.callOutputs(x, true);
            lossValue = computeLoss(y, predictions);
        } finally {
            tape.close(); // stop recording before the backward pass and the metric updates
        }
        optimizer.apply(vars, tape.gradient(lossValue, vars));
        updateMetrics(y, predictions);
        return lossValue;
    }

    @SuppressWarnings("try") // the scope only needs closing
    Tensor defaultTestStep(List<Tensor> x, List<Tensor> y) {
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            List<Tensor> predictions = model.callOutputs(x, false);
            Tensor lossValue = computeLoss(y, predictions);
            updateMetrics(y, predictions);
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

    @SuppressWarnings("try") // the scope only needs closing
    void updateMetrics(List<Tensor> targets, List<Tensor> predictions) {
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            for (Metric m : metrics) {
                for (int i = 0; i < targets.size(); i++) m.updateState(targets.get(i).to(Device.CPU), predictions.get(i).to(Device.CPU));
            }
        }
    }

    // ---- loops ------------------------------------------------------------------------------

    History fit(List<Tensor> xIn, List<Tensor> yIn, FitOptions o) {
        requireCompiled("fit");
        List<Tensor> x = HostBatches.dense(xIn, "fit x");
        List<Tensor> y = HostBatches.dense(yIn, "fit y");
        int n = rows(x, y, "fit");
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
        Map<String, Double> logs = new LinkedHashMap<>();
        for (Callback c : callbacks) c.onTrainBegin(logs);
        for (int epoch = o.initialEpoch(); epoch < o.epochs() && !stopTraining; epoch++) {
            for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
            int[] order = o.shuffle() ? HostBatches.permutation(trainRows, o.seed(), epoch) : HostBatches.identity(trainRows);
            RunningLogs running = new RunningLogs();
            for (int step = 0; step < steps && !stopTraining; step++) {
                int from = step * o.batchSize();
                int to = Math.min(trainRows, from + o.batchSize());
                for (Callback c : callbacks) c.onTrainBatchBegin(step, new LinkedHashMap<>());
                Tensor batchLoss = step(take(x, order, from, to), take(y, order, from, to), true);
                running.add(batchLoss.item(), to - from);
                Map<String, Double> batchLogs = running.logs(metrics);
                for (Callback c : callbacks) c.onTrainBatchEnd(step, batchLogs);
            }
            Map<String, Double> epochLogs = running.logs(metrics);
            if (!valX.isEmpty()) {
                Map<String, Double> val = evaluate(valX, valY, o.batchSize(), List.of(), 0);
                for (Map.Entry<String, Double> e : val.entrySet()) epochLogs.put("val_" + e.getKey(), e.getValue());
            }
            for (Callback c : callbacks) c.onEpochEnd(epoch, epochLogs);
            logs = epochLogs;
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    Map<String, Double> evaluate(List<Tensor> xIn, List<Tensor> yIn, int batchSize, List<Callback> callbacks, int verbose) {
        requireCompiled("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException("evaluate: batchSize must be >= 1, got " + batchSize);
        List<Tensor> x = HostBatches.dense(xIn, "evaluate x");
        List<Tensor> y = HostBatches.dense(yIn, "evaluate y");
        int n = rows(x, y, "evaluate");
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
                List<Tensor> out = usesJit() ? List.of(jit.predict(batch)) : model.callOutputs(onModelDevice(batch), false);
                for (int i = 0; i < out.size(); i++) {
                    if (parts.size() <= i) parts.add(new ArrayList<>());
                    parts.get(i).add(out.get(i).to(Device.CPU));
                }
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
        ensureBuilt(dx, dx.get(0).dim(0));
        RunningLogs running = new RunningLogs();
        running.add(step(dx, dy, true).item(), dx.get(0).dim(0));
        return running.logs(metrics);
    }

    /** Compilations of the jitted steps so far; 0 when running eagerly. */
    long jitCompilations() {
        return jit == null ? 0 : jit.compilations();
    }

    /**
     * One train or test step: compiled when {@code jitCompile} is on and the model keeps the
     * default steps, else through the model's overridable methods, eagerly.
     */
    private Tensor step(List<Tensor> xHost, List<Tensor> yHost, boolean training) {
        List<Tensor> x = onModelDevice(xHost), y = onModelDevice(yHost);
        if (usesJit() && !overridesSteps()) {
            Tensor[] out = training ? jit.train(x, y) : jit.test(x, y);
            updateMetrics(y, List.of(out).subList(1, out.length));
            return out[0];
        }
        if (x.size() == 1 && y.size() == 1) {
            Batch b = new Batch(x.get(0), y.get(0));
            return training ? model.trainStep(b) : model.testStep(b);
        }
        return training ? defaultTrainStep(x, y) : defaultTestStep(x, y);
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

    /** A model that overrides trainStep or testStep runs them as written (eagerly): they may do anything. */
    private boolean overridesSteps() {
        try {
            return model.getClass().getMethod("trainStep", Batch.class).getDeclaringClass() != Model.class
                    || model.getClass().getMethod("testStep", Batch.class).getDeclaringClass() != Model.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ensureBuilt(List<Tensor> x, int batchSize) {
        if (!model.isBuilt()) {
            List<Shape> shapes = new ArrayList<>();
            for (Tensor t : x) shapes.add(t.shape().with(0, Math.max(1, Math.min(batchSize, t.dim(0)))));
            model.ensureBuilt(shapes);
        }
        model.placeWeights();
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
