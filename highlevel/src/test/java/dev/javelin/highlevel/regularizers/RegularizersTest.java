package dev.javelin.highlevel.regularizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** L1, L2 and L1L2 against hand-computed penalties, and their configs. */
class RegularizersTest {
    private final Tensor w = Tensors.of(new float[] {1, -2, 3, -0.5f}, 2, 2);

    @Test
    void penaltiesMatchHandComputation() {
        assertEquals(0.1 * 6.5, new L1(0.1).apply(w).item(), 1e-6);
        assertEquals(0.01 * (1 + 4 + 9 + 0.25), new L2(0.01).apply(w).item(), 1e-6);
        assertEquals(0.1 * 6.5 + 0.01 * 14.25, new L1L2(0.1, 0.01).apply(w).item(), 1e-6);
        assertEquals(0, new L1L2(0, 0).apply(w).item());
    }

    @Test
    void configsRoundTrip() {
        assertEquals(0.3, ((L1L2) Regularizer.fromConfig("L2", new L2(0.3).getConfig())).l2());
        assertEquals(Map.of("l1", 0.2), new L1(0.2).getConfig());
        assertThrows(IllegalArgumentException.class, () -> new L2(-1));
        assertThrows(IllegalArgumentException.class, () -> Regularizer.fromConfig("Orthogonal", Map.of()));
    }
}
