package dev.javelin.autodiff;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compositions in the tensor module (MathOps, NN, ArrayOps) get their gradients from the rules
 * of their primitives; each is checked here against finite differences in float64, with broadcast
 * parameters, size-1 dimensions and non-contiguous inputs.
 */
class CompositeGradientTest {
    static List<GradCase> cases() {
        Tensor nc = Rand.normal(1, 5, 3).mT();                    // [3, 5], transposed
        Tensor nc3 = Rand.normal(2, 4, 2, 3).permute(1, 2, 0);    // [2, 3, 4], permuted
        Tensor ncPos = Rand.positive(3, 5, 3).mT();
        Tensor nchw = Rand.normal(4, 2, 4, 6, 5).permute(0, 2, 3, 1); // NHWC [2, 6, 5, 4] viewed from NCHW
        Tensor labels = Tensors.of(new long[] {4, 0, 2});
        Tensor soft = Rand.positive(5, 3, 5).softmax(-1);
        return List.of(
                // MathOps
                new GradCase("mean of all", x -> MathOps.mean(x[0]), nc),
                new GradCase("mean over axes 0, 2 keepDims", x -> MathOps.mean(x[0], new int[] {0, 2}, true), nc3),
                new GradCase("var, unbiased, over axis 1", x -> MathOps.var(x[0], new int[] {1}, 1, false), nc),
                new GradCase("var, biased, over axes 0, 2", x -> MathOps.var(x[0], new int[] {0, 2}, 0, true), nc3),
                new GradCase("std over axis -1", x -> MathOps.std(x[0], new int[] {-1}, 1, false), nc3),
                new GradCase("logsumexp over axis 1", x -> MathOps.logsumexp(x[0], new int[] {1}, false), nc),
                new GradCase("logsumexp of all, large values", x -> MathOps.logsumexp(x[0].mul(30.0), null, false), nc),
                new GradCase("clamp", x -> MathOps.clamp(x[0], -0.5, 0.7), nc),
                new GradCase("square", x -> MathOps.square(x[0]), nc),
                new GradCase("rsqrt", x -> MathOps.rsqrt(x[0]), ncPos),
                new GradCase("log1p", x -> MathOps.log1p(x[0]), ncPos),
                new GradCase("log1p near 0", x -> MathOps.log1p(x[0].mul(1e-3)), nc),
                new GradCase("expm1", x -> MathOps.expm1(x[0]), nc),
                new GradCase("norm over axis 0", x -> MathOps.norm(x[0], new int[] {0}, false), nc),
                new GradCase("sumToShape [2,3,4] to [3,1]", x -> MathOps.sumToShape(x[0], Shape.of(3, 1)), nc3),
                // NN activations
                new GradCase("softmax over the last axis", x -> NN.softmax(x[0], -1), nc),
                new GradCase("softmax over axis 0 with a size-1 axis", x -> NN.softmax(x[0], 0), Rand.normal(6, 3, 1, 4)),
                new GradCase("logSoftmax", x -> NN.logSoftmax(x[0], 1), nc3),
                new GradCase("gelu exact", x -> NN.gelu(x[0], false), nc),
                new GradCase("gelu tanh approximation", x -> NN.gelu(x[0], true), nc),
                new GradCase("silu", x -> NN.silu(x[0]), nc),
                new GradCase("softplus", x -> NN.softplus(x[0].mul(3.0)), Rand.awayFromZero(7, 3, 5)),
                new GradCase("logSigmoid", x -> NN.logSigmoid(x[0]), Rand.awayFromZero(8, 3, 5)),
                new GradCase("leakyRelu", x -> NN.leakyRelu(x[0], 0.1), Rand.awayFromZero(9, 3, 5)),
                new GradCase("elu", x -> NN.elu(x[0], 1.3), Rand.awayFromZero(10, 3, 5)),
                // normalization
                new GradCase("layerNorm over the last axis, broadcast gamma and beta",
                        x -> NN.layerNorm(x[0], new int[] {-1}, x[1], x[2], 1e-5), nc3, Rand.normal(11, 4), Rand.normal(12, 4)),
                new GradCase("layerNorm over axes 1, 2 without affine", x -> NN.layerNorm(x[0], new int[] {1, 2}, null, null, 1e-3),
                        nc3),
                // convolution and pooling
                new GradCase("conv2d valid, stride 2, dilation, 2 groups",
                        x -> NN.conv2d(x[0], x[1], new int[] {2, 1}, "valid", new int[] {1, 2}, 2), nchw, Rand.normal(13, 2, 2, 2, 6)),
                new GradCase("conv2d same, stride 2", x -> NN.conv2d(x[0], x[1], 2, "same"), nchw, Rand.normal(14, 3, 3, 4, 3)),
                new GradCase("conv2d same, depthwise", x -> NN.conv2d(x[0], x[1], new int[] {1, 1}, "same", null, 4),
                        nchw, Rand.normal(15, 3, 2, 1, 4)),
                new GradCase("maxPool2d valid 2x2", x -> NN.maxPool2d(x[0], new int[] {2, 2}, null, "valid"), nchw),
                new GradCase("maxPool2d same 3x3 stride 2", x -> NN.maxPool2d(x[0], new int[] {3, 3}, new int[] {2, 2}, "same"), nchw),
                new GradCase("avgPool2d valid 3x2 stride 1", x -> NN.avgPool2d(x[0], new int[] {3, 2}, new int[] {1, 1}, "valid"), nchw),
                new GradCase("avgPool2d same 2x2", x -> NN.avgPool2d(x[0], new int[] {2, 2}, null, "same"), nchw),
                // losses
                new GradCase("sparse categorical cross-entropy from logits", x -> NN.sparseCategoricalCrossEntropy(x[0], labels, true), nc),
                new GradCase("sparse categorical cross-entropy from probabilities",
                        x -> NN.sparseCategoricalCrossEntropy(x[0], labels, false), ncPos),
                new GradCase("categorical cross-entropy from logits", x -> NN.categoricalCrossEntropy(x[0], x[1], true), nc, soft),
                new GradCase("categorical cross-entropy from probabilities",
                        x -> NN.categoricalCrossEntropy(x[0], x[1], false), ncPos, soft),
                new GradCase("binary cross-entropy from logits", x -> NN.binaryCrossEntropy(x[0], x[1], true),
                        nc, Rand.positive(16, 3, 5).mul(0.5)),
                new GradCase("binary cross-entropy from probabilities, broadcast targets",
                        x -> NN.binaryCrossEntropy(x[0].sigmoid(), x[1], false), nc, Rand.positive(17, 5).mul(0.5)),
                new GradCase("dropout", x -> NN.dropout(x[0], 0.4, Tensors.scalar(9, DType.INT64)), nc),
                // ArrayOps
                new GradCase("concat along axis 1", x -> ArrayOps.concat(List.of(x[0], x[1], x[0]), 1), nc, Rand.normal(18, 3, 2)),
                new GradCase("stack along a new axis", x -> ArrayOps.stack(List.of(x[0], x[1]), 1), nc, Rand.normal(19, 3, 5)),
                new GradCase("split into uneven parts", x -> {
                    List<Tensor> parts = ArrayOps.split(x[0], new int[] {1, 3, 1}, 1);
                    return parts.get(0).mul(parts.get(2)).add(parts.get(1).sin().sum(new int[] {1}, true));
                }, nc),
                new GradCase("indexSelect with repeats", x -> ArrayOps.indexSelect(x[0], 1, Tensors.of(new long[] {4, 0, 4, 2})), nc),
                new GradCase("pad", x -> ArrayOps.pad(x[0], new int[][] {{1, 0}, {2, 3}}, 1.5).exp(), nc),
                new GradCase("tile", x -> ArrayOps.tile(x[0], 2, 1, 3).sin(), Rand.normal(20, 1, 3, 2)),
                new GradCase("oneHot weights", x -> ArrayOps.oneHot(labels, 5).cast(DType.FLOAT64).mul(x[0]), nc));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFiniteDifferences(GradCase c) {
        c.check();
    }

    @AfterAll
    static void summary() {
        System.out.println("[autodiff] " + WorstError.summary());
    }
}
