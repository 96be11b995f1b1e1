package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** evaluate and predict, like fit, stop after the current batch when their thread is interrupted. */
class EvaluatePredictInterruptTest {
    private static final Toy DATA = Toy.of(40, 3); // batch 8: 5 batches

    @Test
    void evaluateStopsAfterTheCurrentBatch() {
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(new SGD(0.1), Losses.get("sparse_categorical_crossentropy"));
        AtomicInteger batches = new AtomicInteger();
        Callback interruptAtSecond = new Callback() {
            @Override
            public void onTestBatchEnd(int batch, Map<String, Double> logs) {
                if (batches.incrementAndGet() == 2) Thread.currentThread().interrupt();
            }
        };
        CancellationException e = assertThrows(CancellationException.class,
                () -> m.evaluate(List.of(DATA.x()), List.of(DATA.y()), 8, List.of(interruptAtSecond), 0));
        assertTrue(Thread.interrupted(), "the flag stays set (and is cleared here)");
        assertEquals(2, batches.get());
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("evaluate: interrupted after 2 of 5 batches"), e.getMessage());
    }

    @Test
    void predictStopsAfterTheCurrentBatch() {
        AtomicInteger calls = new AtomicInteger();
        Layer interruptOnFirst = new Layer() {
            @Override
            public Tensor call(Tensor x, boolean training) {
                if (calls.incrementAndGet() == 1) Thread.currentThread().interrupt();
                return x;
            }
        };
        Model m = new Sequential(Input.of(4), interruptOnFirst);
        m.compile(CompileOptions.builder().optimizer(new SGD(0.1)).loss(Losses.get("mse")).jitCompile(false).build());
        calls.set(0);
        CancellationException e = assertThrows(CancellationException.class, () -> m.predict(DATA.x(), 8));
        assertTrue(Thread.interrupted());
        assertEquals(1, calls.get());
        assertTrue(e.getMessage().startsWith("predict: interrupted after 1 of 5 batches"), e.getMessage());
    }
}
