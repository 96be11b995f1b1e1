package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * The transposed convolutions' output length is Keras's {@code deconv_output_length}: with "valid",
 * {@code size * stride + max(window - stride, 0)}, so a window shorter than its stride keeps the
 * stride's trailing gap ({@code size * stride}, not {@code (size - 1) * stride + window}). Values
 * against a direct scatter loop (each input position adds its kernel-weighted values at
 * {@code i * stride + tap * dilation}), then gradients against finite differences.
 */
class TransposedConvolutionLengthTest {
    private static Tensor x(long seed, int... dims) {
        return new RandomTensors(seed).normal(Shape.of(dims)).cast(DType.FLOAT64);
    }

    /**
     * The transposed convolution of {@code x [N, D, H, W, C]} with {@code kernel [kd, kh, kw, F, C]}
     * into {@code out} spatial sizes, cropping {@code crop} leading positions per axis, plus {@code bias}.
     */
    private static double[] scatter(Tensor x, Tensor kernel, Tensor bias, int[] strides, int[] dilation, int[] out, int[] crop) {
        int n = x.dim(0), c = x.dim(4), f = kernel.dim(3);
        double[] xs = x.toDoubleArray(), ks = kernel.toDoubleArray(), bs = bias.toDoubleArray();
        double[] y = new double[n * out[0] * out[1] * out[2] * f];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < y.length / n; o++) y[b * (y.length / n) + o] = bs[o % f];
            for (int i0 = 0; i0 < x.dim(1); i0++) for (int i1 = 0; i1 < x.dim(2); i1++) for (int i2 = 0; i2 < x.dim(3); i2++)
                for (int a0 = 0; a0 < kernel.dim(0); a0++) for (int a1 = 0; a1 < kernel.dim(1); a1++) for (int a2 = 0; a2 < kernel.dim(2); a2++) {
                    int p0 = i0 * strides[0] + a0 * dilation[0] - crop[0];
                    int p1 = i1 * strides[1] + a1 * dilation[1] - crop[1];
                    int p2 = i2 * strides[2] + a2 * dilation[2] - crop[2];
                    if (p0 < 0 || p1 < 0 || p2 < 0 || p0 >= out[0] || p1 >= out[1] || p2 >= out[2]) continue;
                    for (int fo = 0; fo < f; fo++) for (int ci = 0; ci < c; ci++) {
                        double xv = xs[(((b * x.dim(1) + i0) * x.dim(2) + i1) * x.dim(3) + i2) * c + ci];
                        double kv = ks[(((a0 * kernel.dim(1) + a1) * kernel.dim(2) + a2) * f + fo) * c + ci];
                        y[(((b * out[0] + p0) * out[1] + p1) * out[2] + p2) * f + fo] += xv * kv;
                    }
                }
        }
        return y;
    }

    /** The layer's kernel (0) or bias (1), as built. */
    private static Tensor weight(Layer layer, int i) {
        return layer.weights().get(i).value();
    }

    private static RandomNormal init(long seed) {
        return new RandomNormal(0, 0.5, seed);
    }

    @Test
    void aWindowShorterThanItsStrideKeepsTheTrailingGapInOneDimension() {
        // kernel 2, stride 3: Keras gives 4 * 3 + max(2 - 3, 0) = 12 steps (the old length was 3 * 3 + 2 = 11)
        Conv1DTranspose layer = new Conv1DTranspose(2, 2, 3, "valid", 1, null, true, init(1), init(2), null, null, null);
        Tensor in = x(3, 2, 4, 3);
        Tensor y = layer.apply(in);
        assertArrayEquals(new int[] {2, 12, 2}, y.shape().toArray());
        assertEquals(Shape.of(2, 12, 2), layer.computeOutputShape(in.shape()));
        double[] want = scatter(in.reshape(2, 1, 1, 4, 3), weight(layer, 0).cast(DType.FLOAT64).reshape(1, 1, 2, 2, 3),
                weight(layer, 1).cast(DType.FLOAT64), new int[] {1, 1, 3}, new int[] {1, 1, 1}, new int[] {1, 1, 12}, new int[3]);
        assertArrayEquals(want, y.toDoubleArray(), 1e-5);
        LayerGradientsTest.check(new Conv1DTranspose(2, 1, 2, "valid", null), true, x(4, 1, 3, 2));
    }

    @Test
    void aWindowShorterThanItsStrideKeepsTheTrailingGapInTwoDimensions() {
        // height: kernel 1, stride 3 -> 3 * 3 = 9; width: kernel 3 dilated to 5 > stride 2 -> (4 - 1) * 2 + 5 = 11
        Conv2DTranspose layer = new Conv2DTranspose(3, new int[] {1, 3}, new int[] {3, 2}, "valid", new int[] {1, 2}, null, true,
                init(5), init(6), null, null, null);
        Tensor in = x(7, 2, 3, 4, 2);
        Tensor y = layer.apply(in);
        assertArrayEquals(new int[] {2, 9, 11, 3}, y.shape().toArray());
        double[] want = scatter(in.reshape(2, 1, 3, 4, 2), weight(layer, 0).cast(DType.FLOAT64).reshape(1, 1, 3, 3, 2),
                weight(layer, 1).cast(DType.FLOAT64), new int[] {1, 3, 2}, new int[] {1, 1, 2}, new int[] {1, 9, 11}, new int[3]);
        assertArrayEquals(want, y.toDoubleArray(), 1e-5);
        LayerGradientsTest.check(new Conv2DTranspose(2, new int[] {2, 1}, new int[] {3, 2}, "valid", new int[] {1, 1}, "tanh", true,
                init(8), init(9), null, null, null), true, x(10, 1, 2, 3, 2));
    }

    @Test
    void aWindowShorterThanItsStrideKeepsTheTrailingGapInThreeDimensions() {
        // depth kernel 1 stride 2 -> 2 * 2 = 4; height kernel 2 stride 3 -> 2 * 3 = 6; width kernel 3 stride 1 -> 2 + 2 = 4
        Conv3DTranspose layer = new Conv3DTranspose(2, new int[] {1, 2, 3}, new int[] {2, 3, 1}, "valid", new int[] {1}, null, true,
                init(11), init(12), null, null, null);
        Tensor in = x(13, 1, 2, 2, 2, 2);
        Tensor y = layer.apply(in);
        assertArrayEquals(new int[] {1, 4, 6, 4, 2}, y.shape().toArray());
        double[] want = scatter(in, weight(layer, 0).cast(DType.FLOAT64), weight(layer, 1).cast(DType.FLOAT64),
                new int[] {2, 3, 1}, new int[] {1, 1, 1}, new int[] {4, 6, 4}, new int[3]);
        assertArrayEquals(want, y.toDoubleArray(), 1e-5);
    }

    @Test
    void samePaddingCropsTheLeadingPositionsAsKerasDoes() {
        // "same": H * stride; the crop is the forward convolution's leading "same" padding, (window - stride) / 2
        Conv2DTranspose layer = new Conv2DTranspose(2, new int[] {4, 1}, new int[] {2, 3}, "same", new int[] {1, 1}, null, true,
                init(14), init(15), null, null, null);
        Tensor in = x(16, 1, 3, 2, 2);
        Tensor y = layer.apply(in);
        assertArrayEquals(new int[] {1, 6, 6, 2}, y.shape().toArray());
        double[] want = scatter(in.reshape(1, 1, 3, 2, 2), weight(layer, 0).cast(DType.FLOAT64).reshape(1, 4, 1, 2, 2),
                weight(layer, 1).cast(DType.FLOAT64), new int[] {1, 2, 3}, new int[] {1, 1, 1}, new int[] {1, 6, 6}, new int[] {0, 1, 0});
        assertArrayEquals(want, y.toDoubleArray(), 1e-5);
    }
}
