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
 * and those of particular outputs, resolved against the model's outputs on first use. With one
 * output a metric logs under its own name; with several, as {@code <output>_<name>}.
 */
final class CompileMetrics {
    private final Model model;
    private final List<Object> everyOutput;
    private final PerOutput<List<Object>> perOutput;
    private List<String> names;
    private final List<List<Metric>> byOutput = new ArrayList<>();

    CompileMetrics(Model model, CompileOptions o) {
        this.model = model;
        this.everyOutput = o.metrics();
        this.perOutput = o.outputMetrics();
    }

    /** Creates the metrics of each output; "accuracy" is resolved against that output's loss. */
    private void resolve(List<Loss> losses) {
        if (names != null && names.size() == losses.size()) return;
        names = model.outputNames(losses.size());
        List<List<Object>> specific = perOutput.resolve("outputMetrics", names, List.of());
        byOutput.clear();
        for (int i = 0; i < names.size(); i++) {
            List<Metric> ms = new ArrayList<>();
            List<Object> all = new ArrayList<>(everyOutput);
            all.addAll(specific.get(i));
            for (Object spec : all) {
                if (spec instanceof Metric m) {
                    if (names.size() > 1 && everyOutput.contains(m)) {
                        throw new IllegalArgumentException("compile: metric instance '" + m.name() + "' cannot track all "
                                + names.size() + " outputs " + names + "; give it by name or per output (outputMetrics)");
                    }
                    ms.add(m);
                } else {
                    ms.add(Metrics.get((String) spec, losses.get(i)));
                }
            }
            byOutput.add(ms);
        }
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
                for (Metric m : byOutput.get(i)) {
                    placeOn(m, home);
                    Tensor t = targets.get(i).to(home), p = predictions.get(i).to(home);
                    Tensor w = sampleWeight == null ? null : sampleWeight.to(home);
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
        for (List<Metric> ms : byOutput) for (Metric m : ms) all.addAll(m.variables());
        return all;
    }

    private static void placeOn(Metric m, Device device) {
        for (dev.javelin.tensor.Variable v : m.variables()) if (!v.device().equals(device)) v.store(v.stored().to(device));
    }

    void reset() {
        for (List<Metric> ms : byOutput) for (Metric m : ms) m.reset();
    }

    /** Each metric's result, keyed as in History. */
    void addLogs(Map<String, Double> logs) {
        for (int i = 0; i < byOutput.size(); i++) {
            for (Metric m : byOutput.get(i)) logs.put(byOutput.size() > 1 ? names.get(i) + "_" + m.name() : m.name(), m.result());
        }
    }
}
