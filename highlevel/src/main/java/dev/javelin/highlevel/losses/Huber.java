package dev.javelin.highlevel.losses;

import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * Huber loss: quadratic for small errors, linear for large ones. With {@code e = yPred - yTrue}:
 * {@code 0.5 e^2} where {@code |e| <= delta}, else {@code delta |e| - 0.5 delta^2}; averaged.
 *
 * <pre>{@code
 * Loss l = new Huber(1.0);
 * }</pre>
 */
public final class Huber extends PerExampleLoss {
    private final double delta;

    /** Huber with Keras's default delta 1.0. */
    public Huber() {
        this(1.0);
    }

    /** Quadratic within {@code delta} of the target, linear beyond. */
    public Huber(double delta) {
        super("huber_loss");
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("Huber: delta must be finite and > 0, got " + delta);
        }
        this.delta = delta;
    }

    @Override
    protected Tensor perExample(Tensor yTrue, Tensor yPred) {
        Tensor[] tp = aligned("Huber", yTrue, yPred);
        Tensor e = tp[1].sub(tp[0]);
        Tensor abs = e.abs();
        Tensor quadratic = e.mul(e).mul(0.5);
        Tensor linear = abs.mul(delta).sub(0.5 * delta * delta);
        return meanLastAxis(abs.gt(delta).where(linear, quadratic));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("delta", delta);
        return c;
    }
}
