package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.highlevel.Input;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Data that does not fit the model is refused on the driver, before any worker starts, naming column and row. */
class InputCheckTest {
    private static Model small() {
        Seeds.setGlobal(9);
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile("sgd", "sparse_categorical_crossentropy", "accuracy");
        return m;
    }

    private static final SparkTrainer TRAINER = SparkTrainer.builder().batchSize(2).verbose(0).shuffle(false).build();

    private static float[][] features(int rows, int length) {
        float[][] f = new float[rows][length];
        for (int r = 0; r < rows; r++) for (int i = 0; i < length; i++) f[r][i] = (r * 7 + i) % 5 / 5f;
        return f;
    }

    private static long[] labels(int rows) {
        long[] y = new long[rows];
        for (int r = 0; r < rows; r++) y[r] = r % 3;
        return y;
    }

    private static String failure(Model model, Dataset<Row> data) {
        Exception e = assertThrows(RuntimeException.class, () -> TRAINER.fit(model, data));
        return e.getMessage();
    }

    @Test
    void aMissingColumnIsNamedWithTheColumnsThereAre() {
        Dataset<Row> data = SparkTestSession.frame(features(4, 4), labels(4), 2).withColumnRenamed("features", "pixels");
        assertEquals("SparkTrainer: no features column 'features' in the data; its columns are [pixels, label]", failure(small(), data));
    }

    @Test
    void mistypedColumnsSayWhatWasExpected() {
        Dataset<Row> text = SparkTestSession.frame(features(4, 4), labels(4), 2)
                .withColumn("features", org.apache.spark.sql.functions.lit("x"));
        assertEquals("SparkTrainer: features column 'features' is string; expected array<float>, array<double> or an ML vector "
                + "of 4 values (the model's input [4])", failure(small(), text));
        Dataset<Row> label = SparkTestSession.frame(features(4, 4), labels(4), 2)
                .withColumn("label", org.apache.spark.sql.functions.lit("cat"));
        assertEquals("SparkTrainer: label column 'label' is string; expected a number (int or long for a class index, float or "
                + "double for a value)", failure(small(), label));
    }

    @Test
    void aFeaturesArrayOfTheWrongLengthNamesItsRow() {
        float[][] f = features(6, 4);
        f[4] = new float[] {1, 2, 3}; // row 4: the second row of partition 1 (rows 3..5)
        assertEquals("SparkTrainer: row 4 (row 1 of partition 1): features column 'features' has 3 values; expected 4 "
                + "(the model's input [4])", failure(small(), SparkTestSession.frame(f, labels(6), 2)));
    }

    @Test
    void anEmptyPartitionIsRefused() {
        Dataset<Row> data = SparkTestSession.frame(features(1, 4), labels(1), 2);
        assertEquals("SparkTrainer: partition 0 of 2 has no rows; every worker needs at least one (repartition the data, "
                + "or give fewer workers)", failure(small(), data));
    }

    @Test
    void aModelThatIsNotCompiledIsRefused() {
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        String message = assertThrows(IllegalStateException.class,
                () -> TRAINER.fit(m, SparkTestSession.frame(features(4, 4), labels(4), 2))).getMessage();
        assertEquals("SparkTrainer: model '" + m.name() + "' is not compiled; call model.compile(optimizer, loss, metrics...) first",
                message);
    }

    @Test
    void vectorColumnsDoubleArraysAndExampleRddsTrainAlike() {
        float[][] f = features(8, 4);
        long[] y = labels(8);
        Model fromFloats = small();
        TRAINER.fit(fromFloats, SparkTestSession.frame(f, y, 2));

        List<Row> vectorRows = new ArrayList<>();
        List<Example> examples = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            double[] d = new double[4];
            for (int i = 0; i < 4; i++) d[i] = f[r][i];
            vectorRows.add(RowFactory.create(Vectors.dense(d), (int) y[r]));
            examples.add(new Example(f[r], y[r]));
        }
        StructType schema = new StructType().add("features", new VectorUDT(), false).add("label", DataTypes.IntegerType, false);
        Model fromVectors = small();
        TRAINER.fit(fromVectors, SparkTestSession.get().createDataFrame(SparkTestSession.context().parallelize(vectorRows, 2), schema));
        Model fromRdd = small();
        SparkTrainer.builder().batchSize(2).verbose(0).shuffle(false).labelType(DType.INT64).build()
                .fit(fromRdd, SparkTestSession.context().parallelize(examples, 2));
        for (int i = 0; i < fromFloats.getWeights().size(); i++) {
            assertArrayEquals(fromFloats.getWeights().get(i).toFloatArray(), fromVectors.getWeights().get(i).toFloatArray(), 0f);
            assertArrayEquals(fromFloats.getWeights().get(i).toFloatArray(), fromRdd.getWeights().get(i).toFloatArray(), 0f);
        }
    }
}
