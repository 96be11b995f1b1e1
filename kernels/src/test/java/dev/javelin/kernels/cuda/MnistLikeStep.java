package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;

/**
 * A small MNIST-shaped convnet (conv 3x3 -> relu -> dense -> softmax cross-entropy) trained by plain
 * SGD with hand-written gradients (the tape lives above this module), on synthetic 12x12 images
 * whose class is which quadrant is bright. Returns the loss per step, so the same run on two
 * devices can be compared.
 */
final class MnistLikeStep {
    private MnistLikeStep() {}

    static float[] train(Device device, int steps) {
        return train(device, steps, 32);
    }

    /** {@code steps} SGD steps on a batch of {@code n} images (a multiple of 4: one per class in turn). */
    static float[] train(Device device, int steps, int n) {
        int classes = 4;
        float[] img = new float[n * 12 * 12];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            for (int h = 0; h < 12; h++) {
                for (int w = 0; w < 12; w++) {
                    boolean bright = (h < 6) == (c < 2) && (w < 6) == (c % 2 == 0);
                    img[(i * 12 + h) * 12 + w] = (bright ? 1f : 0f) + 0.1f * (float) Math.sin(i * 7 + h * 3 + w);
                }
            }
        }
        Tensor x = Tensors.of(img, n, 12, 12, 1).to(device);
        Tensor y = Ops.unsqueeze(Tensors.of(labels), 1).to(device);
        Tensor f = Tensors.of(pattern(36, 0.5f), 3, 3, 1, 4).to(device);
        Tensor wd = Tensors.of(pattern(4 * 12 * 12 * classes, 0.05f), 4 * 12 * 12, classes).to(device);
        OpAttrs.Conv same = new OpAttrs.Conv(1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] losses = new float[steps];
        double lr = 0.5;
        for (int s = 0; s < steps; s++) {
            Tensor z = Ops.conv2d(x, f, same);
            Tensor h = z.relu();
            Tensor flat = h.reshape(n, 4 * 12 * 12);
            Tensor logits = flat.matmul(wd);
            Tensor logp = NN.logSoftmax(logits, 1);
            Tensor picked = IndexingOps.gather(logp, 1, y);
            Tensor loss = MathOps.mean(picked, new int[] {0, 1}, false).mul(-1.0);
            losses[s] = (float) loss.item();
            // d loss / d logits = (softmax - onehot) / n
            Tensor onehot = IndexingOps.scatterAdd(Tensors.zeros(Shape.of(n, classes), DType.FLOAT32).to(device), 1, y,
                    Tensors.ones(Shape.of(n, 1), DType.FLOAT32).to(device));
            Tensor dlogits = Ops.unary(Op.EXP, logp).sub(onehot).mul(1.0 / n);
            Tensor dwd = Ops.matmul(Ops.transpose(flat, 0, 1), dlogits);
            Tensor dflat = Ops.matmul(dlogits, Ops.transpose(wd, 0, 1));
            Tensor dz = Ops.where(Ops.binary(Op.GT, z, Ops.scalarLike(z, 0)), dflat.reshape(n, 12, 12, 4), Ops.scalarLike(z, 0));
            Tensor df = Ops.conv2dBackwardFilter(x, dz, f.shape(), same);
            wd = wd.sub(dwd.mul(lr));
            f = f.sub(df.mul(lr));
        }
        return losses;
    }

    /** Fixed pseudo-random weights in [-scale, scale], the same on every device. */
    private static float[] pattern(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = scale * (float) Math.sin(i * 12.9898 + 1.0);
        return a;
    }
}
