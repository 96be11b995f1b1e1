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
 * Normalizes each sample over its last axis (or the axes given, as Keras's {@code axis}), then
 * scales and shifts per element of those axes, as Keras's LayerNormalization (epsilon 1e-3).
 *
 * <pre>{@code
 * Layer ln = new LayerNormalization();
 * Layer overImage = new LayerNormalization(new int[] {1, 2, 3}, 1e-3, true, true, null);   // [N, H, W, C]: gamma [H, W, C]
 * }</pre>
 */
public final class LayerNormalization extends Layer {
    /** The axes as given (negative from the end); {@code {-1}} by default. */
    private final int[] axes;
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

    /** Normalizing over {@code axes} (Keras's {@code axis}: any non-batch axes, negative from the end). */
    public LayerNormalization(int[] axes, double epsilon, boolean center, boolean scale, String name) {
        this(axes, epsilon, center, scale, new Zeros(), new Ones(), null, null, name);
    }

    /** Every Keras setting but {@code axis} (the last) and {@code rms_scaling} (see {@link RMSNormalization}). */
    public LayerNormalization(double epsilon, boolean center, boolean scale, Initializer betaInitializer, Initializer gammaInitializer,
                              Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        this(new int[] {-1}, epsilon, center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer, name);
    }

    /** Every Keras setting but {@code rms_scaling} (see {@link RMSNormalization}). */
    public LayerNormalization(int[] axes, double epsilon, boolean center, boolean scale, Initializer betaInitializer, Initializer gammaInitializer,
                              Regularizer betaRegularizer, Regularizer gammaRegularizer, String name) {
        super(name);
        if (axes == null || axes.length == 0) throw new IllegalArgumentException("LayerNormalization: axis must name at least one axis");
        this.axes = axes.clone();
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
        int[] resolved = resolved(in.rank());
        int[] dims = new int[resolved.length];
        for (int i = 0; i < dims.length; i++) dims[i] = in.dim(resolved[i]);
        Shape s = Shape.of(dims); // Keras's: the axes' sizes in the order given
        if (scale) gamma = addWeight("gamma", s, gammaInitializer, gammaRegularizer, true);
        if (center) beta = addWeight("beta", s, betaInitializer, betaRegularizer, true);
    }

    /** The axes for inputs of this rank, each in [1, rank), none twice; refused naming the layer otherwise. */
    private int[] resolved(int rank) {
        return nonBatchAxes(name() + " (LayerNormalization)", java.util.Arrays.toString(axes), axes, rank);
    }

    /**
     * Keras's {@code axis} argument of a normalization layer ({@code given}, negative from the end)
     * for inputs of {@code rank}: each axis in [1, rank), none twice; refused naming {@code layer} and the
     * argument as the layer shows it ({@code axisText}).
     */
    static int[] nonBatchAxes(String layer, String axisText, int[] given, int rank) {
        int[] out = new int[given.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < given.length; i++) {
            int a = given[i] < 0 ? given[i] + rank : given[i];
            if (a < 1 || a >= rank || seen[a]) {
                throw new IllegalArgumentException(layer + ": axis " + axisText + " does not fit inputs of rank "
                        + rank + "; expected distinct axes among 1 to " + (rank - 1) + " (or -1 to -" + (rank - 1) + "), the batch axis 0 excluded");
            }
            seen[a] = true;
            out[i] = a;
        }
        return out;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        int[] over = resolved(x.rank());
        if (over.length == 1 && over[0] == x.rank() - 1) return normalized(x, over, x.dim(-1), gammaValue(), betaValue());
        double n = 1;
        int[] broadcast = new int[x.rank()];
        java.util.Arrays.fill(broadcast, 1);
        for (int a : over) {
            n *= x.dim(a);
            broadcast[a] = x.dim(a);
        }
        // gamma and beta hold the axes in the order given; as Keras, reshaped (not transposed) onto them
        Tensor g = gammaValue() == null ? null : gammaValue().reshape(broadcast);
        Tensor b = betaValue() == null ? null : betaValue().reshape(broadcast);
        return normalized(x, over, n, g, b);
    }

    private Tensor gammaValue() {
        return scale ? gamma.value() : null;
    }

    private Tensor betaValue() {
        return center ? beta.value() : null;
    }

    private Tensor normalized(Tensor x, int[] over, double n, Tensor g, Tensor b) {
        Tensor mean = x.sum(over, true).div(n);
        Tensor centered = x.sub(mean);
        Tensor variance = centered.mul(centered).sum(over, true).div(n);
        Tensor y = centered.mul(variance.add(epsilon).sqrt().reciprocal());
        if (g != null) y = y.mul(g);
        if (b != null) y = y.add(b);
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
        c.put("axis", axes.length == 1 ? axes[0] : Config.list(axes));
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
        // Keras writes an int, or once built a list ([-1])
        int[] axes = c.get("axis") instanceof Number ? new int[] {Config.integerIn(c, "axis", -1, Integer.MIN_VALUE, Integer.MAX_VALUE)}
                : Config.ints(c, "axis", 0, new int[] {-1});
        return new LayerNormalization(axes, Config.numberIn(c, "epsilon", 1e-3, Double.MIN_VALUE, 1e6), Config.bool(c, "center", true), Config.bool(c, "scale", true),
                Config.initializer(c, "beta_initializer", new Zeros()), Config.initializer(c, "gamma_initializer", new Ones()),
                Config.regularizer(c, "beta_regularizer"), Config.regularizer(c, "gamma_regularizer"), Config.string(c, "name", null));
    }
}
