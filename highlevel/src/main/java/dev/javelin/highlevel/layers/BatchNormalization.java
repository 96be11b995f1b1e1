package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Ones;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.Map;

/**
 * Normalizes over the batch (and spatial axes) per feature of the last axis, as Keras's
 * BatchNormalization. In training it uses the batch statistics and updates the moving mean and
 * variance (non-trainable variables) with {@code moving = moving * momentum + batch * (1 - momentum)};
 * at inference it uses the moving statistics.
 *
 * <pre>{@code
 * Layer bn = new BatchNormalization();   // momentum 0.99, epsilon 1e-3
 * }</pre>
 */
public final class BatchNormalization extends Layer {
    private final double momentum;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    /** beta, gamma, moving mean, moving variance: Keras's order of its four initializers. */
    private final Initializer[] initializers;
    private final Regularizer betaRegularizer;
    private final Regularizer gammaRegularizer;
    private Variable gamma;
    private Variable beta;
    private Variable movingMean;
    private Variable movingVariance;

    public BatchNormalization() {
        this(0.99, 1e-3, true, true, null);
    }

    public BatchNormalization(double momentum, double epsilon, boolean center, boolean scale, String name) {
        this(momentum, epsilon, center, scale, new Initializer[] {new Zeros(), new Ones(), new Zeros(), new Ones()}, null, null, name);
    }

    /**
     * Every Keras setting but {@code axis} (the last): {@code initializers} holds the beta, gamma,
     * moving-mean and moving-variance initializers, in that order.
     */
    public BatchNormalization(double momentum, double epsilon, boolean center, boolean scale, Initializer[] initializers,
                              Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        super(name);
        if (initializers == null || initializers.length != 4) {
            throw new IllegalArgumentException("BatchNormalization: expected 4 initializers (beta, gamma, moving mean, moving variance)");
        }
        for (Initializer i : initializers) Checks.notNull("BatchNormalization", "initializers", i);
        this.initializers = initializers.clone();
        this.betaRegularizer = betaRegularizer;
        this.gammaRegularizer = gammaRegularizer;
        if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("BatchNormalization: expected 0 <= momentum <= 1 and epsilon > 0, got " + momentum + ", " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
    }

    @Override
    public void build(Shape in) {
        Shape s = Shape.of(in.dim(-1));
        if (scale) gamma = addWeight("gamma", s, initializers[1], gammaRegularizer, true);
        if (center) beta = addWeight("beta", s, initializers[0], betaRegularizer, true);
        movingMean = addWeight("moving_mean", s, initializers[2], null, false);
        movingVariance = addWeight("moving_variance", s, initializers[3], null, false);
    }

    @Override
    @SuppressWarnings("try") // the scope only needs closing
    public Tensor call(Tensor x, boolean training) {
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        Tensor mean;
        Tensor variance;
        if (training) {
            double n = x.size() / (double) x.dim(-1);
            mean = x.sum(axes).div(n);
            Tensor centered = x.sub(mean);
            variance = centered.mul(centered).sum(axes).div(n);
            try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
                // the statistics keep their own dtype: a float64 input updates float32 moving statistics
                movingMean.assign(movingMean.value().mul(momentum).add(mean.mul(1 - momentum)).cast(movingMean.dtype()));
                movingVariance.assign(movingVariance.value().mul(momentum).add(variance.mul(1 - momentum)).cast(movingVariance.dtype()));
            }
        } else {
            mean = movingMean.value();
            variance = movingVariance.value();
        }
        Tensor y = x.sub(mean).mul(variance.add(epsilon).sqrt().reciprocal());
        if (scale) y = y.mul(gamma.value());
        if (center) y = y.add(beta.value());
        return y;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public Variable movingMean() {
        return movingMean;
    }

    public Variable movingVariance() {
        return movingVariance;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", -1);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
        for (int i = 0; i < INITIALIZER_KEYS.length; i++) c.put(INITIALIZER_KEYS[i], Config.of(initializers[i]));
        c.put("beta_regularizer", Config.of(betaRegularizer));
        c.put("gamma_regularizer", Config.of(gammaRegularizer));
        return c;
    }

    private static final String[] INITIALIZER_KEYS = {"beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer"};

    public static BatchNormalization fromConfig(Map<String, Object> c) {
        Config.integerIn(c, "axis", -1, -1, -1); // saved for Keras; only the last axis is supported
        Config.bool(c, "synchronized", false); // Keras's cross-device statistics: one device here, the same either way
        if (Config.bool(c, "renorm", false)) throw new IllegalArgumentException("config key 'renorm' is true: batch renormalization is not supported");
        Config.number(c, "renorm_momentum", 0.99); // Keras writes it; used only with renorm
        Initializer[] init = new Initializer[4];
        for (int i = 0; i < 4; i++) init[i] = Config.initializer(c, INITIALIZER_KEYS[i], i % 2 == 0 ? new Zeros() : new Ones());
        return new BatchNormalization(Config.numberIn(c, "momentum", 0.99, 0, 1), Config.numberIn(c, "epsilon", 1e-3, Double.MIN_VALUE, 1e6),
                Config.bool(c, "center", true), Config.bool(c, "scale", true), init, Config.regularizer(c, "beta_regularizer"),
                Config.regularizer(c, "gamma_regularizer"), Config.string(c, "name", null));
    }
}
