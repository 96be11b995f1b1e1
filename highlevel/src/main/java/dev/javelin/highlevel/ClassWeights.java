package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.losses.WeightBroadcast;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Iterator;
import java.util.Map;

/**
 * Keras's {@code class_weight}: each example weighs as much as its class (classes not named weigh
 * 1), times its sample weight when it has one. Computed on the host from the batch's labels: the
 * argmax of one-hot (or soft) rows, else the label rounded to the nearest class, as Keras does. Only
 * training batches are weighed by class (validation is not, as in Keras).
 */
final class ClassWeights {
    private ClassWeights() {}

    /** The weight of each example of {@code batch}; its labels are integers ({@code [batch]}, {@code [batch, 1]}) or one-hot rows. */
    static Batch apply(Batch batch, Map<Integer, Double> classWeight) {
        if (classWeight == null || classWeight.isEmpty()) return batch;
        if (batch.targets().size() != 1) {
            throw new IllegalArgumentException("fit: classWeight needs a model with one output; this batch has "
                    + batch.targets().size() + " targets (use sampleWeight)");
        }
        Tensor y = batch.targets().get(0);
        int n = batch.size();
        long[] classes;
        if (y.rank() == 2 && y.dim(1) > 1) {
            classes = y.argmax(-1).toLongArray();
        } else {
            double[] v = y.toDoubleArray();
            if (v.length != n) {
                throw new IllegalArgumentException("fit: classWeight needs integer labels [batch] or one-hot rows [batch, classes], got "
                        + y.dtype() + y.shape());
            }
            classes = new long[n];
            // rounded half to even, as Keras (np.round): a soft binary label 0.9 is class 1, not 0
            for (int i = 0; i < n; i++) classes[i] = (long) Math.rint(v[i]);
        }
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (double) classWeight.getOrDefault((int) classes[i], 1.0);
        Tensor byClass = Tensors.of(w), given = batch.sampleWeight();
        if (given == null) return batch.withSampleWeight(byClass);
        // an example's class weight times its sample weight, or times each of its steps' weights
        return batch.withSampleWeight(WeightBroadcast.toShape("fit: classWeight", byClass, given, DType.FLOAT32).mul(given.cast(DType.FLOAT32)));
    }

    static Iterator<Batch> applied(Iterator<Batch> it, Map<Integer, Double> classWeight) {
        if (classWeight == null || classWeight.isEmpty()) return it;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Batch next() {
                return apply(it.next(), classWeight);
            }
        };
    }
}
