package dev.javelin.highlevel.callbacks;

import dev.javelin.highlevel.optimizers.Optimizer;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes TensorBoard event files, as Keras's {@code TensorBoard} callback: under {@code logDir},
 * {@code train/} holds {@code epoch_<metric>} scalars per epoch (and {@code epoch_learning_rate}),
 * {@code batch_<metric>} scalars every {@code updateFreq} batches (at the optimizer's step count),
 * and every {@code histogramFreq} epochs a histogram per weight; {@code validation/} holds the
 * {@code val_} metrics under the same {@code epoch_} names, so TensorBoard draws both on one chart.
 * View them with {@code tensorboard --logdir <logDir>}.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(10)
 *         .callbacks(new TensorBoard(Path.of("logs"), 1, 50)).build()); // histograms every epoch, scalars every 50 batches
 * }</pre>
 */
public final class TensorBoard extends Callback {
    private static final int HISTOGRAM_BUCKETS = 30;
    private final Path logDir;
    private final int histogramFreq;
    private final int updateFreq;
    private EventFileWriter train;
    private EventFileWriter validation;
    private long batches;

    /** Scalars per epoch only, no histograms. */
    public TensorBoard(Path logDir) {
        this(logDir, 0, 0);
    }

    /**
     * @param histogramFreq write weight histograms every this many epochs; 0 for none
     * @param updateFreq    also write the running batch metrics every this many batches; 0 for per epoch only
     */
    public TensorBoard(Path logDir, int histogramFreq, int updateFreq) {
        if (histogramFreq < 0 || updateFreq < 0) {
            throw new IllegalArgumentException("TensorBoard: histogramFreq and updateFreq must be >= 0, got " + histogramFreq
                    + " and " + updateFreq);
        }
        this.logDir = java.util.Objects.requireNonNull(logDir, "TensorBoard: logDir");
        this.histogramFreq = histogramFreq;
        this.updateFreq = updateFreq;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        train = open("train");
        batches = 0;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        batches++;
        if (updateFreq == 0 || batches % updateFreq != 0) return;
        long step = model().optimizer() != null ? model().optimizer().iterations().stored().toLongArray()[0] : batches;
        for (Map.Entry<String, Double> e : logs.entrySet()) train.scalar("batch_" + e.getKey(), e.getValue(), step);
        train.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getKey().startsWith("val_")) {
                if (validation == null) validation = open("validation");
                validation.scalar("epoch_" + e.getKey().substring(4), e.getValue(), epoch);
            } else {
                train.scalar("epoch_" + e.getKey(), e.getValue(), epoch);
            }
        }
        Optimizer opt = model().optimizer();
        if (opt != null && !logs.containsKey("learning_rate")) train.scalar("epoch_learning_rate", opt.learningRate(), epoch);
        if (histogramFreq > 0 && epoch % histogramFreq == 0) {
            for (Variable v : model().weights()) {
                if (v.dtype().isFloating()) train.histogram(v.name() + "/histogram", v.stored().toDoubleArray(), HISTOGRAM_BUCKETS, epoch);
            }
        }
        train.flush();
        if (validation != null) validation.flush();
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        close();
    }

    @Override
    public void close() {
        if (train != null) train.close();
        if (validation != null) validation.close();
        train = null;
        validation = null;
    }

    private EventFileWriter open(String run) {
        try {
            return new EventFileWriter(logDir.resolve(run));
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot create an event file in " + logDir.resolve(run), e);
        }
    }
}
