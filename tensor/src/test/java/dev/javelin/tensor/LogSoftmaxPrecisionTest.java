package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * log_softmax and the cross-entropy from logits keep the precision of {@code x - max}: they are
 * {@code (x - max) - log(sum exp(x - max))}, as PyTorch computes them, not {@code x - logsumexp(x)},
 * which rounds logsumexp at the logits' magnitude first (at logits of 100 that is 3.8e-6 off a
 * confident class's log-probability of about -1e-3, a relative error of 0.4%; PyTorch's float32 is
 * within 1e-7 there). Checked against the same formula in float64 on the float32 logits.
 */
class LogSoftmaxPrecisionTest {
    @Test
    void logSoftmaxAndCrossEntropyAreAsPreciseAsXMinusMax() {
        Random r = new Random(11);
        for (int C : new int[] {2, 3, 10, 100}) {
            for (double scale : new double[] {1, 10, 100, 1000}) {
                int rows = 50;
                float[] x = new float[rows * C];
                long[] labels = new long[rows];
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * scale);
                for (int i = 0; i < rows; i++) {
                    int best = 0;
                    for (int j = 1; j < C; j++) if (x[i * C + j] > x[i * C + best]) best = j;
                    labels[i] = r.nextBoolean() ? best : r.nextInt(C); // confident rows are where precision was lost
                }
                Tensor logits = Tensors.of(x, rows, C);
                float[] lp = NN.logSoftmax(logits, -1).toFloatArray();
                float[] ce = NN.sparseCategoricalCrossEntropy(logits, Tensors.of(labels), true).toFloatArray();
                for (int i = 0; i < rows; i++) {
                    double m = Double.NEGATIVE_INFINITY, s = 0;
                    for (int j = 0; j < C; j++) m = Math.max(m, x[i * C + j]);
                    for (int j = 0; j < C; j++) s += Math.exp(x[i * C + j] - m);
                    for (int j = 0; j < C; j++) {
                        double want = (x[i * C + j] - m) - Math.log(s);
                        check("log_softmax", C, scale, x[i * C + j], lp[i * C + j], want);
                    }
                    check("sparse cross-entropy", C, scale, x[i * C + (int) labels[i]], ce[i], -((x[i * C + (int) labels[i]] - m) - Math.log(s)));
                }
            }
        }
    }

    /** Within two ulps of the value plus a few of 1 (the rounding of the sum of exponentials). */
    private static void check(String what, int c, double scale, float logit, float got, double want) {
        double bound = 2 * Math.ulp((float) Math.abs(want)) + 8 * Math.ulp(1f);
        assertTrue(Math.abs(got - want) <= bound, what + " of logit " + logit + " (C=" + c + ", logits of scale " + scale + "): "
                + got + ", want " + want + " (off " + Math.abs(got - want) + ", bound " + bound + ")");
    }
}
