package dev.javelin.spark;

import java.io.Serializable;

/**
 * One training row for {@link SparkTrainer#fit(dev.javelin.highlevel.Model, org.apache.spark.api.java.JavaRDD)}:
 * the model's input flattened in row-major order, and a label (a class index, or a value for a
 * regression loss; see {@link SparkTrainer.Builder#labelType}).
 *
 * <pre>{@code
 * JavaRDD<Example> rows = images.map(img -> new Example(img.pixels(), img.digit()));
 * }</pre>
 *
 * @param features the input values, as many as the model's input shape holds
 * @param label the target
 */
public record Example(float[] features, double label) implements Serializable {}
