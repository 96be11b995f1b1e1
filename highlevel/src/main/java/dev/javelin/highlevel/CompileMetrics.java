package dev.javelin.highlevel;

import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.metrics.Metrics;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compiled metrics of a model (Keras 3's {@code CompileMetrics}): the metrics of every output
 * and those of particular outputs, resolved against the model's outputs on first use, and the
 * weighted metrics, the only ones that see sample (and class) weights, as in Keras. With one output a
 * metric logs under its own name; with several, as {@code <output>_<name>}; a weighted metric whose
 * name a plain one has logs as {@code weighted_<name>}.
 */
final class CompileMetrics {
    private final Model model;
    private final List<Object> everyOutput;
    private final PerOutput<List<Object>> perOutput;
    private final List<Object> weighted;
    private List<String> names;
    private final List<List<Entry>> byOutput = new ArrayList<>();

    /** A metric of one output, whether it takes the sample weights, and the name it logs under (before the output's). */
    private record Entry(Metric metric, boolean weighted, String logName) {}

    CompileMetrics(Model model, CompileOptions o) {
        this.model = model;
        this.everyOutput = o.metrics();
        this.perOutput = o.outputMetrics();
        this.weighted = o.weightedMetrics();
    }

    /** Creates the metrics of each output; "accuracy" is resolved against that output's loss. */
    private void resolve(List<Loss> losses) {
        if (names != null && names.size() == losses.size()) return;
        names = model.outputNames(losses.size());
        List<List<Object>> specific = perOutput.resolve("outputMetrics", names, List.of());
        byOutput.clear();
        for (int i = 0; i < names.size(); i++) {
            List<Entry> ms = new ArrayList<>();
            List<Object> all = new ArrayList<>(everyOutput);
            all.addAll(specific.get(i));
            java.util.Set<String> plain = new java.util.HashSet<>();
            for (Object spec : all) {
                Metric m = metric(spec, losses.get(i), everyOutput.contains(spec));
                plain.add(m.name());
                ms.add(new Entry(m, false, m.name()));
            }
            for (Object spec : weighted) {
                Metric m = metric(spec, losses.get(i), true);
                ms.add(new Entry(m, true, plain.contains(m.name()) ? "weighted_" + m.name() : m.name()));
            }
            byOutput.add(ms);
        }
    }

    private Metric metric(Object spec, Loss loss, boolean everyOutput) {
        if (!(spec instanceof Metric m)) return Metrics.get((String) spec, loss);
        if (names.size() > 1 && everyOutput) {
            throw new IllegalArgumentException("compile: metric instance '" + m.name() + "' cannot track all "
                    + names.size() + " outputs " + names + "; give it by name or per output (outputMetrics)");
        }
        return m;
    }

    /**
     * Updates every metric of every output, with tensor ops on the metrics' state variables: inside
     * a compiled step these updates are part of its program.
     */
    @SuppressWarnings("try") // the scope only needs closing
    void update(List<Loss> losses, List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        resolve(losses);
        try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
            for (int i = 0; i < targets.size(); i++) {
                // op by op the metrics run on the host; a compiled step updates them where the model runs,
                // so their state moves there (before the trace reads it) and nothing leaves the program
                Device home = predictions.get(i).isSymbolic() ? predictions.get(i).device() : Device.CPU;
                for (Entry entry : byOutput.get(i)) {
                    Metric m = entry.metric();
                    placeOn(m, home);
                    Tensor t = targets.get(i).to(home), p = predictions.get(i).to(home);
                    Tensor w = sampleWeight == null || !entry.weighted() ? null : sampleWeight.to(home);
                    try {
                        m.updateState(t, p, w);
                    } catch (IllegalStateException e) {
                        if (!p.isSymbolic()) throw e;
                        throw new IllegalStateException("metric '" + m.name() + "' cannot run inside the compiled step ("
                                + e.getMessage() + "): keep its state in variables (Metric.addState) and update it with tensor "
                                + "ops, or compile with jitCompile(false)", e);
                    }
                }
            }
        }
    }

    /** Every metric's state variables, in a fixed order (outputs, then metrics, then each metric's states). */
    List<dev.javelin.tensor.Variable> stateVariables() {
        List<dev.javelin.tensor.Variable> all = new ArrayList<>();
        for (List<Entry> ms : byOutput) for (Entry e : ms) all.addAll(e.metric().variables());
        return all;
    }

    private static void placeOn(Metric m, Device device) {
        for (dev.javelin.tensor.Variable v : m.variables()) if (!v.device().equals(device)) v.store(v.stored().to(device));
    }

    void reset() {
        for (List<Entry> ms : byOutput) for (Entry e : ms) e.metric().reset();
    }

    /** Each metric's result, keyed as in History. */
    void addLogs(Map<String, Double> logs) {
        for (int i = 0; i < byOutput.size(); i++) {
            for (Entry e : byOutput.get(i)) logs.put(byOutput.size() > 1 ? names.get(i) + "_" + e.logName() : e.logName(), e.metric().result());
        }
    }
}
