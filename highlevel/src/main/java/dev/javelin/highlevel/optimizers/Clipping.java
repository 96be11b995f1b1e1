package dev.javelin.highlevel.optimizers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Gradient clipping as Keras 3 computes it, all in tensor ops so that it traces. */
final class Clipping {
    private Clipping() {}

    /** Applies whichever of the three clippings is set (> 0); the optimizer allows at most one. */
    static List<Tensor> clip(List<Tensor> grads, double clipNorm, double globalClipNorm, double clipValue) {
        if (clipNorm > 0) {
            List<Tensor> out = new ArrayList<>(grads.size());
            for (Tensor g : grads) out.add(byNorm(g, clipNorm));
            return out;
        }
        if (globalClipNorm > 0) return byGlobalNorm(grads, globalClipNorm);
        if (clipValue > 0) {
            List<Tensor> out = new ArrayList<>(grads.size());
            for (Tensor g : grads) out.add(g.maximum(-clipValue).minimum(clipValue));
            return out;
        }
        return grads;
    }

    /** {@code g * c / max(||g||, c)}; a zero gradient stays zero (the square root is never taken of 0). */
    static Tensor byNorm(Tensor g, double c) {
        Tensor l2sum = g.mul(g).sum();
        Tensor positive = l2sum.gt(0.0);
        Tensor safe = positive.where(l2sum, Optimizer.constant(1, l2sum));
        Tensor norm = positive.where(safe.sqrt(), l2sum);
        return g.mul(c).div(norm.maximum(c));
    }

    /** Every gradient times {@code c * min(1 / globalNorm, 1 / c)}, where globalNorm is the L2 norm of all of them. */
    static List<Tensor> byGlobalNorm(List<Tensor> grads, double c) {
        if (grads.isEmpty()) return grads;
        DType dtype = DType.FLOAT32;
        for (Tensor g : grads) dtype = DType.promote(dtype, g.dtype());
        Tensor total = null;
        for (Tensor g : grads) {
            Tensor s = g.mul(g).sum().cast(dtype);
            total = total == null ? s : total.add(s);
        }
        Tensor norm = total.sqrt();
        Tensor scale = norm.reciprocal().minimum(1.0 / c).mul(c);
        List<Tensor> out = new ArrayList<>(grads.size());
        for (Tensor g : grads) out.add(g.mul(scale.cast(g.dtype())));
        return out;
    }
}
