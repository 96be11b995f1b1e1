package dev.javelin.highlevel.losses;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Cross-entropy with integer class labels {@code [batch]} (or {@code [batch, 1]}) against
 * predictions {@code [batch, classes]}: {@code logsumexp(x) - x[label]} from logits; from
 * probabilities {@code -log(p[label])} with {@code p} renormalized and clipped to [1e-7, 1 - 1e-7]
 * as Keras does. Float labels holding whole numbers are accepted, as Keras accepts them.
 *
 * <pre>{@code
 * Loss l = new SparseCategoricalCrossentropy();         // after a softmax layer
 * Loss fromLogits = new SparseCategoricalCrossentropy(true);
 * }</pre>
 */
public final class SparseCategoricalCrossentropy extends PerExampleLoss {
    private final boolean fromLogits;

    /** From probabilities (a softmax output), as Keras's default. */
    public SparseCategoricalCrossentropy() {
        this(false);
    }

    /** From logits when {@code fromLogits}, else from probabilities. */
    public SparseCategoricalCrossentropy(boolean fromLogits) {
        super("sparse_categorical_crossentropy");
        this.fromLogits = fromLogits;
    }

    /** True when predictions are logits. */
    public boolean fromLogits() {
        return fromLogits;
    }

    @Override
    protected Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor labels = yTrue;
        if (labels.rank() == yPred.rank() && labels.rank() > 0 && labels.dim(-1) == 1) labels = labels.squeeze(-1);
        if (labels.rank() != yPred.rank() - 1 || !yPred.shape().sub(0, labels.rank()).equals(labels.shape())) {
            throw new IllegalArgumentException("SparseCategoricalCrossentropy: labels " + yTrue.dtype() + yTrue.shape()
                    + " and predictions " + yPred.dtype() + yPred.shape()
                    + ": expected labels [batch] (or [batch, 1]) and predictions [batch, classes]");
        }
        if (labels.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("SparseCategoricalCrossentropy: labels must be integers, got bool" + labels.shape());
        }
        if (!labels.dtype().isInteger()) {
            if (!labels.isSymbolic()) {
                checkTargets(labels);
            } else { // traced: values are unknown now; a bad label becomes index -1, which the gather rejects when it runs
                labels = labels.eq(labels.floor()).where(labels, Ops.scalarLike(labels, -1));
            }
            labels = labels.cast(DType.INT64);
        }
        if (!labels.isSymbolic()) requireLabelsInRange(yTrue, labels, yPred);
        return NN.sparseCategoricalCrossEntropy(yPred, labels, fromLogits);
    }

    /** A label outside [0, classes) is a data error: say so here rather than as an index error of the gather inside. */
    private void requireLabelsInRange(Tensor yTrue, Tensor labels, Tensor yPred) {
        int classes = yPred.dim(-1);
        long[] l = labels.toLongArray();
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= classes) {
                throw new IllegalArgumentException(name() + ": label " + l[i] + " (element " + i + " of the labels "
                        + yTrue.dtype() + yTrue.shape() + ") is outside [0, " + classes + "): the predictions "
                        + yPred.dtype() + yPred.shape() + " have " + classes + " classes");
            }
        }
    }

    /** Float labels must be finite whole numbers: a NaN or 2.5 would otherwise be truncated to a class silently. */
    @Override
    public void checkTargets(Tensor yTrue) {
        if (yTrue.isSymbolic() || !yTrue.dtype().isFloating()) return;
        double[] v = yTrue.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i]) || v[i] != Math.rint(v[i])) {
                throw new IllegalArgumentException("SparseCategoricalCrossentropy: labels must be whole class numbers, got "
                        + v[i] + " at flat index " + i + " of " + yTrue.dtype() + yTrue.shape());
            }
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("from_logits", fromLogits);
        return c;
    }
}
