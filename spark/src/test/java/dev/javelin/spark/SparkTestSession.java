package dev.javelin.spark;

import dev.javelin.highlevel.data.Mnist;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One SparkSession for every test of the module (Spark takes seconds to start): {@code local[2]},
 * so a barrier stage has two tasks talking over loopback; no UI, little memory, few partitions.
 */
final class SparkTestSession {
    private static SparkSession session;
    private static Mnist mnist;

    private SparkTestSession() {}

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("javelin-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .config("spark.memory.fraction", "0.2")
                    .config("spark.sql.adaptive.enabled", "false")
                    .getOrCreate();
            session.sparkContext().setLogLevel("ERROR");
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(get().sparkContext());
    }

    static synchronized Mnist mnist() {
        if (mnist == null) mnist = Mnist.load();
        return mnist;
    }

    /** The first {@code rows} training digits as flat features ({@code [rows][784]}) and labels. */
    static float[][] mnistFeatures(int rows) {
        Tensor x = mnist().train().x();
        float[] all = x.toFloatArray();
        float[][] out = new float[rows][784];
        for (int r = 0; r < rows; r++) System.arraycopy(all, r * 784, out[r], 0, 784);
        return out;
    }

    static long[] mnistLabels(int rows) {
        long[] all = mnist().train().y().toLongArray();
        return java.util.Arrays.copyOf(all, rows);
    }

    static final StructType ARRAY_SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.LongType, false);

    /** A DataFrame of array features and long labels, rows split contiguously into {@code partitions}. */
    static Dataset<Row> frame(float[][] features, long[] labels, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) rows.add(RowFactory.create(features[i], labels[i]));
        return get().createDataFrame(context().parallelize(rows, partitions), ARRAY_SCHEMA);
    }

    static List<Float> boxed(float[] f) {
        List<Float> out = new ArrayList<>(f.length);
        for (float v : f) out.add(v);
        return out;
    }
}
