package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.saving.Shortened;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Declares the shape of one sample (no batch axis), as Keras's InputLayer: the first element of a
 * {@code Sequential}, or what {@code Input.of} creates for a functional model. A dimension given as
 * {@link #ANY} ({@code -1}, Keras's {@code None}) takes any size, as the batch does: a sequence length
 * for layers that do not depend on it. Shape inference then sees it at a placeholder size of 1.
 *
 * <pre>{@code
 * Model m = new Sequential(new InputLayer(28, 28, 1), new Flatten(), new Dense(10));
 * Tensor tokens = Input.of(InputLayer.ANY, 16);   // [batch, any length, 16]
 * }</pre>
 */
public final class InputLayer extends Layer {
    /** A sample dimension of any size (Keras's {@code None}). */
    public static final int ANY = -1;

    private final int[] sampleShape;
    private final DType dtype;
    private final Tensor output;

    public InputLayer(int... sampleShape) {
        this(sampleShape, DType.FLOAT32, null);
    }

    public InputLayer(int[] sampleShape, DType dtype, String name) {
        super(name);
        checkSampleShape(sampleShape);
        this.sampleShape = sampleShape.clone();
        this.dtype = dtype;
        ensureBuilt(List.of(batchShape()));
        setOutputShape(batchShape());
        this.output = KerasTensors.record(this, List.of(), batchShape(), dtype);
    }

    /**
     * Checks a sample shape: every dimension at least 1 or {@link #ANY}, and the fixed ones small
     * enough for one Java array (a hostile file cannot claim an input of 2^31 x 2^31).
     *
     * @throws IllegalArgumentException naming the shape and the limit
     */
    public static void checkSampleShape(int[] sampleShape) {
        long elements = 1;
        for (int d : sampleShape) {
            if (d == ANY) continue;
            if (d < 1) {
                throw new IllegalArgumentException("InputLayer: sample dimensions must be >= 1 (or -1 for any size), got "
                        + Shortened.of(Arrays.toString(sampleShape)));
            }
            elements *= d; // both factors are below 2^31, so this fits a long before the check below
            if (elements > Integer.MAX_VALUE - 8L) {
                throw new IllegalArgumentException("InputLayer: a sample of shape " + Shortened.of(Arrays.toString(sampleShape))
                        + " has more elements than one array holds (" + (Integer.MAX_VALUE - 8L) + ")");
            }
        }
    }

    /** [1, sample...]: the batch axis is a placeholder of size 1 (printed as None), and so is each {@link #ANY} dimension. */
    public Shape batchShape() {
        return batchShape(1);
    }

    /** [1, sample...] with each {@link #ANY} dimension at {@code anySize} (see {@link FreeDimensions}). */
    public Shape batchShape(int anySize) {
        int[] d = new int[sampleShape.length + 1];
        d[0] = 1;
        for (int i = 0; i < sampleShape.length; i++) d[i + 1] = sampleShape[i] == ANY ? anySize : sampleShape[i];
        return Shape.of(d);
    }

    /** The shape of one sample ({@link #ANY} where any size goes). */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public DType dtype() {
        return dtype;
    }

    /** The Keras tensor this layer produces. */
    public Tensor output() {
        return output;
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        int[] got = inputs.shape().toArray();
        boolean fits = got.length == sampleShape.length + 1;
        for (int i = 0; fits && i < sampleShape.length; i++) fits = sampleShape[i] == ANY || sampleShape[i] == got[i + 1];
        if (!fits) {
            StringBuilder expected = new StringBuilder("[batch");
            for (int d : sampleShape) expected.append(", ").append(d == ANY ? "any" : String.valueOf(d));
            throw new IllegalArgumentException(name() + " (InputLayer): expected inputs of shape " + expected + "], got " + inputs.shape());
        }
        // as Keras's functional models convert each input to its Input's dtype: float64 data (a Java
        // double[][]) into a float32 model ran every layer in float64, about 20x slower per epoch
        return dtype.isFloating() && inputs.dtype() != dtype ? inputs.cast(dtype) : inputs;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Object> shape = new ArrayList<>();
        shape.add(null);
        for (int d : sampleShape) shape.add(d == ANY ? null : d);
        c.put("batch_shape", shape);
        c.put("dtype", dtype.toString());
        return c;
    }

    public static InputLayer fromConfig(Map<String, Object> c) {
        int[] sample = Config.batchShapeWithAny(c, "batch_shape");
        String dtype = Config.choice(c, "dtype", "float32", "float32", "float64", "int32", "int64", "bool");
        DType dt = DType.valueOf(dtype.toUpperCase(java.util.Locale.ROOT));
        return new InputLayer(sample, dt, Config.string(c, "name", null));
    }
}
