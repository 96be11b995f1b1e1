package dev.javelin.examples;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.data.Mnist;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.spark.SparkTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The main job's convnet trained data-parallel on Spark: the 8,000 training digits as a DataFrame
 * (features: array of 784 floats, label: long) in one partition per worker, {@link SparkTrainer}
 * with 64 rows per worker per step (on 2 workers the main job's batch of 128), 15 epochs, Adam
 * 1e-3; the driver then evaluates the trained model on the 2,000 test digits and ends with
 * {@code test accuracy: 0.XXXX}.
 *
 * <p>Arguments: {@code --master=URL} (default {@code local[2]}), {@code --workers=N} (default 2),
 * {@code --epochs=N}, {@code --seed=N}, {@code --checkpoint=DIR} (a local or Hadoop path).
 */
public final class SparkMnistMain {
    private SparkMnistMain() {}

    public static void main(String[] args) throws Exception {
        String master = "local[2]";
        int workers = 2, epochs = 15;
        long seed = 42;
        String checkpoint = null;
        for (String raw : args) {
            String a = raw.startsWith("--") ? raw.substring(2) : raw;
            if (a.isBlank() || a.equals("spark")) continue;
            if (a.startsWith("master=")) master = a.substring(7);
            else if (a.startsWith("workers=")) workers = Integer.parseInt(a.substring(8));
            else if (a.startsWith("epochs=")) epochs = Integer.parseInt(a.substring(7));
            else if (a.startsWith("seed=")) seed = Long.parseLong(a.substring(5));
            else if (a.startsWith("checkpoint=")) checkpoint = a.substring(11);
            else throw new IllegalArgumentException("SparkMnistMain: unknown argument '" + raw
                    + "' (expected --master=URL, --workers=N, --epochs=N, --seed=N or --checkpoint=DIR)");
        }
        SparkSession.Builder builder = SparkSession.builder().master(master).appName("javelin-mnist")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        SparkSession spark = builder.getOrCreate();
        try {
            Seeds.setGlobal(seed);
            Mnist mnist = Mnist.load();
            Dataset<Row> train = frame(spark, mnist.train(), workers);
            System.out.printf("MNIST subset on Spark (%s): %d training digits in %d partitions, %d test digits%n", master,
                    mnist.train().size(), workers, mnist.test().size());

            Model model = MnistMain.convnet();
            model.summary();
            model.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(1e-3).build())
                    .loss("sparse_categorical_crossentropy").metrics("accuracy").build());
            SparkTrainer.Builder trainer = SparkTrainer.builder().batchSize(128 / workers).epochs(epochs).seed(seed);
            if (checkpoint != null) trainer.checkpointDir(checkpoint).checkpointEvery(50);
            long start = System.nanoTime();
            trainer.build().fit(model, train);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "trained %d epochs on %d workers in %.1f s (%.2f s per epoch)%n", epochs, workers, seconds,
                    seconds / epochs);

            Map<String, Double> test = model.evaluate(mnist.test().x(), mnist.test().y(), 500);
            System.out.printf(Locale.ROOT, "test loss: %.4f%n", test.get("loss"));
            System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", test.get("accuracy"));
        } finally {
            spark.stop();
        }
    }

    /** The split as a DataFrame, rows in order, cut into {@code partitions} contiguous parts. */
    static Dataset<Row> frame(SparkSession spark, Mnist.Split split, int partitions) {
        float[] x = split.x().toFloatArray();
        long[] y = split.y().toLongArray();
        int length = x.length / y.length;
        List<Row> rows = new ArrayList<>(y.length);
        for (int i = 0; i < y.length; i++) rows.add(RowFactory.create(java.util.Arrays.copyOfRange(x, i * length, (i + 1) * length), y[i]));
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.LongType, false);
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions), schema);
    }
}
