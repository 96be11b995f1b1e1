package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Map;

/**
 * {@code x * scale + offset}, as Keras's Rescaling: integer inputs (pixels) become float32 first.
 *
 * <pre>{@code
 * Layer toUnit = new Rescaling(1 / 255.0, 0);      // [0, 255] -> [0, 1]
 * Layer toSigned = new Rescaling(1 / 127.5, -1);   // [0, 255] -> [-1, 1]
 * }</pre>
 */
public final class Rescaling extends Layer {
    private final double scale;
    private final double offset;

    public Rescaling(double scale, double offset) {
        this(scale, offset, null);
    }

    public Rescaling(double scale, double offset, String name) {
        super(name);
        this.scale = scale;
        this.offset = offset;
    }

    /** The mask passes through unchanged, as in Keras. */
    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor f = x.dtype().isFloating() ? x : x.cast(DType.FLOAT32);
        return f.mul(scale).add(offset);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("scale", scale);
        c.put("offset", offset);
        return c;
    }

    public static Rescaling fromConfig(Map<String, Object> c) {
        return new Rescaling(Config.number(c, "scale", 1), Config.number(c, "offset", 0), Config.string(c, "name", null));
    }
}
