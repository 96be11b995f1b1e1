package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClippingAndScheduleTest {
    private static final double TOL = 1e-12;

    private static Variable var(String name, double... v) {
        return new Variable(name, Tensors.of(v), true);
    }

    @Test
    void clipNormRescalesEachGradientOverTheNorm() {
        Optimizer opt = SGD.builder().learningRate(1.0).clipNorm(1.0).build();
        Variable a = var("a", 0, 0);
        Variable b = var("b", 0, 0);
        Variable z = var("z", 1, 1);
        opt.apply(List.of(a, b, z), List.of(Steps.t(3, 4), Steps.t(0.3, 0.4), Steps.t(0, 0)));
        assertArrayEquals(new double[] {-0.6, -0.8}, a.stored().toDoubleArray(), TOL);
        assertArrayEquals(new double[] {-0.3, -0.4}, b.stored().toDoubleArray(), TOL, "under the norm: unchanged");
        assertArrayEquals(new double[] {1, 1}, z.stored().toDoubleArray(), TOL, "a zero gradient stays zero, no NaN");
    }

    @Test
    void globalClipNormRescalesAllGradientsTogether() {
        Optimizer opt = SGD.builder().learningRate(1.0).globalClipNorm(1.0).build();
        Variable a = var("a", 0, 0);
        Variable b = var("b", 0);
        opt.apply(List.of(a, b), List.of(Steps.t(3, 4), Steps.t(12))); // global norm 13
        assertArrayEquals(new double[] {-3 / 13.0, -4 / 13.0}, a.stored().toDoubleArray(), TOL);
        assertArrayEquals(new double[] {-12 / 13.0}, b.stored().toDoubleArray(), TOL);
        Optimizer loose = SGD.builder().learningRate(1.0).globalClipNorm(100).build();
        Variable c = var("c", 0, 0);
        loose.apply(List.of(c), List.of(Steps.t(3, 4)));
        assertArrayEquals(new double[] {-3, -4}, c.stored().toDoubleArray(), TOL);
    }

    @Test
    void clipValueClampsElements() {
        Optimizer opt = SGD.builder().learningRate(1.0).clipValue(0.5).build();
        Variable a = var("a", 0, 0, 0);
        opt.apply(List.of(a), List.of(Steps.t(3, -4, 0.2)));
        assertArrayEquals(new double[] {-0.5, 0.5, -0.2}, a.stored().toDoubleArray(), TOL);
    }

    @Test
    void atMostOneClipping() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Adam.builder().clipNorm(1).clipValue(1).build());
        assertTrue(e.getMessage().contains("at most one"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder().clipNorm(-1));
    }

    @Test
    void exponentialDecay() {
        assertEquals(0.1, new ExponentialDecay(0.1, 10, 0.5, false).at(0), 1e-8);
        assertEquals(0.1 * Math.sqrt(0.5), new ExponentialDecay(0.1, 10, 0.5, false).at(5), 1e-8);
        assertEquals(0.05, new ExponentialDecay(0.1, 10, 0.5, true).at(15), 1e-8);
        assertEquals(0.025, new ExponentialDecay(0.1, 10, 0.5, true).at(20), 1e-8);
    }

    @Test
    void cosineDecay() {
        CosineDecay c = new CosineDecay(1.0, 10);
        assertEquals(1.0, c.at(0), 1e-7);
        assertEquals(0.5, c.at(5), 1e-7);
        assertEquals(0.0, c.at(10), 1e-7);
        assertEquals(0.0, c.at(25), 1e-7, "constant after decaySteps");
        assertEquals(0.1, new CosineDecay(1.0, 10, 0.1, null, 0).at(10), 1e-7);
        assertEquals(0.55, new CosineDecay(1.0, 10, 0.1, null, 0).at(5), 1e-7);
        CosineDecay warm = new CosineDecay(0.0, 10, 0.0, 1.0, 4);
        assertEquals(0.0, warm.at(0), 1e-7);
        assertEquals(0.5, warm.at(2), 1e-7);
        assertEquals(1.0, warm.at(4), 1e-7);
        assertEquals(0.5, warm.at(9), 1e-7);
    }

    @Test
    void piecewiseConstantDecay() {
        PiecewiseConstantDecay p = new PiecewiseConstantDecay(new double[] {10, 20}, new double[] {1, 0.5, 0.1});
        assertEquals(1.0, p.at(0), 1e-7);
        assertEquals(1.0, p.at(10), 1e-7);
        assertEquals(0.5, p.at(11), 1e-7);
        assertEquals(0.5, p.at(20), 1e-7);
        assertEquals(0.1, p.at(21), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new double[] {1}, new double[] {1}));
    }

    @Test
    void scheduleDrivesTheStepAndCannotBeSet() {
        Optimizer opt = SGD.builder().learningRate(new PiecewiseConstantDecay(new double[] {0}, new double[] {1.0, 0.5})).build();
        Steps.check(opt, new double[][] {{0.5, -1.0}, {0.45, -1.15}}, 1e-7);
        assertEquals(0.5, opt.learningRate(), 1e-7);
        assertThrows(IllegalStateException.class, () -> opt.setLearningRate(0.1));
    }

    @Test
    void setLearningRateTakesEffectOnTheNextStep() {
        Optimizer opt = new SGD(0.1);
        Variable w = var("w", 1.0);
        opt.apply(List.of(w), List.of(Steps.t(1.0)));
        opt.setLearningRate(0.01);
        assertEquals(0.01, opt.learningRate(), 1e-9);
        opt.apply(List.of(w), List.of(Steps.t(1.0)));
        assertEquals(1.0 - 0.1 - 0.01, w.stored().item(), 1e-8);
        assertEquals(DType.FLOAT32, opt.currentLearningRate().dtype());
    }

    @Test
    void rejectsMismatchedGradientsAndForeignVariables() {
        Optimizer opt = new SGD(0.1);
        Variable w = var("w", 1.0, 2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> opt.apply(List.of(w), List.of(Steps.t(1.0))));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> opt.apply(List.of(w), List.of()));
        opt.apply(List.of(w), List.of(Steps.t(1.0, 1.0)));
        Variable other = var("other", 1.0);
        assertThrows(IllegalStateException.class, () -> opt.apply(List.of(other), List.of(Steps.t(1.0))));
        Variable twice = var("twice", 1.0);
        e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(0.1).apply(List.of(twice, twice), List.of(Steps.t(1.0), Steps.t(1.0))));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    }
}
