package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Arrays;
import java.util.Map;

/**
 * The parametric ReLU, as Keras's PReLU: {@code relu(x) - alpha * relu(-x)} with a learned
 * {@code alpha} per element of a sample (initially 0), shared along the {@code sharedAxes}
 * (numbered from 1, as in Keras: {@code {1, 2}} shares over height and width for one alpha per channel).
 *
 * <pre>{@code
 * Layer p = new PReLU(new Zeros(), null, new int[] {1, 2}, null);
 * }</pre>
 */
public final class PReLU extends Layer {
    private final Initializer alphaInitializer;
    private final Regularizer alphaRegularizer;
    private final int[] sharedAxes;
    private Variable alpha;

    public PReLU() {
        this(new Zeros(), null, new int[0], null);
    }

    public PReLU(Initializer alphaInitializer, Regularizer alphaRegularizer, int[] sharedAxes, String name) {
        super(name);
        this.alphaInitializer = Checks.notNull("PReLU", "alpha_initializer", alphaInitializer);
        this.alphaRegularizer = alphaRegularizer;
        this.sharedAxes = sharedAxes == null ? new int[0] : sharedAxes.clone();
        for (int a : this.sharedAxes) {
            if (a < 1) throw new IllegalArgumentException("PReLU: shared_axes are numbered from 1 (0 is the batch), got "
                    + Arrays.toString(sharedAxes));
        }
    }

    @Override
    public void build(Shape in) {
        int[] dims = Arrays.copyOfRange(in.toArray(), 1, in.rank());
        for (int a : sharedAxes) {
            if (a >= in.rank()) {
                throw new IllegalArgumentException(name() + " (PReLU): shared axis " + a + " is out of range for inputs " + in);
            }
            dims[a - 1] = 1;
        }
        alpha = addWeight("alpha", Shape.of(dims), alphaInitializer, alphaRegularizer, true);
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        return x.relu().sub(alpha.value().mul(x.neg().relu()));
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public Variable alpha() {
        return alpha;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("alpha_initializer", Config.of(alphaInitializer));
        c.put("alpha_regularizer", Config.of(alphaRegularizer));
        c.put("shared_axes", sharedAxes.length == 0 ? null : Config.list(sharedAxes));
        return c;
    }

    public static PReLU fromConfig(Map<String, Object> c) {
        return new PReLU(Config.initializer(c, "alpha_initializer", new Zeros()), Config.regularizer(c, "alpha_regularizer"),
                Config.ints(c, "shared_axes", 0, new int[0]), Config.string(c, "name", null));
    }
}
