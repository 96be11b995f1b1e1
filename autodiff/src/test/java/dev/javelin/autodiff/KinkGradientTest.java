package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Gradients exactly at the kinks, where a convention decides, checked against PyTorch 1.13's
 * conventions (the expected values follow from its backward formulas: softplus_backward and
 * log_sigmoid_backward use sigmoid, elu_backward takes the negative branch at 0, clamp_backward
 * passes on the closed interval, max_pool2d routes to the argmax, std_backward masks std == 0;
 * torch itself was not available on the build machine to rerun them): softplus and
 * logSigmoid give sigmoid(0) = 0.5, BCE from logits sigmoid(0) - t, elu alpha, clamp 1 on its
 * bounds, max pooling the whole gradient to one of tied values, std and norm 0 where they are 0.
 * Each in float32 and float64.
 */
class KinkGradientTest {
    enum Precision {
        F32(DType.FLOAT32), F64(DType.FLOAT64);
        final DType dtype;
        Precision(DType d) { dtype = d; }
    }

    private static double[] grad(Function<Tensor, Tensor> f, Tensor x) {
        return Autodiff.grad(a -> f.apply(a[0]).sum(), 0).apply(new Tensor[] {x})[0].toDoubleArray();
    }

    private static Tensor of(DType dt, double... v) {
        return Tensors.of(v).cast(dt);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softplusLogSigmoidAndBceFromLogitsAtZero(Precision p) {
        Tensor zero = of(p.dtype, 0);
        assertEquals(0.5, grad(NN::softplus, zero)[0]);
        assertEquals(0.5, grad(NN::logSigmoid, zero)[0]);
        Tensor t = of(p.dtype, 0.25);
        assertEquals(0.25, grad(x -> NN.binaryCrossEntropy(x, t, true), zero)[0]); // sigmoid(0) - t
        // away from 0 the rules are unchanged: sigmoid(x), 1 - sigmoid(x)
        assertEquals(1 / (1 + Math.exp(-1.5)), grad(NN::softplus, of(p.dtype, 1.5))[0], 1e-6);
        assertEquals(1 - 1 / (1 + Math.exp(2.0)), grad(NN::logSigmoid, of(p.dtype, -2))[0], 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softplusAndLogSigmoidKeepTheirTails(Precision p) {
        double tail = Math.log1p(Math.exp(-20)); // 2.0611536e-9
        assertEquals(tail, NN.softplus(of(p.dtype, -20)).toDoubleArray()[0], tail * 1e-6);
        assertEquals(-tail, NN.logSigmoid(of(p.dtype, 20)).toDoubleArray()[0], tail * 1e-6);
        assertEquals(Math.exp(-100), NN.softplus(of(DType.FLOAT64, -100)).toDoubleArray()[0], 1e-50);
        assertEquals(100, NN.softplus(of(p.dtype, 100)).toDoubleArray()[0]);
    }

    /**
     * atan is smooth: 1/(1+x^2) at 0 and at both signed zeros (its composition once took |x| through abs, whose
     * gradient at 0 is 0), and 0 at the infinities (an unused branch's inf/inf once made it NaN).
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void atanHasItsDerivativeAtZeroAndTheInfinities(Precision p) {
        double[] x = {0, -0.0, 1e-3, -0.5, 0.66, 2.5, -40, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) expected[i] = 1 / (1 + x[i] * x[i]);
        assertArrayEquals(expected, grad(MathOps::atan, of(p.dtype, x)), p == Precision.F64 ? 1e-12 : 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void eluGivesAlphaAtZero(Precision p) {
        assertArrayEquals(new double[] {1.5, 1.5 * Math.exp(-1), 1}, grad(x -> NN.elu(x, 1.5), of(p.dtype, 0, -1, 2)), 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void clampPassesTheGradientOnItsBounds(Precision p) {
        assertArrayEquals(new double[] {0, 1, 1, 1, 0}, grad(x -> MathOps.clamp(x, -0.5, 0.75), of(p.dtype, -1, -0.5, 0, 0.75, 2)));
        double[] nan = MathOps.clamp(of(p.dtype, Double.NaN), -1, 1).toDoubleArray();
        assertTrue(Double.isNaN(nan[0]), "NaN stays NaN");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void maxPoolGivesATiedGradientToOneElement(Precision p) {
        // one 2x2 window of equal values, and one whose maximum 5 appears twice
        Tensor x = of(p.dtype, 3, 3, 1, 5, 3, 3, 5, 2).reshape(1, 2, 4, 1);
        double[] g = grad(t -> NN.maxPool2d(t, new int[] {2, 2}, null, "valid"), x);
        // PyTorch (and TensorFlow): the first maximum in row-major window order gets all of it
        assertArrayEquals(new double[] {1, 0, 0, 1, 0, 0, 0, 0}, g);
        assertArrayEquals(new double[] {3, 5}, NN.maxPool2d(x, new int[] {2, 2}, null, "valid").toDoubleArray());
        Tensor withNan = of(p.dtype, 1, Double.NaN, 7, 2).reshape(1, 2, 2, 1);
        assertTrue(Double.isNaN(NN.maxPool2d(withNan, new int[] {2, 2}, null, "valid").toDoubleArray()[0]), "NaN propagates");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void stdAndNormHaveZeroGradientWhereTheyAreZero(Precision p) {
        Tensor constant = of(p.dtype, 2, 2, 2, 2, 1, 3).reshape(2, 3);
        double[] g = grad(x -> MathOps.std(x, new int[] {1}, 1, false), constant);
        assertArrayEquals(new double[] {0, 0, 0, 0, -0.5, 0.5}, g, 1e-6); // row 0 is constant: 0, not NaN
        assertArrayEquals(new double[] {0, 0, 0}, grad(x -> MathOps.norm(x, null, false), of(p.dtype, 0, 0, 0)));
        assertArrayEquals(new double[] {0.6, 0.8}, grad(x -> MathOps.norm(x, null, false), of(p.dtype, 3, 4)), 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void log1pAndExpm1AreAccurateNearZero(Precision p) {
        boolean single = p.dtype == DType.FLOAT32;
        for (double x : new double[] {1e-8, -1e-8, 1e-20, 3e-5, -0.3, 0.7, 5, 1e6}) {
            double xr = single ? (float) x : x;
            assertUlps(Math.log1p(xr), MathOps.log1p(of(p.dtype, xr)).toDoubleArray()[0], single, "log1p(" + x + ")");
            assertUlps(Math.expm1(xr), MathOps.expm1(of(p.dtype, xr)).toDoubleArray()[0], single, "expm1(" + x + ")");
            if (Math.abs(x) < 10) {
                assertEquals(1 / (1 + xr), grad(MathOps::log1p, of(p.dtype, xr))[0], (single ? 5e-7 : 1e-15) / (1 + xr), "log1p' at " + x);
                assertEquals(Math.exp(xr), grad(MathOps::expm1, of(p.dtype, xr))[0], (single ? 5e-7 : 1e-15) * Math.exp(xr), "expm1' at " + x);
            }
        }
        assertEquals(-1, MathOps.expm1(of(p.dtype, -200)).toDoubleArray()[0]);
        assertEquals(Double.POSITIVE_INFINITY, MathOps.expm1(of(p.dtype, 1000)).toDoubleArray()[0]);
        assertEquals(Double.NEGATIVE_INFINITY, MathOps.log1p(of(p.dtype, -1)).toDoubleArray()[0]);
        assertEquals(Double.POSITIVE_INFINITY, MathOps.log1p(of(p.dtype, Double.POSITIVE_INFINITY)).toDoubleArray()[0]);
        assertEquals(0.0, grad(MathOps::log1p, of(p.dtype, Double.POSITIVE_INFINITY))[0], "log1p' at +inf (PyTorch: 1 / (1 + inf) = 0)");
        assertTrue(Double.isNaN(MathOps.log1p(of(p.dtype, -2)).toDoubleArray()[0]));
        assertEquals(0.5, grad(MathOps::log1p, of(p.dtype, 1e-30))[0] * 0.5, 1e-7); // u == 1 branch: gradient 1, not NaN
        assertEquals(Shape.of(1), Tensors.of(new double[] {1e-8}).expm1().shape()); // public on Tensor too
    }

    /** Within 4 ulp of the correctly rounded value in the tensor's precision. */
    private static void assertUlps(double expected, double actual, boolean single, String what) {
        double ulp = single ? Math.ulp((float) expected) : Math.ulp(expected);
        double e = single ? (float) expected : expected;
        if (Double.isInfinite(e)) {
            assertEquals(e, actual, what);
            return;
        }
        assertTrue(Math.abs(actual - e) <= 4 * ulp, what + ": expected " + e + ", got " + actual + " ("
                + Math.abs(actual - e) / ulp + " ulp)");
    }
}
