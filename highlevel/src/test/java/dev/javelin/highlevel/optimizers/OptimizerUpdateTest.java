package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each optimizer's two first steps against values computed by hand from Keras 3's update formulas
 * (the numbers with many digits come from highlevel/src/test/python/reference_values.py, a float64
 * transcription of those formulas with the learning rate rounded to float32, since it is a float32
 * variable as in Keras).
 */
class OptimizerUpdateTest {
    private static final double TOL = 1e-12;

    @Test
    void sgdPlain() {
        Steps.check(new SGD(0.5), new double[][] {{0.75, -1.5}, {0.7, -1.65}}, TOL);
    }

    @Test
    void sgdMomentum() {
        // m1 = -0.5 g1 = [-0.25, 0.5]; m2 = -0.5 g2 + 0.5 m1 = [-0.175, 0.1]
        Steps.check(SGD.builder().learningRate(0.5).momentum(0.5).build(),
                new double[][] {{0.75, -1.5}, {0.575, -1.4}}, TOL);
    }

    @Test
    void sgdNesterov() {
        // w += -lr g + momentum * m_new
        Steps.check(SGD.builder().learningRate(0.5).momentum(0.5).nesterov(true).build(),
                new double[][] {{0.625, -1.25}, {0.4875, -1.35}}, TOL);
    }

    @Test
    void adam() {
        Steps.check(new Adam(0.01), new double[][] {
            {0.9900000634686692, -1.9900000318461932}, {0.9819697036899909, -1.9857215589918495}}, TOL);
    }

    @Test
    void adamEpsilonIsAddedToTheUncorrectedSqrtOfV() {
        // a large epsilon makes Keras's placement (sqrt(v) + eps, with lr bias-corrected) visible
        Steps.check(Adam.builder().learningRate(0.01).epsilon(0.1).build(), new double[][] {
            {0.998634729435558, -1.9975974693201803}, {0.9975201255281764, -1.996535890131905}}, TOL);
    }

    @Test
    void adamAmsgradKeepsTheMaximumSecondMoment() {
        // a tiny second gradient makes v shrink, so amsgrad divides by step 1's v = [0.00025, 0.001]
        Optimizer plain = new Adam(0.01);
        Optimizer ams = Adam.builder().learningRate(0.01).amsgrad(true).build();
        Variable a = Steps.weight();
        Variable b = Steps.weight();
        double[][] grads = {{0.5, -1.0}, {1e-3, 1e-3}};
        for (double[] g : grads) {
            plain.apply(List.of(a), List.of(Tensors.of(g.clone())));
            ams.apply(List.of(b), List.of(Tensors.of(g.clone())));
        }
        // by hand: t=2, m = [0.0451, -0.0899], v_hat = v1 = [0.00025, 0.001], alpha = 0.01 sqrt(1-0.999^2)/(1-0.9^2)
        double lr = (float) 0.01; // the learning rate is a float32 variable, as in Keras
        double alpha2 = lr * Math.sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
        double alpha1 = lr * Math.sqrt(1 - 0.999) / (1 - 0.9);
        double[] w1 = {1 - 0.05 * alpha1 / (Math.sqrt(0.00025) + 1e-7), -2 + 0.1 * alpha1 / (Math.sqrt(0.001) + 1e-7)};
        double m20 = 0.05 + (1e-3 - 0.05) * 0.1;
        double m21 = -0.1 + (1e-3 + 0.1) * 0.1;
        double[] expected = {w1[0] - m20 * alpha2 / (Math.sqrt(0.00025) + 1e-7), w1[1] - m21 * alpha2 / (Math.sqrt(0.001) + 1e-7)};
        assertArrayEquals(expected, b.stored().toDoubleArray(), TOL);
        double[] pa = a.stored().toDoubleArray();
        assertEquals(true, Math.abs(pa[0] - expected[0]) > 1e-6, "plain Adam uses the smaller v");
    }

    @Test
    void adamWDecaysWeightsBeforeTheAdamStep() {
        Steps.check(AdamW.builder().learningRate(0.01).weightDecay(0.1).build(), new double[][] {
            {0.989000063491021, -1.9880000318908968}, {0.9799807036709576, -1.9817335590490974}}, TOL);
    }

    @Test
    void weightDecayExclusionByName() {
        Optimizer opt = AdamW.builder().learningRate(0.25).weightDecay(0.5).excludeFromWeightDecay("bias").build();
        Variable kernel = new Variable("dense/kernel", Tensors.of(new double[] {1.0}), true);
        Variable bias = new Variable("dense/bias", Tensors.of(new double[] {1.0}), true);
        opt.apply(List.of(kernel, bias), List.of(Tensors.of(new double[] {0.0}), Tensors.of(new double[] {0.0})));
        assertEquals(0.875, kernel.stored().item(), TOL);
        assertEquals(1.0, bias.stored().item(), TOL);
    }

    @Test
    void rmsprop() {
        Steps.check(RMSprop.builder().learningRate(0.01).build(), new double[][] {
            {0.9683772873505024, -1.9683772399165165}, {0.9618540206450508, -1.977911860780393}}, TOL);
    }

    @Test
    void rmspropCenteredWithMomentum() {
        Steps.check(RMSprop.builder().learningRate(0.01).momentum(0.5).centered(true).build(), new double[][] {
            {0.9666667414855502, -1.9666666859302273}, {0.9430115638724171, -1.9597128822112218}}, TOL);
    }

    @Test
    void adagradStartsFromTheInitialAccumulator() {
        Steps.check(new Adagrad(0.1), new double[][] {
            {0.9154845853414002, -1.9046537439885913}, {0.8988179207411953, -1.9321546981537316}}, TOL);
    }

    @Test
    void float32VariablesStayFloat32AndIterationsCount() {
        Adam opt = new Adam(0.01);
        Variable w = new Variable("w32", Tensors.of(new float[] {1f, -2f}), true);
        opt.apply(List.of(w), List.of(Tensors.of(new float[] {0.5f, -1f})));
        opt.apply(List.of(w), List.of(Tensors.of(new float[] {0.1f, 0.3f})));
        assertEquals(DType.FLOAT32, w.stored().dtype());
        assertArrayEquals(new float[] {0.98196970f, -1.98572156f}, w.stored().toFloatArray(), 2e-6f);
        assertEquals(DType.INT64, opt.iterations().stored().dtype());
        assertEquals(2, opt.iterations().stored().item());
        // iterations, learning rate, m and v
        assertEquals(4, opt.variables().size());
        for (Variable v : opt.variables()) assertEquals(false, v.trainable(), v.name());
    }

    @Test
    void nullGradientsLeaveTheirVariableAlone() {
        SGD opt = new SGD(0.5);
        Variable a = new Variable("a", Tensors.of(new double[] {1.0}), true);
        Variable b = new Variable("b", Tensors.of(new double[] {1.0}), true);
        opt.apply(List.of(a, b), java.util.Arrays.asList(Tensors.of(new double[] {1.0}), null));
        assertEquals(0.5, a.stored().item(), TOL);
        assertEquals(1.0, b.stored().item(), TOL);
    }
}
