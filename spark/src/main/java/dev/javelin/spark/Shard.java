package dev.javelin.spark;

import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One worker's rows, held as two flat arrays, and the batches it feeds each step: in epoch
 * {@code e}, step {@code s} takes positions {@code [s b, min((s+1) b, rowsPerEpoch))} of the
 * epoch's order (the shard's own order, or a permutation seeded by seed, epoch and rank). Every
 * worker uses the same {@code rowsPerEpoch} (the smallest shard's size), so all local batches of
 * a step have the same size and the global batch is their concatenation.
 */
final class Shard {
    private final float[] features;
    private final double[] labels;
    private final int[] inputShape;
    private final int featureLength;
    private final DType labelType;

    private Shard(float[] features, double[] labels, int[] inputShape, DType labelType) {
        this.features = features;
        this.labels = labels;
        this.inputShape = inputShape;
        this.featureLength = features.length / Math.max(1, labels.length);
        this.labelType = labelType;
    }

    /** Reads a partition; the driver has checked every row already, this only guards against a changed source. */
    static Shard read(Iterator<Example> rows, int[] inputShape, DType labelType) {
        int length = 1;
        for (int d : inputShape) length *= d;
        List<Example> all = new ArrayList<>();
        while (rows.hasNext()) all.add(rows.next());
        float[] f = new float[all.size() * length];
        double[] y = new double[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Example e = all.get(i);
            if (e.features().length != length) {
                throw new IllegalStateException("SparkTrainer: row " + i + " of this partition has " + e.features().length
                        + " features, expected " + length + " (the data changed after the driver checked it)");
            }
            System.arraycopy(e.features(), 0, f, i * length, length);
            y[i] = e.label();
        }
        return new Shard(f, y, inputShape, labelType);
    }

    int rows() {
        return labels.length;
    }

    /** The epoch's order of this shard's rows. */
    int[] order(boolean shuffle, long seed, int epoch, int rank) {
        int[] p = new int[rows()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        if (shuffle) {
            SplittableRandom rnd = new SplittableRandom(Seeds.mix(Seeds.mix(seed) ^ (epoch * 0x9E3779B97F4A7C15L)) ^ rank);
            for (int i = p.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    /** The rows at positions {@code [from, to)} of {@code order} as a batch: features {@code [rows, inputShape...]}, labels {@code [rows]}. */
    Batch batch(int[] order, int from, int to) {
        int n = to - from;
        float[] x = new float[n * featureLength];
        for (int i = 0; i < n; i++) System.arraycopy(features, order[from + i] * featureLength, x, i * featureLength, featureLength);
        int[] dims = new int[inputShape.length + 1];
        dims[0] = n;
        System.arraycopy(inputShape, 0, dims, 1, inputShape.length);
        Tensor y;
        if (labelType == DType.INT64) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = (long) labels[order[from + i]];
            y = Tensors.of(l);
        } else {
            float[] l = new float[n];
            for (int i = 0; i < n; i++) l[i] = (float) labels[order[from + i]];
            y = Tensors.of(l);
        }
        return new Batch(List.of(Tensors.of(x, dims)), List.of(y), null);
    }
}
