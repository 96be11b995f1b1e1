package dev.javelin.onnx;

import static dev.javelin.onnx.Protos.floats;
import static dev.javelin.onnx.Protos.graph;
import static dev.javelin.onnx.Protos.initializer;
import static dev.javelin.onnx.Protos.intAttr;
import static dev.javelin.onnx.Protos.ints;
import static dev.javelin.onnx.Protos.model;
import static dev.javelin.onnx.Protos.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ConvTranspose with an output_padding as large as PyTorch allows (up to max(stride, dilation) - 1, so
 * at or above the stride when the dilation is larger; ConvTranspose2d(stride=2, dilation=3,
 * output_padding=2) exports it): the output is the full transposed result cropped by the pads and
 * extended by output_padding with zeros where the full result ends. These were refused with
 * "conv2d_backward_input: dy ... does not match" (found by the oracle7 ONNX oracle: 2 of 120 random
 * PyTorch exports). Checked against a direct scatter loop.
 */
class ConvTransposeOutputPaddingTest {
    /** {stride, dilation, kernel, pad low, pad high, output_padding, size} for one axis. */
    private static final int[][] AXES = {
        {2, 3, 2, 1, 1, 2, 4}, // output_padding above the high pad and the stride
        {1, 3, 3, 0, 0, 2, 5}, // stride 1: every output_padding is at or above it
        {2, 3, 3, 2, 2, 2, 3}, // output_padding equal to the high pad
        {3, 1, 2, 0, 1, 2, 4}, // below the stride, above the high pad (worked before: unchanged)
        {2, 1, 3, 1, 1, 1, 5}, // the common upsampling: stride 2, pad 1, output_padding 1
    };

    @Test
    void outputPaddingAtOrAboveTheStrideGivesTheScatteredResult() throws Exception {
        Random r = new Random(11);
        for (int[] h : AXES) {
            for (int[] w : new int[][] {AXES[0], AXES[4]}) {
                int cin = 2, cout = 3, n = 2;
                float[] x = random(r, n * cin * h[6] * w[6]), f = random(r, cin * cout * h[2] * w[2]), b = random(r, cout);
                var g = graph("t").addInput(floats("x", -1, cin, h[6], w[6])).addOutput(floats("y"))
                        .addInitializer(initializer("w", f, cin, cout, h[2], w[2])).addInitializer(initializer("b", b, cout))
                        .addNode(node("ct", "ConvTranspose", List.of("x", "w", "b"), List.of("y"),
                                ints("strides", h[0], w[0]), ints("dilations", h[1], w[1]), ints("pads", h[3], w[3], h[4], w[4]),
                                ints("output_padding", h[5], w[5]), intAttr("group", 1)));
                Tensor y = OnnxModel.load(model(17, g.build()).toByteArray(), "t").call(Tensors.of(x, n, cin, h[6], w[6]))[0];
                int oh = length(h), ow = length(w);
                assertArrayEquals(new int[] {n, cout, oh, ow}, y.shape().toArray(), Arrays.toString(h) + " x " + Arrays.toString(w));
                float[] want = scatter(x, f, b, n, cin, cout, h, w, oh, ow), got = y.toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), Arrays.toString(h) + " x " + Arrays.toString(w) + " at " + i);
                }
            }
        }
    }

    private static int length(int[] a) {
        return (a[6] - 1) * a[0] + (a[2] - 1) * a[1] + 1 - a[3] - a[4] + a[5];
    }

    /** y[o] = b + sum of x[i] f[k] over o + low = i * stride + k * dilation, for o inside the output. */
    private static float[] scatter(float[] x, float[] f, float[] b, int n, int cin, int cout, int[] h, int[] w, int oh, int ow) {
        double[] y = new double[n * cout * oh * ow];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < cin; c++) {
                for (int i = 0; i < h[6]; i++) {
                    for (int j = 0; j < w[6]; j++) {
                        for (int m = 0; m < cout; m++) {
                            for (int ki = 0; ki < h[2]; ki++) {
                                for (int kj = 0; kj < w[2]; kj++) {
                                    int oi = i * h[0] + ki * h[1] - h[3], oj = j * w[0] + kj * w[1] - w[3];
                                    if (oi < 0 || oi >= oh || oj < 0 || oj >= ow) continue;
                                    y[((s * cout + m) * oh + oi) * ow + oj] += (double) x[((s * cin + c) * h[6] + i) * w[6] + j]
                                            * f[((c * cout + m) * h[2] + ki) * w[2] + kj];
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) out[i] = (float) (y[i] + b[(i / (oh * ow)) % cout]);
        return out;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
