package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Device;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The GPU training test's model, run on the CPU: its hand-written gradients must make the loss fall. */
class MnistLikeStepTest {
    @Test
    void theLossFallsOnTheCpu() {
        float[] losses = MnistLikeStep.train(Device.CPU, 8);
        assertTrue(losses[0] > 1.2 && losses[0] < 1.6, "starts near ln 4: " + Arrays.toString(losses));
        assertTrue(losses[7] < 0.8 * losses[0], "falls: " + Arrays.toString(losses));
    }
}
