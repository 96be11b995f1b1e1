package dev.javelin.highlevel.layers;

import static dev.javelin.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The window every convolution layer shares ({@link ConvWindow}): strides with dilation, its config and its errors. */
class ConvWindowTest {
    /**
     * With "valid" or "causal" padding a stride s keeps every s-th output of stride 1: so strides and
     * dilation together (as PyTorch allows) are checked against the dense result on random inputs.
     */
    @Test
    void stridesWithDilationKeepEveryStrideThOutputOfStrideOne() {
        Tensor image = Tensors.normal(Shape.of(2, 13, 12, 3), 5);
        Conv2D dense = conv2d(new int[] {1, 1}), strided = conv2d(new int[] {2, 3});
        Tensor all = dense.apply(image);
        strided.apply(image);
        strided.kernel().assign(dense.kernel().value());
        strided.bias().assign(dense.bias().value());
        assertClose(all.slice(1, 0, all.dim(1), 2).slice(2, 0, all.dim(2), 3), strided.apply(image), 1e-5, 1e-6);

        Tensor steps = Tensors.normal(Shape.of(3, 17, 4), 6);
        for (String padding : List.of("valid", "causal")) {
            Conv1D dense1 = conv1d(1, padding), strided1 = conv1d(3, padding);
            Tensor every = dense1.apply(steps);
            strided1.apply(steps);
            strided1.kernel().assign(dense1.kernel().value());
            strided1.bias().assign(dense1.bias().value());
            assertClose(every.slice(1, 0, every.dim(1), 3), strided1.apply(steps), 1e-5, 1e-6);
        }
    }

    private static Conv2D conv2d(int[] strides) {
        return new Conv2D(5, new int[] {3, 2}, strides, "valid", new int[] {2, 3}, 1, null, true, new GlorotUniform(),
                new RandomNormal(0, 1, 3L), null, null, null);
    }

    private static Conv1D conv1d(int stride, String padding) {
        return new Conv1D(6, 3, stride, padding, 2, 2, "tanh", true, new GlorotUniform(), new RandomNormal(0, 1, 4L), null, null, null);
    }

    /** One int stands for every spatial axis, and each layer writes the same four window keys. */
    @Test
    void everyConvolutionWritesItsWindowWithOneSizePerAxis() {
        List<ConvolutionLayer> layers = List.of(new Conv1D(2, 3), new Conv2D(2, 3), new Conv3D(2, 3, 1, "same", null),
                new Conv1DTranspose(2, 3, 2, "same", null), new Conv2DTranspose(2, 3, 2, "valid", null),
                new Conv3DTranspose(2, 3, 2, "same", null), new DepthwiseConv1D(3, 1, "same", 2, null),
                new DepthwiseConv2D(3, 2, "valid", 1, null), new SeparableConv1D(2, 3, 1, "same", null),
                new SeparableConv2D(2, 3, 1, "same", null));
        for (ConvolutionLayer layer : layers) {
            Map<String, Object> c = layer.getConfig();
            int rank = layer.window.rank;
            assertEquals(rank, ((List<?>) c.get("kernel_size")).size(), layer + ": " + c);
            assertEquals(List.of(3, 3, 3).subList(0, rank), c.get("kernel_size"), layer.getClass().getSimpleName());
            assertEquals(rank, ((List<?>) c.get("strides")).size());
            assertEquals(rank, ((List<?>) c.get("dilation_rate")).size());
            assertTrue(c.containsKey("padding") && c.containsKey("use_bias") && c.containsKey("bias_regularizer"), c.toString());
        }
    }

    @Test
    void badWindowsNameTheLayerAndTheArgument() {
        var padding = assertThrows(IllegalArgumentException.class, () -> new Conv1D(2, 3, 1, "full", 1, 1, null, true, new GlorotUniform(),
                new RandomNormal(0, 1, 1L), null, null, null));
        assertEquals("Conv1D: padding must be \"same\", \"valid\" or \"causal\", got \"full\"", padding.getMessage());
        var causal = assertThrows(IllegalArgumentException.class, () -> new Conv2D(2, new int[] {3}, new int[] {1}, "causal", null));
        assertEquals("Conv2D: padding must be \"same\" or \"valid\", got \"causal\"", causal.getMessage());
        var sizes = assertThrows(IllegalArgumentException.class, () -> new Conv3D(2, new int[] {3, 3}, new int[] {1}, "valid",
                new int[] {1}, 1, null, true, new GlorotUniform(), new RandomNormal(0, 1, 1L), null, null, null));
        assertEquals("Conv3D: kernel_size must be one or 3 positive ints, got [3, 3]", sizes.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> new DepthwiseConv1D(3, 1, "same", 1, null).build(Shape.of(2, 5)));
        assertTrue(rank.getMessage().contains("(DepthwiseConv1D): expected inputs of rank 3 [batch, steps, channels], got [2, 5]"),
                rank.getMessage());
    }
}
