package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Where {@code fit}, {@code evaluate} and {@code predict} take their batches from, one epoch at a
 * time (Keras's data adapters): in-memory tensors ({@link TensorBatches}), a {@link Dataset}, or an
 * iterator of batches that epochs share, {@code stepsPerEpoch} batches each.
 */
interface BatchSource {
    /** Batches per epoch; -1 when unknown (an iterator read to its end). */
    int steps();

    /** The batches of epoch {@code epoch}. */
    Iterator<Batch> epoch(int epoch);

    /** Whether batches come from user code (a dataset's map functions, an iterator), worth prefetching. */
    default boolean prefetch() {
        return true;
    }

    /** A dataset's batches: its own order for each epoch, weighted by class when {@code classWeight} is given. */
    static BatchSource of(Dataset data, Map<Integer, Double> classWeight, int stepsPerEpoch) {
        int steps = stepsPerEpoch > 0 ? Math.min(stepsPerEpoch, data.batchCount()) : data.batchCount();
        return new BatchSource() {
            @Override
            public int steps() {
                return steps;
            }

            @Override
            public Iterator<Batch> epoch(int epoch) {
                return limited(ClassWeights.applied(data.epoch(epoch).iterator(), classWeight), steps);
            }
        };
    }

    /**
     * An iterator's batches: each epoch takes the next {@code stepsPerEpoch} (all that are left when
     * 0), as Keras reads a generator; an epoch that finds the iterator empty ends training.
     */
    static BatchSource of(Iterator<Batch> batches, Map<Integer, Double> classWeight, int stepsPerEpoch) {
        Iterator<Batch> weighted = ClassWeights.applied(batches, classWeight);
        return new BatchSource() {
            @Override
            public int steps() {
                return stepsPerEpoch > 0 ? stepsPerEpoch : -1;
            }

            @Override
            public Iterator<Batch> epoch(int epoch) {
                return stepsPerEpoch > 0 ? limited(weighted, stepsPerEpoch) : weighted;
            }
        };
    }

    private static Iterator<Batch> limited(Iterator<Batch> it, int n) {
        return new Iterator<>() {
            private int taken;

            @Override
            public boolean hasNext() {
                return taken < n && it.hasNext();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                taken++;
                return it.next();
            }
        };
    }
}
