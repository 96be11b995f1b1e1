package dev.javelin.highlevel.regularizers;

import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code l1 * sum(|w|) + l2 * sum(w²)}, as Keras's L1L2.
 *
 * <pre>{@code
 * Regularizer r = new L1L2(1e-5, 1e-4);
 * }</pre>
 */
public class L1L2 implements Regularizer {
    private final double l1;
    private final double l2;

    public L1L2(double l1, double l2) {
        if (!(l1 >= 0) || !(l2 >= 0)) {
            throw new IllegalArgumentException(className() + ": factors must be >= 0, got l1=" + l1 + ", l2=" + l2);
        }
        this.l1 = l1;
        this.l2 = l2;
    }

    @Override
    public Tensor apply(Tensor w) {
        Tensor penalty = null;
        if (l1 > 0) penalty = w.abs().sum().mul(l1);
        if (l2 > 0) {
            Tensor sq = w.mul(w).sum().mul(l2);
            penalty = penalty == null ? sq : penalty.add(sq);
        }
        return penalty == null ? w.sum().mul(0.0) : penalty;
    }

    public double l1() {
        return l1;
    }

    public double l2() {
        return l2;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("l1", l1);
        c.put("l2", l2);
        return c;
    }
}
