package dev.javelin.highlevel;

import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

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
 */
public record FitOptions(int batchSize, int epochs, double validationSplit, List<Tensor> validationX, List<Tensor> validationY,
                         boolean shuffle, long seed, List<Callback> callbacks, int verbose, int initialEpoch) {
    public FitOptions {
        if (batchSize < 1) throw new IllegalArgumentException("fit: batchSize must be >= 1, got " + batchSize);
        if (epochs < 0) throw new IllegalArgumentException("fit: epochs must be >= 0, got " + epochs);
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("fit: validationSplit must be in [0, 1), got " + validationSplit);
        }
        if (validationX.size() != validationY.size()) {
            throw new IllegalArgumentException("fit: validation data needs as many target tensors as input tensors, got "
                    + validationX.size() + " and " + validationY.size());
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

        public FitOptions build() {
            return new FitOptions(batchSize, epochs, validationSplit, validationX, validationY, shuffle,
                    seed != null ? seed : Seeds.next(), callbacks, verbose,
                    initialEpoch);
        }
    }
}
