package dev.javelin.highlevel.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerConfigTest {
    private static void roundTrips(Optimizer opt) {
        Map<String, Object> c = opt.getConfig();
        Optimizer back = Optimizer.fromConfig(c);
        assertEquals(opt.getClass(), back.getClass());
        assertEquals(c, back.getConfig());
    }

    @Test
    void everyOptimizerRoundTripsThroughItsConfig() {
        roundTrips(SGD.builder().learningRate(0.05).momentum(0.9).nesterov(true).clipValue(2).build());
        roundTrips(Adam.builder().learningRate(0.002).beta1(0.8).beta2(0.99).epsilon(1e-6).amsgrad(true).clipNorm(1).build());
        roundTrips(AdamW.builder().weightDecay(0.01).excludeFromWeightDecay("bias", "norm").build());
        roundTrips(RMSprop.builder().rho(0.8).momentum(0.1).centered(true).globalClipNorm(3).build());
        roundTrips(Adagrad.builder().initialAccumulatorValue(0.2).name("ada").build());
        roundTrips(Adam.builder().learningRate(new CosineDecay(1e-3, 100, 0.1, 2e-3, 10)).build());
        roundTrips(SGD.builder().learningRate(new ExponentialDecay(0.1, 10, 0.9, true)).build());
        roundTrips(SGD.builder().learningRate(new PiecewiseConstantDecay(new double[] {5}, new double[] {1, 0.1})).build());
    }

    @Test
    void configNamesMatchKeras() {
        Map<String, Object> c = new Adam().getConfig();
        assertEquals("Adam", c.get("class_name"));
        assertEquals("adam", c.get("name"));
        assertEquals(0.9, c.get("beta_1"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(0.001, (double) c.get("learning_rate"), 1e-9);
    }

    @Test
    void lookupByName() {
        assertInstanceOf(Adam.class, Optimizers.get("adam"));
        assertInstanceOf(AdamW.class, Optimizers.get("AdamW"));
        assertInstanceOf(SGD.class, Optimizers.get("sgd"));
        assertInstanceOf(RMSprop.class, Optimizers.get("rmsprop"));
        assertInstanceOf(Adagrad.class, Optimizers.get("adagrad"));
        assertEquals(0.01, Optimizers.get("sgd").learningRate(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Optimizers.get("lion"));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.fromConfig(Map.of("class_name", "Lion")));
    }

    @Test
    void variablesAreNamedAfterTheOptimizerAndTheWeight() {
        Adam opt = new Adam();
        opt.buildFor(List.of(Steps.weight()));
        List<String> names = opt.variables().stream().map(dev.javelin.tensor.Variable::name).toList();
        assertEquals(List.of("adam/iterations", "adam/learning_rate", "adam/w/momentum", "adam/w/velocity"), names);
    }
}
