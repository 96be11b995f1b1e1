package dev.javelin.autodiff;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Einsum;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients of the ops added for PyTorch and Keras users, against finite differences in float64:
 * the elementary functions on both sides of their range reductions, products and scans through
 * zeros, sorting (the gradient follows each value to where it came from), triangles, einsum, NLL.
 */
class TorchStyleOpsGradientTest {
    static List<GradCase> cases() {
        Tensor nc = Rand.normal(31, 5, 3).mT();                     // [3, 5], transposed
        Tensor wide = Rand.normal(32, 4, 6).mul(3.0);               // spans atan's three ranges and sinh's two
        Tensor pos = Rand.positive(33, 3, 4);
        Tensor withZeros = Tensors.of(new double[] {0.5, 0, 1.5, -2, 0.7, 0, 0, 1.1, -0.9, 1.3, 0.8, 2}, 3, 4);
        Tensor distinct = Tensors.of(new double[] {0.3, -1.2, 2.5, 0.9, -0.4, 1.7, -2.2, 0.1, 1.1, -0.8, 0.6, 2.0}, 3, 4);
        return List.of(
                new GradCase("log2", x -> MathOps.log2(x[0]), pos),
                new GradCase("log10", x -> MathOps.log10(x[0]), pos),
                new GradCase("tan", x -> MathOps.tan(x[0]), nc.mul(0.5)),
                new GradCase("atan over all three ranges", x -> MathOps.atan(x[0]), wide),
                new GradCase("atan2, broadcast, every quadrant", x -> MathOps.atan2(x[0], x[1]), wide, Rand.awayFromZero(34, 6)),
                new GradCase("sinh, series and exponential branches", x -> MathOps.sinh(x[0]), wide),
                new GradCase("cosh", x -> MathOps.cosh(x[0]), wide),
                new GradCase("logaddexp, broadcast", x -> MathOps.logaddexp(x[0], x[1]), nc, Rand.normal(35, 5)),
                new GradCase("prod over axis 1, odd length, through zeros", x -> MathOps.prod(x[0], new int[] {1}, false), withZeros),
                new GradCase("prod of all", x -> MathOps.prod(x[0], null, false), pos.mul(0.8)),
                new GradCase("cumsum along axis 0", x -> MathOps.cumsum(x[0], 0), nc),
                new GradCase("cumprod along the last axis, through zeros", x -> MathOps.cumprod(x[0], -1), withZeros),
                new GradCase("sort descending", x -> ArrayOps.sort(x[0], 1, true).values().mul(Tensors.arange(4).cast(x[0].dtype())),
                        distinct),
                new GradCase("topk 2 smallest along axis 0", x -> ArrayOps.topk(x[0], 2, 0, false).values().sin(), distinct),
                new GradCase("tril and triu", x -> ArrayOps.tril(x[0], 0).add(ArrayOps.triu(x[0], 2).exp()), nc),
                new GradCase("einsum batched contraction", x -> Einsum.einsum("bij,bjk->bki", x[0], x[1]),
                        Rand.normal(36, 2, 3, 4), Rand.normal(37, 2, 4, 2)),
                new GradCase("einsum trace and bilinear form", x -> Einsum.einsum("ii", x[0]).add(Einsum.einsum("i,ij,j->", x[1], x[0], x[1])),
                        Rand.normal(38, 3, 3), Rand.normal(39, 3)),
                new GradCase("nllLoss of logSoftmax", x -> NN.nllLoss(NN.logSoftmax(x[0], -1), Tensors.of(new long[] {4, 0, 2})), nc));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFiniteDifferences(GradCase c) {
        c.check();
    }
}
