package dev.javelin.highlevel.metrics;

import dev.javelin.tensor.Tensor;

/** Per-example mean errors for the regression metrics. */
final class RowErrors {
    private RowErrors() {}

    /**
     * The mean of {@code (p - t)^2} (or {@code |p - t|}) over the last axis of the predictions; targets
     * of the same element count (e.g. {@code [batch]} against {@code [batch, 1]}) are accepted.
     */
    static double[] rowMeans(String metric, Tensor yTrue, Tensor yPred, boolean squared) {
        double[] t = yTrue.toDoubleArray();
        double[] p = yPred.toDoubleArray();
        HostArrays.sameSize(metric, yTrue, yPred, t.length, p.length);
        int width = yPred.rank() <= 1 ? 1 : yPred.dim(-1);
        int rows = width == 0 ? 0 : p.length / width;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < width; c++) {
                double d = p[r * width + c] - t[r * width + c];
                s += squared ? d * d : Math.abs(d);
            }
            out[r] = s / width;
        }
        return out;
    }
}
