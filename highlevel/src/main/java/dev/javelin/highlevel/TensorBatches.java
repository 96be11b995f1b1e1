package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Batches of in-memory tensors: rows copied by index, shuffled afresh each epoch when asked (the
 * order depends only on seed and epoch), with per-example and per-class weights.
 */
final class TensorBatches implements BatchSource {
    private final List<Tensor> x;
    private final List<Tensor> y;
    private final Tensor sampleWeight;
    private final Map<Integer, Double> classWeight;
    private final int rows;
    private final int batchSize;
    private final Long shuffleSeed;

    /**
     * @param shuffleSeed null for the stored order
     * @throws IllegalArgumentException when the tensors differ in their number of rows
     */
    TensorBatches(String what, List<Tensor> x, List<Tensor> y, Tensor sampleWeight, Map<Integer, Double> classWeight, int batchSize,
                  Long shuffleSeed) {
        if (batchSize < 1) throw new IllegalArgumentException(what + ": batchSize must be >= 1, got " + batchSize);
        this.x = HostBatches.dense(x, what + " x");
        this.y = HostBatches.dense(y, what + " y");
        this.sampleWeight = sampleWeight == null ? null : HostBatches.dense(List.of(sampleWeight), what + " sampleWeight").get(0);
        this.classWeight = classWeight;
        this.batchSize = batchSize;
        this.shuffleSeed = shuffleSeed;
        if (this.x.isEmpty()) throw new IllegalArgumentException(what + ": no inputs");
        rows = this.x.get(0).dim(0);
        List<Tensor> all = new ArrayList<>(this.x);
        all.addAll(this.y);
        if (this.sampleWeight != null) all.add(this.sampleWeight);
        for (Tensor t : all) {
            if (t.dim(0) != rows) {
                throw new IllegalArgumentException(what + ": every input, target and sample weight needs the same number of rows "
                        + "(first dimension); got " + rows + " and " + t.shape());
            }
        }
        if (rows == 0) throw new IllegalArgumentException(what + ": the data has no rows");
    }

    /**
     * The rows {@code [from, to)} as their own source (validationSplit's two parts), with their sample
     * weights; class weights only when {@code training}: Keras weighs classes in the training batches
     * alone, so a validation split is scored as the same rows given as validation data are.
     */
    TensorBatches slice(String what, int from, int to, Long seed, boolean training) {
        int[] idx = HostBatches.identity(rows);
        return new TensorBatches(what, take(x, idx, from, to), take(y, idx, from, to),
                sampleWeight == null ? null : HostBatches.rows(sampleWeight, idx, from, to), training ? classWeight : null, batchSize, seed);
    }

    int rows() {
        return rows;
    }

    List<Tensor> inputs() {
        return x;
    }

    List<Tensor> targets() {
        return y;
    }

    @Override
    public int steps() {
        return (rows + batchSize - 1) / batchSize;
    }

    /** Copying rows of host arrays is cheap: no thread needed. */
    @Override
    public boolean prefetch() {
        return false;
    }

    @Override
    public Iterator<Batch> epoch(int epoch) {
        int[] order = shuffleSeed != null ? HostBatches.permutation(rows, shuffleSeed, epoch) : HostBatches.identity(rows);
        return new Iterator<>() {
            private int step;

            @Override
            public boolean hasNext() {
                return step < steps();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int from = step * batchSize;
                int to = Math.min(rows, from + batchSize);
                step++;
                Tensor w = sampleWeight == null ? null : HostBatches.rows(sampleWeight, order, from, to);
                return ClassWeights.apply(new Batch(take(x, order, from, to), take(y, order, from, to), w), classWeight);
            }
        };
    }

    private static List<Tensor> take(List<Tensor> ts, int[] idx, int from, int to) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) out.add(HostBatches.rows(t, idx, from, to));
        return out;
    }
}
