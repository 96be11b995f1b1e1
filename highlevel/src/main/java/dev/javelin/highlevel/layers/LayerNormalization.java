package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Ones;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * Normalizes each sample over its last axis, then scales and shifts per feature, as Keras's
 * LayerNormalization (epsilon 1e-3).
 *
 * <pre>{@code
 * Layer ln = new LayerNormalization();
 * }</pre>
 */
public final class LayerNormalization extends Layer {
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer;
    private final Initializer gammaInitializer;
    private final Regularizer betaRegularizer;
    private final Regularizer gammaRegularizer;
    private Variable gamma;
    private Variable beta;

    public LayerNormalization() {
        this(1e-3, true, true, null);
    }

    public LayerNormalization(double epsilon, boolean center, boolean scale, String name) {
        this(epsilon, center, scale, new Zeros(), new Ones(), null, null, name);
    }

    /** Every Keras setting but {@code axis} (the last) and {@code rms_scaling} (see {@link RMSNormalization}). */
    public LayerNormalization(double epsilon, boolean center, boolean scale, Initializer betaInitializer, Initializer gammaInitializer,
                              Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        super(name);
        if (!(epsilon > 0)) throw new IllegalArgumentException("LayerNormalization: epsilon must be > 0, got " + epsilon);
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.betaInitializer = Checks.notNull("LayerNormalization", "beta_initializer", betaInitializer);
        this.gammaInitializer = Checks.notNull("LayerNormalization", "gamma_initializer", gammaInitializer);
        this.betaRegularizer = betaRegularizer;
        this.gammaRegularizer = gammaRegularizer;
    }

    @Override
    public void build(Shape in) {
        Shape s = Shape.of(in.dim(-1));
        if (scale) gamma = addWeight("gamma", s, gammaInitializer, gammaRegularizer, true);
        if (center) beta = addWeight("beta", s, betaInitializer, betaRegularizer, true);
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        int last = x.rank() - 1;
        double n = x.dim(-1);
        Tensor mean = x.sum(new int[] {last}, true).div(n);
        Tensor centered = x.sub(mean);
        Tensor variance = centered.mul(centered).sum(new int[] {last}, true).div(n);
        Tensor y = centered.mul(variance.add(epsilon).sqrt().reciprocal());
        if (scale) y = y.mul(gamma.value());
        if (center) y = y.add(beta.value());
        return y;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", -1);
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
        c.put("beta_initializer", Config.of(betaInitializer));
        c.put("gamma_initializer", Config.of(gammaInitializer));
        c.put("beta_regularizer", Config.of(betaRegularizer));
        c.put("gamma_regularizer", Config.of(gammaRegularizer));
        return c;
    }

    public static LayerNormalization fromConfig(Map<String, Object> c) {
        // saved for Keras, which writes -1 and, once built, [-1]; only the last axis is supported
        if (Config.ints(c, "axis", 1, new int[] {-1})[0] != -1) {
            throw new IllegalArgumentException("config key 'axis' is " + c.get("axis") + ", expected -1 or [-1] (only the last axis is supported)");
        }
        return new LayerNormalization(Config.numberIn(c, "epsilon", 1e-3, Double.MIN_VALUE, 1e6), Config.bool(c, "center", true), Config.bool(c, "scale", true),
                Config.initializer(c, "beta_initializer", new Zeros()), Config.initializer(c, "gamma_initializer", new Ones()),
                Config.regularizer(c, "beta_regularizer"), Config.regularizer(c, "gamma_regularizer"), Config.string(c, "name", null));
    }
}
