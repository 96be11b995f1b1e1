package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The tanh form of GELU, {@code x (1 + tanh(u)) / 2} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)}, keeps its
 * relative precision where {@code 1 + tanh(u)} cancels (negative x): against {@code x / (1 + exp(-2u))}
 * in float64 (the same function without the cancellation), every float32 x on a fine grid of [-6, 6].
 * The bound allows what rounding u itself to float32 costs (its relative error times 2|u|, about 40 ulp
 * at x = -6); the sum 1 + tanh(u) was up to 16,500 ulp off on [-4, -1] and lost all digits below -5.
 */
class GeluTanhPrecisionTest {
    @Test
    void tanhFormGeluKeepsItsRelativePrecisionForNegativeInputs() {
        int n = 240_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -6f + 12f * i / (n - 1);
        float[] got = NN.gelu(Tensors.of(x, n), true).toFloatArray();
        double c = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double xd = x[i], u = c * (xd + 0.044715 * xd * xd * xd);
            double want = xd / (1 + Math.exp(-2 * u));
            double ulps = Math.abs(got[i] - want) / Math.ulp((float) Math.max(Math.abs(want), Float.MIN_NORMAL));
            double bound = 4 + 8 * Math.abs(u); // the float32 rounding of u, amplified by d log(sigmoid(2u)) / du = 2 (1 - sigmoid)
            assertTrue(ulps <= bound, "gelu(" + x[i] + ", tanh form) = " + got[i] + ", want " + want + " (" + ulps + " ulp, bound " + bound + ")");
        }
    }
}
