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
 * Normalizes over the batch (and spatial axes) per feature of the last axis (or of {@code axis}, e.g.
 * 1 for PyTorch's channels-first {@code [N, C, L]}), as Keras's BatchNormalization. In training it uses the batch statistics and updates the moving mean and
 * variance (non-trainable variables) with {@code moving = moving * momentum + batch * (1 - momentum)};
 * at inference it uses the moving statistics. A frozen layer ({@code setTrainable(false)}, e.g. in a
 * pretrained base being fine-tuned) runs in inference mode in training too, as Keras's does.
 *
 * <pre>{@code
 * Layer bn = new BatchNormalization();   // momentum 0.99, epsilon 1e-3
 * }</pre>
 */
public final class BatchNormalization extends Layer {
    /** The feature axis as given (negative from the end). */
    private final int axis;
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
        this(-1, momentum, epsilon, center, scale, initializers, betaRegularizer, gammaRegularizer, name);
    }

    /** Statistics per feature of {@code axis} (Keras's {@code axis}: any non-batch axis, negative from the end). */
    public BatchNormalization(int axis, double momentum, double epsilon, boolean center, boolean scale, String name) {
        this(axis, momentum, epsilon, center, scale, new Initializer[] {new Zeros(), new Ones(), new Zeros(), new Ones()}, null, null, name);
    }

    /** Every Keras setting: {@code initializers} as in the constructor without {@code axis}. */
    public BatchNormalization(int axis, double momentum, double epsilon, boolean center, boolean scale, Initializer[] initializers,
                              Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        super(name);
        this.axis = axis;
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
        Shape s = Shape.of(in.dim(featureAxis(in.rank())));
        if (scale) gamma = addWeight("gamma", s, initializers[1], gammaRegularizer, true);
        if (center) beta = addWeight("beta", s, initializers[0], betaRegularizer, true);
        movingMean = addWeight("moving_mean", s, initializers[2], null, false);
        movingVariance = addWeight("moving_variance", s, initializers[3], null, false);
    }

    /** {@link #axis} for inputs of this rank, in [1, rank); refused naming the layer otherwise. */
    private int featureAxis(int rank) {
        return LayerNormalization.nonBatchAxes(name() + " (BatchNormalization)", String.valueOf(axis), new int[] {axis}, rank)[0];
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return call(x, training, null);
    }

    /** As Keras's: the padding mask passes on, and in training the batch statistics leave the masked steps out. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    @SuppressWarnings("try") // the scope only needs closing
    public Tensor call(Tensor x, boolean training, Tensor mask) {
        int feature = featureAxis(x.rank());
        int[] axes = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) if (i != feature) axes[k++] = i;
        // the statistics have shape [features]; off the last axis they line up with it as [features, 1, ...]
        int[] along = new int[x.rank() - feature];
        java.util.Arrays.fill(along, 1);
        along[0] = x.dim(feature);
        boolean last = feature == x.rank() - 1;
        Tensor mean;
        Tensor variance;
        if (!training || !trainable()) { // Keras: a frozen BatchNormalization keeps its moving statistics and uses them
            mean = movingMean.value();
            variance = movingVariance.value();
        } else {
            if (mask != null) {
                // Keras's masked moments: sums over the real steps over their count (+ 1e-7: an all-padding batch gives 0)
                if (!last || mask.rank() != x.rank() - 1) {
                    throw new IllegalArgumentException(name() + " (BatchNormalization): a mask " + mask.shape() + " on inputs "
                            + x.shape() + " needs the inputs' shape without its last axis and the features on that axis");
                }
                Tensor m = mask.cast(x.dtype()).unsqueeze(-1);
                Tensor count = m.sum(axes).add(1e-7);
                Tensor weighted = x.mul(m);
                mean = weighted.sum(axes).div(count);
                Tensor centered = weighted.sub(mean);
                variance = centered.mul(centered).mul(m).sum(axes).div(count);
            } else {
                double n = x.size() / (double) x.dim(feature);
                mean = x.sum(axes).div(n);
                Tensor centered = x.sub(last ? mean : mean.reshape(along));
                variance = centered.mul(centered).sum(axes).div(n);
            }
            try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
                // the statistics keep their own dtype: a float64 input updates float32 moving statistics
                movingMean.assign(movingMean.value().mul(momentum).add(mean.mul(1 - momentum)).cast(movingMean.dtype()));
                movingVariance.assign(movingVariance.value().mul(momentum).add(variance.mul(1 - momentum)).cast(movingVariance.dtype()));
            }
        }
        Tensor inv = variance.add(epsilon).sqrt().reciprocal();
        Tensor y = x.sub(last ? mean : mean.reshape(along)).mul(last ? inv : inv.reshape(along));
        if (scale) y = y.mul(last ? gamma.value() : gamma.value().reshape(along));
        if (center) y = y.add(last ? beta.value() : beta.value().reshape(along));
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
        c.put("axis", axis);
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
        // Keras writes an int; a list of one axis is taken too
        int axis = c.get("axis") instanceof Number || c.get("axis") == null ? Config.integerIn(c, "axis", -1, Integer.MIN_VALUE, Integer.MAX_VALUE)
                : Config.ints(c, "axis", 1, new int[] {-1})[0];
        Config.bool(c, "synchronized", false); // Keras's cross-device statistics: one device here, the same either way
        if (Config.bool(c, "renorm", false)) throw new IllegalArgumentException("config key 'renorm' is true: batch renormalization is not supported");
        Config.number(c, "renorm_momentum", 0.99); // Keras writes it; used only with renorm
        Initializer[] init = new Initializer[4];
        for (int i = 0; i < 4; i++) init[i] = Config.initializer(c, INITIALIZER_KEYS[i], i % 2 == 0 ? new Zeros() : new Ones());
        return new BatchNormalization(axis, Config.numberIn(c, "momentum", 0.99, 0, 1), Config.numberIn(c, "epsilon", 1e-3, Double.MIN_VALUE, 1e6),
                Config.bool(c, "center", true), Config.bool(c, "scale", true), init, Config.regularizer(c, "beta_regularizer"),
                Config.regularizer(c, "gamma_regularizer"), Config.string(c, "name", null));
    }
}
