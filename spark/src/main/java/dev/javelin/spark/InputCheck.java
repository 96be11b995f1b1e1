package dev.javelin.spark;

import dev.javelin.tensor.DType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * The driver's checks of the training data, before any worker starts: the columns exist and have
 * usable types (from the schema, no job), then one pass over the rows (a plain Spark job) counts
 * each partition's rows and finds the first row with a null or a features array of the wrong
 * length. Errors name the column, the row (its index in the data and in its partition) and what
 * was expected.
 */
final class InputCheck {
    private InputCheck() {}

    /** The label dtype a label column of this type gives: integers are class indices, floats are values. */
    static DType labelType(Dataset<Row> data, String featuresColumn, String labelColumn, int featureLength, String shapeText) {
        StructType schema = data.schema();
        StructField features = field(schema, featuresColumn, "features");
        StructField label = field(schema, labelColumn, "label");
        DataType f = features.dataType();
        boolean floatArray = f instanceof ArrayType a && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType);
        if (!floatArray && !isVector(f)) {
            throw new IllegalArgumentException("SparkTrainer: features column '" + featuresColumn + "' is " + f.simpleString()
                    + "; expected array<float>, array<double> or an ML vector of " + featureLength + " values (the model's input "
                    + shapeText + ")");
        }
        DataType l = label.dataType();
        if (!(l instanceof NumericType)) {
            throw new IllegalArgumentException("SparkTrainer: label column '" + labelColumn + "' is " + l.simpleString()
                    + "; expected a number (int or long for a class index, float or double for a value)");
        }
        boolean integral = l == DataTypes.IntegerType || l == DataTypes.LongType || l == DataTypes.ShortType || l == DataTypes.ByteType;
        return integral ? DType.INT64 : DType.FLOAT32;
    }

    /** By name, so that spark-mllib-local is loaded only for data that has vectors. */
    private static boolean isVector(DataType t) {
        return t instanceof UserDefinedType<?> u && u.userClass().getName().equals("org.apache.spark.ml.linalg.Vector");
    }

    private static StructField field(StructType schema, String name, String role) {
        for (StructField f : schema.fields()) if (f.name().equals(name)) return f;
        throw new IllegalArgumentException("SparkTrainer: no " + role + " column '" + name + "' in the data; its columns are "
                + Arrays.toString(schema.fieldNames()));
    }

    /** The two columns as examples (no job runs: a lazy map). */
    static JavaRDD<Example> examples(Dataset<Row> data, String featuresColumn, String labelColumn) {
        return data.select(featuresColumn, labelColumn).javaRDD().map(new ToExample(featuresColumn, labelColumn));
    }

    /** Row to example; a null or an unreadable value becomes an example with null features, reported by {@link #scan}. */
    private record ToExample(String featuresColumn, String labelColumn) implements org.apache.spark.api.java.function.Function<Row, Example> {
        @Override
        public Example call(Row row) {
            if (row.isNullAt(0)) return new Example(null, 0);
            if (row.isNullAt(1)) return new Example(new float[0], Double.NaN);
            Object f = row.get(0);
            float[] values;
            if (f instanceof scala.collection.Seq<?>) { // an array column
                List<Object> list = row.getList(0);
                values = new float[list.size()];
                for (int i = 0; i < values.length; i++) {
                    Object x = list.get(i);
                    if (x == null) return new Example(null, 0);
                    values[i] = ((Number) x).floatValue();
                }
            } else { // the schema said: an ML vector (dense or sparse)
                double[] d = ((Vector) f).toArray();
                values = new float[d.length];
                for (int i = 0; i < d.length; i++) values[i] = (float) d[i];
            }
            return new Example(values, ((Number) row.get(1)).doubleValue());
        }
    }

    /** What one pass over a partition found. */
    record PartitionReport(int partition, long rows, long badRow, String problem) implements Serializable {}

    /**
     * Counts each partition's rows and reports its first bad row; throws naming the first problem.
     *
     * @return the rows of each partition, in partition order
     */
    static long[] scan(JavaRDD<Example> examples, int featureLength, String shapeText, String featuresColumn, String labelColumn) {
        List<PartitionReport> reports = examples.mapPartitionsWithIndex((index, it) -> {
            long n = 0, bad = -1;
            String problem = null;
            while (it.hasNext()) {
                Example e = it.next();
                if (bad < 0) {
                    if (e.features() == null) {
                        problem = "features column '" + featuresColumn + "' is null or holds a null; expected " + featureLength
                                + " values";
                        bad = n;
                    } else if (Double.isNaN(e.label()) && e.features().length == 0) {
                        problem = "label column '" + labelColumn + "' is null; expected a number";
                        bad = n;
                    } else if (e.features().length != featureLength) {
                        problem = "features column '" + featuresColumn + "' has " + e.features().length + " values; expected "
                                + featureLength + " (the model's input " + shapeText + ")";
                        bad = n;
                    }
                }
                n++;
            }
            List<PartitionReport> one = List.of(new PartitionReport(index, n, bad, problem));
            return one.iterator();
        }, false).collect();
        long[] rows = new long[reports.size()];
        for (PartitionReport r : reports) rows[r.partition()] = r.rows();
        long before = 0;
        for (PartitionReport r : sorted(reports)) {
            if (r.problem() != null) {
                throw new IllegalArgumentException("SparkTrainer: row " + (before + r.badRow()) + " (row " + r.badRow() + " of partition "
                        + r.partition() + "): " + r.problem());
            }
            before += r.rows();
        }
        for (PartitionReport r : sorted(reports)) {
            if (r.rows() == 0) {
                throw new IllegalArgumentException("SparkTrainer: partition " + r.partition() + " of " + reports.size()
                        + " has no rows; every worker needs at least one (repartition the data, or give fewer workers)");
            }
        }
        return rows;
    }

    private static List<PartitionReport> sorted(List<PartitionReport> reports) {
        List<PartitionReport> s = new ArrayList<>(reports);
        s.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return s;
    }
}
