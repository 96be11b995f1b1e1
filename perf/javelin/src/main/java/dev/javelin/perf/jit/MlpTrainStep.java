package dev.javelin.perf.jit;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The benchmark's model: an MLP 784-512-512-10 with ReLU, softmax cross-entropy, and Adam written
 * with tensor ops on variables (weights, both moments, the step count), one step per call. The
 * same function runs eagerly or through {@code Jit.compile}.
 */
public final class MlpTrainStep {
    static final int[] SIZES = {784, 512, 512, 10};
    static final double LR = 1e-3, B1 = 0.9, B2 = 0.999, EPS = 1e-7;

    final Variable[] params = new Variable[6];
    final Variable[] m = new Variable[6];
    final Variable[] v = new Variable[6];
    final Variable step = new Variable("step", Tensors.scalar(0), false);

    MlpTrainStep(long seed) {
        Random r = new Random(seed);
        for (int l = 0; l < 3; l++) {
            int in = SIZES[l], out = SIZES[l + 1];
            float[] w = new float[in * out];
            double limit = Math.sqrt(6.0 / (in + out)); // Glorot uniform
            for (int i = 0; i < w.length; i++) w[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
            params[2 * l] = new Variable("w" + l, Tensors.of(w, in, out), true);
            params[2 * l + 1] = new Variable("b" + l, Tensors.zeros(out), true);
        }
        for (int i = 0; i < 6; i++) {
            m[i] = new Variable("m" + i, Tensors.zeros(params[i].shape(), params[i].dtype()), false);
            v[i] = new Variable("v" + i, Tensors.zeros(params[i].shape(), params[i].dtype()), false);
        }
    }

    /** args: images float32[batch, 784], labels int32[batch]; returns the loss. */
    Function<Tensor[], Tensor[]> function() {
        return a -> {
            Tensor loss;
            List<Tensor> grads;
            try (GradientTape tape = GradientTape.record()) {
                Tensor h = a[0];
                for (int l = 0; l < 3; l++) {
                    h = h.matmul(params[2 * l].value()).add(params[2 * l + 1].value());
                    if (l < 2) h = h.relu();
                }
                loss = dev.javelin.tensor.MathOps.mean(NN.sparseCategoricalCrossEntropy(h, a[1], true));
                grads = tape.gradient(loss, List.of(params));
            }
            Tensor t = step.value().add(1.0);
            step.assign(t);
            // bias-corrected step size: lr * sqrt(1 - b2^t) / (1 - b1^t)
            Tensor lrT = Tensors.scalar(B2).pow(t).neg().add(1.0).sqrt().mul(LR).div(Tensors.scalar(B1).pow(t).neg().add(1.0));
            for (int i = 0; i < 6; i++) {
                Tensor g = grads.get(i);
                Tensor mi = m[i].value().mul(B1).add(g.mul(1 - B1));
                Tensor vi = v[i].value().mul(B2).add(g.mul(g).mul(1 - B2));
                m[i].assign(mi);
                v[i].assign(vi);
                params[i].assign(params[i].value().sub(mi.mul(lrT).div(vi.sqrt().add(EPS))));
            }
            return new Tensor[] {loss};
        };
    }

    static Tensor[] batch(int size, long seed) {
        Random r = new Random(seed);
        float[] x = new float[size * 784];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        int[] y = new int[size];
        for (int i = 0; i < size; i++) y[i] = r.nextInt(10);
        return new Tensor[] {Tensors.of(x, size, 784), Tensors.of(y, size)};
    }

    static Shape shapeOf(int... d) {
        return Shape.of(d);
    }
}
