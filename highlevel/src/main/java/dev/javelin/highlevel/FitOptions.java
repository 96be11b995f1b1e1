package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.highlevel.data.Dataset;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of {@link Model#fit}, as Keras's {@code fit(...)} keywords.
 *
 * <pre>{@code
 * FitOptions o = FitOptions.builder().batchSize(128).epochs(15).validationSplit(0.1)
 *         .callbacks(new EarlyStopping("val_loss", 2, true)).build();
 * }</pre>
 *
 * @param validationSplit fraction (0 to 1) of the training data, taken from its end before
 *                        shuffling, used for validation; ignored when validation data is given
 * @param validationX     validation inputs (one per model input), or empty
 * @param validationY     validation targets, or empty
 * @param shuffle         reshuffle the training data every epoch (seeded by {@code seed})
 * @param verbose         0 silent, 1 progress bar, 2 one line per epoch
 * @param sampleWeight    a weight per training example ({@code [rows]}), or null (tensors only; a
 *                        {@link Batch} carries its own)
 * @param classWeight     a weight per class index, multiplying each example's weight (one output only), or empty
 * @param stepsPerEpoch   batches per epoch from a dataset or iterator; 0 for all of a dataset (an
 *                        iterator then runs to its end once)
 * @param validationDataset validation batches (a {@link Dataset}), or null
 * @param validationSteps batches of the validation dataset to use; 0 for all
 */
public record FitOptions(int batchSize, int epochs, double validationSplit, List<Tensor> validationX, List<Tensor> validationY,
                         boolean shuffle, long seed, List<Callback> callbacks, int verbose, int initialEpoch, Tensor sampleWeight,
                         Map<Integer, Double> classWeight, int stepsPerEpoch, Dataset validationDataset, int validationSteps) {
    public FitOptions {
        if (stepsPerEpoch < 0) throw new IllegalArgumentException("fit: stepsPerEpoch must be >= 0, got " + stepsPerEpoch);
        if (validationSteps < 0) throw new IllegalArgumentException("fit: validationSteps must be >= 0, got " + validationSteps);
        classWeight = Map.copyOf(classWeight);
        for (Map.Entry<Integer, Double> e : classWeight.entrySet()) {
            if (e.getKey() < 0 || !(e.getValue() >= 0)) {
                throw new IllegalArgumentException("fit: classWeight needs class indices >= 0 and weights >= 0, got " + e);
            }
        }
        if (batchSize < 1) throw new IllegalArgumentException("fit: batchSize must be >= 1, got " + batchSize);
        if (epochs < 0) throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("fit: validationSplit must be in [0, 1), got " + validationSplit);
        }
        if (validationX.isEmpty() != validationY.isEmpty()) {
            throw new IllegalArgumentException("fit: validation data needs inputs and targets, got " + validationX.size()
                    + " input and " + validationY.size() + " target tensors");
        }
        if (verbose < 0 || verbose > 2) throw new IllegalArgumentException("fit: verbose must be 0, 1 or 2, got " + verbose);
        validationX = List.copyOf(validationX);
        validationY = List.copyOf(validationY);
        callbacks = List.copyOf(callbacks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Keras's defaults: batch 32, 1 epoch, shuffle on, progress bar. */
    public static final class Builder {
        private int batchSize = 32;
        private int epochs = 1;
        private double validationSplit;
        private List<Tensor> validationX = List.of();
        private List<Tensor> validationY = List.of();
        private boolean shuffle = true;
        private Long seed;
        private final List<Callback> callbacks = new ArrayList<>();
        private int verbose = 1;
        private int initialEpoch;
        private Tensor sampleWeight;
        private Map<Integer, Double> classWeight = Map.of();
        private int stepsPerEpoch;
        private Dataset validationDataset;
        private int validationSteps;

        public Builder batchSize(int n) { batchSize = n; return this; }
        public Builder epochs(int n) { epochs = n; return this; }
        public Builder validationSplit(double f) { validationSplit = f; return this; }
        public Builder validationData(Tensor x, Tensor y) { validationX = List.of(x); validationY = List.of(y); return this; }
        public Builder validationData(List<Tensor> x, List<Tensor> y) { validationX = x; validationY = y; return this; }
        public Builder shuffle(boolean on) { shuffle = on; return this; }
        /** Seeds the per-epoch shuffle order (default: the next seed of {@link Seeds}). */
        public Builder seed(long s) { seed = s; return this; }
        public Builder callbacks(Callback... cs) { callbacks.addAll(List.of(cs)); return this; }
        public Builder verbose(int v) { verbose = v; return this; }
        /** The epoch to start from (for resuming), counting from 0. */
        public Builder initialEpoch(int e) { initialEpoch = e; return this; }

        /** A weight per training example (Keras's {@code sample_weight}): its loss and metrics count that much. */
        public Builder sampleWeight(Tensor w) { sampleWeight = w; return this; }
        /** A weight per class index (Keras's {@code class_weight}); classes left out weigh 1. */
        public Builder classWeight(Map<Integer, Double> w) { classWeight = w; return this; }
        /** Batches per epoch when fitting a dataset or an iterator of batches. */
        public Builder stepsPerEpoch(int n) { stepsPerEpoch = n; return this; }
        /** Validation batches from a dataset, evaluated after each epoch. */
        public Builder validationData(Dataset d) { validationDataset = d; return this; }
        /** How many validation batches to use (0: all). */
        public Builder validationSteps(int n) { validationSteps = n; return this; }

        public FitOptions build() {
            return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle,
                    seed != null ? seed : Seeds.next(), callbacks, verbose,
                    initialEpoch, sampleWeight, classWeight, stepsPerEpoch, validationDataset, validationSteps);
        }
    }
}
