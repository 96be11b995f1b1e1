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
 * Group normalization, as Keras's GroupNormalization (channels last): the channels split into
 * {@code groups} groups, each normalized over its channels and every non-batch axis with the biased
 * variance, then scaled and shifted per channel. One group is layer normalization over all axes; as
 * many groups as channels is instance normalization.
 *
 * <pre>{@code
 * Layer gn = new GroupNormalization(8);
 * }</pre>
 */
public final class GroupNormalization extends Layer {
    private final int groups;
    private final double epsilon;
    private final boolean center;
    private final boolean scale;
    private final Initializer betaInitializer;
    private final Initializer gammaInitializer;
    private final Regularizer betaRegularizer;
    private final Regularizer gammaRegularizer;
    private Variable gamma;
    private Variable beta;

    /** Keras's defaults besides {@code groups}: epsilon 1e-3, with center and scale. */
    public GroupNormalization(int groups) {
        this(groups, 1e-3, true, true, new Zeros(), new Ones(), null, null, null);
    }

    public GroupNormalization(int groups, double epsilon, boolean center, boolean scale, Initializer betaInitializer,
                              Initializer gammaInitializer, Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        super(name);
        if (groups < 1) throw new IllegalArgumentException("GroupNormalization: groups must be >= 1, got " + groups);
        if (!(epsilon > 0)) throw new IllegalArgumentException("GroupNormalization: epsilon must be > 0, got " + epsilon);
        this.groups = groups;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.betaInitializer = Checks.notNull("GroupNormalization", "beta_initializer", betaInitializer);
        this.gammaInitializer = Checks.notNull("GroupNormalization", "gamma_initializer", gammaInitializer);
        this.betaRegularizer = betaRegularizer;
        this.gammaRegularizer = gammaRegularizer;
    }

    @Override
    public void build(Shape in) {
        if (in.rank() < 2 || in.dim(-1) % groups != 0) {
            throw new IllegalArgumentException(name() + " (GroupNormalization): expected inputs [batch, ..., channels] with channels "
                    + "divisible by groups=" + groups + ", got " + in);
        }
        Shape s = Shape.of(in.dim(-1));
        if (scale) gamma = addWeight("gamma", s, gammaInitializer, gammaRegularizer, true);
        if (center) beta = addWeight("beta", s, betaInitializer, betaRegularizer, true);
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        int r = x.rank(), c = x.dim(-1);
        int[] grouped = new int[r + 1];
        for (int d = 0; d < r - 1; d++) grouped[d] = x.dim(d);
        grouped[r - 1] = groups;
        grouped[r] = c / groups;
        int[] axes = new int[r - 1]; // every axis but the batch and the group
        for (int d = 1; d < r - 1; d++) axes[d - 1] = d;
        axes[r - 2] = r;
        Tensor g = x.reshape(grouped);
        Tensor centered = g.sub(g.mean(axes, true));
        Tensor variance = centered.mul(centered).mean(axes, true);
        Tensor y = centered.mul(variance.add(epsilon).rsqrt()).reshape(x.shape().toArray());
        if (scale) y = y.mul(gamma.value());
        if (center) y = y.add(beta.value());
        return y;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("groups", groups);
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

    public static GroupNormalization fromConfig(Map<String, Object> c) {
        int axis = Config.integer(c, "axis", -1);
        if (axis != -1) throw new IllegalArgumentException("GroupNormalization: only axis=-1 (channels last) is supported, got " + axis);
        return new GroupNormalization(Config.integer(c, "groups", 32), Config.number(c, "epsilon", 1e-3), Config.bool(c, "center", true),
                Config.bool(c, "scale", true), Config.initializer(c, "beta_initializer", new Zeros()),
                Config.initializer(c, "gamma_initializer", new Ones()), Config.regularizer(c, "beta_regularizer"),
                Config.regularizer(c, "gamma_regularizer"), Config.string(c, "name", null));
    }
}
