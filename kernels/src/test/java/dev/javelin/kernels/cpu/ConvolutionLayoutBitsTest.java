package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The bit-identity contract for the convolution paths: each of the three convolution ops gives the
 * same bits for a strided input as for its dense copy, on every path (1x1 as one GEMM, the short
 * direct kernels, Winograd, im2col tiles). The filter gradient once chose its path by the input's
 * layout, so a 1x1 convolution of a sliced input summed its positions in another order than the
 * same input made dense (found by an eager-against-compiled fuzzer).
 */
class ConvolutionLayoutBitsTest {
    private static final OpAttrs.Conv SAME_3X3 = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final OpAttrs.Conv VALID = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);

    @Test
    void everyPathGivesTheBitsOfADenseInput() {
        // {kh, kw, cin, cout}: 1x1 (one GEMM), a short reduction with whole vectors of channels (direct
        // kernels), 3x3 with 16+ channels (Winograd), 3x3 with a few channels (im2col tiles)
        int[][] paths = {{1, 1, 3, 4}, {1, 1, 24, 40}, {1, 2, 3, 16}, {3, 3, 16, 16}, {3, 3, 5, 3}};
        for (int[] p : paths) {
            OpAttrs.Conv c = p[0] == 3 ? SAME_3X3 : VALID;
            Tensor f = Tensors.uniform(Shape.of(p[0], p[1], p[2], p[3]), -1, 1, 7);
            Shape xs = Shape.of(3, 13, 6, p[2]);
            // the input sliced with a step along H, along the channels, and transposed in its last two dims
            for (UnaryOperator<Tensor> layout : java.util.List.<UnaryOperator<Tensor>>of(
                    base -> Tensors.uniform(base.shape().with(1, 27), -2, 2, 1).slice(1, 1, 27, 2),
                    base -> Tensors.uniform(base.shape().with(3, 2 * p[2]), -2, 2, 2).slice(3, 0, 2 * p[2], 2),
                    base -> Tensors.uniform(Shape.of(3, 13, p[2], 6), -2, 2, 3).transpose(2, 3))) {
                Tensor x = layout.apply(Tensors.zeros(xs, dev.javelin.tensor.DType.FLOAT32));
                Tensor dense = x.contiguous();
                String what = java.util.Arrays.toString(p) + " input strides " + java.util.Arrays.toString(x.strides());
                Tensor y = Ops.conv2d(dense, f, c);
                assertSameBits(y, Ops.conv2d(x, f, c), what + ": forward");
                Tensor dy = Tensors.uniform(y.shape(), -1, 1, 5);
                assertSameBits(Ops.conv2dBackwardFilter(dense, dy, f.shape(), c), Ops.conv2dBackwardFilter(x, dy, f.shape(), c),
                        what + ": filter gradient");
                Tensor dyView = Tensors.uniform(y.shape().with(1, 2 * y.dim(1)), -1, 1, 5).slice(1, 0, 2 * y.dim(1), 2);
                assertSameBits(Ops.conv2dBackwardInput(dyView.contiguous(), f, xs, c), Ops.conv2dBackwardInput(dyView, f, xs, c),
                        what + ": input gradient");
            }
        }
    }

    private static void assertSameBits(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        int[] eb = new int[e.length], ab = new int[a.length];
        for (int i = 0; i < e.length; i++) eb[i] = Float.floatToRawIntBits(e[i]);
        for (int i = 0; i < a.length; i++) ab[i] = Float.floatToRawIntBits(a[i]);
        assertArrayEquals(eb, ab, what);
    }
}
