package dev.javelin.highlevel;

import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.metrics.Mean;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compiled loss of a model (Keras 3's {@code CompileLoss}): one loss per output, each times its
 * weight, summed, plus the layers' regularization penalties. With several outputs it also tracks
 * each output's weighted loss for the logs ({@code <output>_loss}), in variables, so a compiled step
 * updates them in its program. Resolved against the model's outputs on first use.
 */
final class CompileLoss {
    private final Model model;
    private final Loss single;
    private final PerOutput<Loss> perOutput;
    private final PerOutput<Double> weights;
    private List<String> names;
    private List<Loss> losses;
    private List<Double> lossWeights;
    private final List<Mean> trackers = new ArrayList<>();

    CompileLoss(Model model, CompileOptions o) {
        this.model = model;
        this.single = o.loss();
        this.perOutput = o.outputLosses();
        this.weights = o.lossWeights();
    }

    /** The loss of every output when one was given for all, else the first output's (for "accuracy" and saving). */
    Loss primary() {
        return single != null ? single : losses != null ? losses.get(0) : perOutput.byPosition() != null
                ? perOutput.byPosition().get(0) : perOutput.byName().values().iterator().next();
    }

    /** The loss of each output, once the number of outputs is known. */
    List<Loss> resolve(int outputs) {
        if (losses == null || losses.size() != outputs) {
            names = model.outputNames(outputs);
            losses = perOutput.resolve("losses", names, single);
            for (int i = 0; i < outputs; i++) {
                if (losses.get(i) == null) {
                    throw new IllegalArgumentException("compile: no loss for output '" + names.get(i) + "' (losses name " +
                            perOutput.byName().keySet() + ")");
                }
            }
            lossWeights = weights.resolve("lossWeights", names, 1.0);
            trackers.clear();
            if (outputs > 1) for (String n : names) trackers.add(new Mean(n + "_loss"));
        }
        return losses;
    }

    /**
     * The losses' checks of the targets' values ({@link Loss#checkTargets}), on host data before a
     * (possibly compiled) step, which cannot throw on values. A count that does not match the
     * outputs is left for the step to report.
     */
    void checkTargets(List<Tensor> targets) {
        if (model.outputNames(targets.size()).size() != targets.size()) return;
        List<Loss> ls = resolve(targets.size());
        for (int i = 0; i < targets.size(); i++) ls.get(i).checkTargets(targets.get(i));
    }

    /** The weighted sum of the outputs' losses plus every regularization penalty. */
    @SuppressWarnings("try") // the scope only needs closing
    Tensor compute(List<Tensor> targets, List<Tensor> predictions, Tensor sampleWeight) {
        if (targets.size() != predictions.size()) {
            throw new IllegalArgumentException(model.name() + ": " + predictions.size() + " outputs but " + targets.size() + " targets"
                    + (targets.isEmpty() ? " (y is null: the loss needs targets; a trainStep override may do without)" : ""));
        }
        resolve(predictions.size());
        Tensor total = null;
        for (int i = 0; i < targets.size(); i++) {
            Tensor l = losses.get(i).call(targets.get(i), predictions.get(i), sampleWeight);
            double w = lossWeights.get(i);
            if (w != 1.0) l = l.mul(w);
            if (!trackers.isEmpty()) {
                int batch = predictions.get(i).rank() == 0 ? 1 : predictions.get(i).dim(0);
                Tensor value = l;
                try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
                    trackers.get(i).update(value, batch);
                }
            }
            total = total == null ? l : total.add(l);
        }
        for (Tensor penalty : model.losses()) total = total.add(penalty);
        return total;
    }

    void reset() {
        for (Mean m : trackers) m.reset();
    }

    /** {@code <output>_loss} of each output, when there are several. */
    void addLogs(Map<String, Double> logs) {
        for (Mean m : trackers) logs.put(m.name(), m.result());
    }
}
