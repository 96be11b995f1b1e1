package dev.javelin.spark;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.callbacks.ProgbarLogger;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel {@code fit} on Apache Spark: one long-lived task per partition in
 * Spark's barrier execution mode, gradients summed by a ring all-reduce between the tasks, every
 * worker applying the same compiled optimizer update, so the weights stay identical everywhere.
 * The global batch is {@code batchSize × workers} and the loss is averaged over it: N workers
 * follow the training curve of one process with the global batch. The driver's model receives the
 * trained weights and optimizer state; the callbacks (progress bar, History, EarlyStopping...) run
 * on the driver.
 *
 * <pre>{@code
 * Model model = new Sequential(new InputLayer(28, 28, 1), new Conv2D(32, 3, "relu"), ...);
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * Dataset<Row> train = spark.read().parquet("mnist.parquet");           // columns: features (array<float>), label (int)
 * History h = SparkTrainer.builder().batchSize(64).epochs(15)           // per worker: global batch 64 × partitions
 *         .checkpointDir("hdfs:///tmp/mnist-ckpt").checkpointEvery(100)  // resume after a worker fault
 *         .build().fit(model, train.repartition(4));
 * }</pre>
 *
 * <p>Partitions of different sizes: every epoch runs {@code ceil(smallest / batchSize)} steps and
 * each worker reads that many of its rows (its first ones, or with {@code shuffle} a fresh random
 * choice each epoch), so every step's local batches have the same size and the average over
 * workers is the average over the global batch. Rows beyond the smallest partition's count are
 * left out of that epoch; with shuffling every row is drawn over the epochs.
 */
public final class SparkTrainer {
    private final Builder o;

    private SparkTrainer(Builder b) {
        this.o = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code model} (compiled, built) on a DataFrame with a features column (array of floats
     * or doubles, or an ML vector, holding the model's input in row-major order) and a numeric label
     * column (int or long: a class index; float or double: a value), one worker per partition.
     *
     * @throws IllegalArgumentException before any worker starts, naming the column and row, when the
     *     data does not fit the model; {@link IllegalStateException} when the model is not compiled
     */
    public History fit(Model model, Dataset<Row> data) {
        int[] inputShape = inputShape(model);
        String shapeText = Arrays.toString(inputShape);
        DType labelType = InputCheck.labelType(data, o.featuresColumn, o.labelColumn, length(inputShape), shapeText);
        return run(model, InputCheck.examples(data, o.featuresColumn, o.labelColumn), inputShape, labelType,
                o.featuresColumn, o.labelColumn);
    }

    /** Trains on an RDD of examples, one worker per partition; labels are {@link Builder#labelType} (INT64 by default). */
    public History fit(Model model, JavaRDD<Example> data) {
        return run(model, data, inputShape(model), o.labelType, "features", "label");
    }

    private History run(Model model, JavaRDD<Example> examples, int[] inputShape, DType labelType, String fCol, String lCol) {
        if (o.workers > 0 && examples.getNumPartitions() != o.workers) {
            examples = o.workers < examples.getNumPartitions() ? examples.coalesce(o.workers) : examples.repartition(o.workers);
        }
        examples = BarrierInput.of(examples); // the scan below runs its shuffle; the barrier stage reads the result
        long[] rows = InputCheck.scan(examples, length(inputShape), Arrays.toString(inputShape), fCol, lCol);
        long smallest = Arrays.stream(rows).min().orElseThrow();
        int rowsPerEpoch = (int) Math.min(smallest, Integer.MAX_VALUE);
        int steps = (rowsPerEpoch + o.batchSize - 1) / o.batchSize;
        if (rows.length > 1 && Arrays.stream(rows).max().orElseThrow() != smallest && o.verbose > 0) {
            System.err.println("[javelin] SparkTrainer: partitions hold " + Arrays.toString(rows) + " rows; each epoch uses "
                    + rowsPerEpoch + " rows of each (the smallest), in " + steps + " steps");
        }
        String driverHost = examples.context().conf().get("spark.driver.host", "127.0.0.1");
        Events events = new Events(model, steps);
        try (ProgressChannel.DriverEnd driver = new ProgressChannel.DriverEnd(driverHost, events)) {
            if (o.checkpointDir != null) Checkpoint.clear(o.checkpointDir);
            Checkpoint start = new Checkpoint(0, TrainingWorker.save(model), 0, 0, new float[0]);
            events.trainBegin();
            byte[] trained = null;
            for (int attempt = 0; trained == null; attempt++) {
                TrainingWorker.Plan plan = new TrainingWorker.Plan(start, inputShape, labelType, o.batchSize, o.epochs, steps,
                        rowsPerEpoch, o.shuffle, o.seed, o.checkpointDir, o.checkpointEvery, attempt, o.listener, driver.address(),
                        (int) o.networkTimeout.toMillis());
                try {
                    trained = runStage(examples, plan);
                } catch (SparkException | RuntimeException failure) {
                    Checkpoint latest = o.checkpointDir == null ? null : Checkpoint.readLatest(o.checkpointDir);
                    if (latest == null || attempt >= o.maxRestarts) throw failure instanceof RuntimeException r ? r
                            : new IllegalStateException("SparkTrainer: the training job failed: " + failure.getMessage(), failure);
                    System.err.println("[javelin] SparkTrainer: attempt " + attempt + " failed (" + rootMessage(failure)
                            + "); restarting from the checkpoint at step " + latest.step());
                    start = latest;
                }
                if (driver.failure() != null) throw new IllegalStateException("SparkTrainer: a callback failed: "
                        + driver.failure().getMessage(), driver.failure());
            }
            Path tmp = Files.createTempFile("javelin-spark-", ".javelin");
            try {
                Files.write(tmp, trained);
                model.loadState(tmp); // weights and optimizer state, as the workers ended
            } finally {
                Files.deleteIfExists(tmp);
            }
            events.trainEnd();
            return events.history;
        } catch (IOException e) {
            throw new UncheckedIOException("SparkTrainer: " + e.getMessage(), e);
        } finally {
            events.close();
        }
    }

    private static byte[] runStage(JavaRDD<Example> examples, TrainingWorker.Plan plan) throws SparkException {
        ClassTag<byte[]> tag = ClassTag$.MODULE$.apply(byte[].class);
        RDD<byte[]> out = examples.rdd().barrier().mapPartitions(new TrainingWorker(plan), false, tag);
        List<byte[]> results = JavaRDD.fromRDD(out, tag).collect();
        if (results.size() != 1) throw new IllegalStateException("SparkTrainer: expected worker 0's model, got " + results.size());
        return results.get(0);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static int[] inputShape(Model model) {
        if (model.optimizer() == null) {
            throw new IllegalStateException("SparkTrainer: model '" + model.name()
                    + "' is not compiled; call model.compile(optimizer, loss, metrics...) first");
        }
        if (!model.isBuilt() || model.buildShapes() == null) {
            throw new IllegalStateException("SparkTrainer: model '" + model.name()
                    + "' is not built; give it an InputLayer (or Input.of) so its input shape is known");
        }
        if (model.buildShapes().size() != 1) {
            throw new IllegalArgumentException("SparkTrainer: model '" + model.name() + "' has " + model.buildShapes().size()
                    + " inputs; expected one (a features column)");
        }
        Shape s = model.buildShapes().get(0);
        return Arrays.copyOfRange(s.toArray(), 1, s.rank());
    }

    private static int length(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The driver's callbacks, fed by worker 0's progress events. */
    private final class Events implements ProgressChannel.Listener {
        final History history = new History();
        private final Model model;
        private final List<Callback> callbacks = new ArrayList<>();
        private int lastEpochEnded = -1;
        private Map<String, Double> lastLogs = new LinkedHashMap<>();

        Events(Model model, int steps) {
            this.model = model;
            if (o.verbose > 0) callbacks.add(new ProgbarLogger(o.verbose == 1 ? ProgbarLogger.Mode.AUTO : ProgbarLogger.Mode.LINES));
            callbacks.addAll(o.callbacks);
            callbacks.add(history);
            Map<String, Object> params = Map.of("epochs", o.epochs, "steps", steps, "verbose", o.verbose);
            for (Callback c : callbacks) {
                c.setModel(model);
                c.setParams(params);
            }
        }

        void trainBegin() {
            model.setStopTraining(false);
            for (Callback c : callbacks) c.onTrainBegin(new LinkedHashMap<>());
        }

        @Override
        public void epochBegin(int epoch) {
            if (epoch <= lastEpochEnded) return; // a restart replays from its checkpoint: said once
            for (Callback c : callbacks) c.onEpochBegin(epoch, new LinkedHashMap<>());
        }

        @Override
        public void batchEnd(int epoch, int step, Map<String, Double> logs) {
            for (Callback c : callbacks) c.onTrainBatchEnd(step, logs);
        }

        @Override
        public boolean epochEnd(int epoch, Map<String, Double> logs) {
            if (epoch > lastEpochEnded) {
                for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
                lastEpochEnded = epoch;
                lastLogs = logs;
            }
            return model.stopTraining();
        }

        void trainEnd() {
            for (Callback c : callbacks) c.onTrainEnd(lastLogs);
        }

        void close() {
            for (Callback c : callbacks) c.close();
        }
    }

    /** The settings of a {@link SparkTrainer}. */
    public static final class Builder {
        private int batchSize = 32;
        private int epochs = 1;
        private boolean shuffle = true;
        private long seed;
        private String featuresColumn = "features";
        private String labelColumn = "label";
        private DType labelType = DType.INT64;
        private int workers;
        private String checkpointDir;
        private int checkpointEvery = 100;
        private int maxRestarts = 3;
        private final List<Callback> callbacks = new ArrayList<>();
        private int verbose = 1;
        private WorkerListener listener;
        private Duration networkTimeout = Duration.ofMinutes(10);

        private Builder() {}

        /** Rows per worker per step (default 32): the global batch is this times the number of workers. */
        public Builder batchSize(int rows) {
            this.batchSize = positive("batchSize", rows);
            return this;
        }

        /** Passes over the data (default 1). */
        public Builder epochs(int epochs) {
            this.epochs = positive("epochs", epochs);
            return this;
        }

        /** Whether each worker reads its rows in a new random order every epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffling (default 0): a run is reproducible bit for bit from it and the model's seeds. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The DataFrame's features column (default {@code features}). */
        public Builder featuresColumn(String name) {
            this.featuresColumn = Objects.requireNonNull(name, "featuresColumn");
            return this;
        }

        /** The DataFrame's label column (default {@code label}). */
        public Builder labelColumn(String name) {
            this.labelColumn = Objects.requireNonNull(name, "labelColumn");
            return this;
        }

        /** The labels' dtype for an RDD of {@link Example}s: INT64 class indices (default) or FLOAT32 values. */
        public Builder labelType(DType type) {
            if (type != DType.INT64 && type != DType.FLOAT32) {
                throw new IllegalArgumentException("SparkTrainer.labelType: expected INT64 or FLOAT32, got " + type);
            }
            this.labelType = type;
            return this;
        }

        /** The number of workers (default 0: one per partition of the data); the data is coalesced or repartitioned to it. */
        public Builder workers(int workers) {
            if (workers < 0) throw new IllegalArgumentException("SparkTrainer.workers: expected >= 0, got " + workers);
            this.workers = workers;
            return this;
        }

        /** Where worker 0 writes a checkpoint every {@link #checkpointEvery} steps and at each epoch's end: a local or Hadoop path. */
        public Builder checkpointDir(String dir) {
            this.checkpointDir = Objects.requireNonNull(dir, "checkpointDir");
            return this;
        }

        /** Steps between checkpoints (default 100). */
        public Builder checkpointEvery(int steps) {
            this.checkpointEvery = positive("checkpointEvery", steps);
            return this;
        }

        /** How often a failed job is restarted from the latest checkpoint (default 3; needs a checkpointDir). */
        public Builder maxRestarts(int restarts) {
            if (restarts < 0) throw new IllegalArgumentException("SparkTrainer.maxRestarts: expected >= 0, got " + restarts);
            this.maxRestarts = restarts;
            return this;
        }

        /** Callbacks run on the driver with the global loss and metrics. */
        public Builder callbacks(Callback... callbacks) {
            this.callbacks.addAll(List.of(callbacks));
            return this;
        }

        /** 0: silent; 1: a progress bar (default); 2: one line per epoch. */
        public Builder verbose(int verbose) {
            this.verbose = verbose;
            return this;
        }

        /** Called on every worker after each step (monitoring, fault injection in tests). */
        public Builder workerListener(WorkerListener listener) {
            this.listener = listener;
            return this;
        }

        /** How long a worker waits for a peer before the step fails (default 10 minutes; the first step compiles). */
        public Builder networkTimeout(Duration timeout) {
            this.networkTimeout = Objects.requireNonNull(timeout, "networkTimeout");
            return this;
        }

        public SparkTrainer build() {
            return new SparkTrainer(this);
        }

        private static int positive(String what, int v) {
            if (v < 1) throw new IllegalArgumentException("SparkTrainer." + what + ": expected >= 1, got " + v);
            return v;
        }
    }
}
