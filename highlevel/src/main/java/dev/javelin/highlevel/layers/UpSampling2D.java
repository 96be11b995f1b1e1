package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Locale;
import java.util.Map;

/**
 * Repeats rows and columns of NHWC inputs, as Keras's UpSampling2D. {@code "nearest"} repeats each
 * pixel (a broadcast view, then a reshape); {@code "bilinear"} interpolates with half-pixel centers
 * (as Keras's image resize and PyTorch's {@code align_corners=False}), one constant interpolation
 * matrix per axis applied by a matmul.
 *
 * <pre>{@code
 * Layer up = new UpSampling2D(2);                                  // [N, 7, 7, C] -> [N, 14, 14, C]
 * Layer smooth = new UpSampling2D(new int[] {2, 3}, "bilinear", null);
 * }</pre>
 */
public final class UpSampling2D extends Layer {
    private final int[] size;
    private final String interpolation;

    public UpSampling2D(int size) {
        this(new int[] {size, size}, "nearest", null);
    }

    public UpSampling2D(int[] size, String interpolation, String name) {
        super(name);
        this.size = Padding.pair("UpSampling2D", "size", size);
        this.interpolation = interpolation.toLowerCase(Locale.ROOT);
        if (!this.interpolation.equals("nearest") && !this.interpolation.equals("bilinear")) {
            throw new IllegalArgumentException("UpSampling2D: interpolation must be \"nearest\" or \"bilinear\", got \"" + interpolation + "\"");
        }
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Checks.nhwc(this, "UpSampling2D", x.shape());
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
        if (interpolation.equals("nearest")) {
            return SpatialOps.nearest(x, size);
        }
        Tensor rows = interpolationMatrix(h, size[0]).cast(x.dtype()).to(x.device());   // [OH, H]
        Tensor cols = interpolationMatrix(w, size[1]).cast(x.dtype()).to(x.device());   // [OW, W]
        Tensor tall = x.permute(0, 2, 3, 1).matmul(rows.mT()).permute(0, 3, 1, 2);    // [N, OH, W, C]
        return tall.permute(0, 1, 3, 2).matmul(cols.mT()).permute(0, 1, 3, 2);       // [N, OH, OW, C]
    }

    /** [in * scale, in]: row o holds the weights of the two inputs around {@code (o + 0.5) / scale - 0.5}, clamped to the edges. */
    private static Tensor interpolationMatrix(int in, int scale) {
        int out = in * scale;
        float[] m = new float[out * in];
        for (int o = 0; o < out; o++) {
            double src = Math.max((o + 0.5) / scale - 0.5, 0);
            int lo = Math.min((int) Math.floor(src), in - 1), hi = Math.min(lo + 1, in - 1);
            double t = src - lo;
            m[o * in + lo] += (float) (1 - t);
            m[o * in + hi] += (float) t;
        }
        return Tensors.of(m, out, in);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        Checks.nhwc(this, "UpSampling2D", in);
        String op = name() + " (UpSampling2D)", context = "upsampling " + in;
        return Shape.of(in.dim(0), Shape.dimension(op, (long) in.dim(1) * size[0], context),
                Shape.dimension(op, (long) in.dim(2) * size[1], context), in.dim(3));
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("size", Config.list(size));
        c.put("interpolation", interpolation);
        return c;
    }

    public static UpSampling2D fromConfig(Map<String, Object> c) {
        return new UpSampling2D(Config.ints(c, "size", 2, new int[] {2, 2}), Config.string(c, "interpolation", "nearest"),
                Config.string(c, "name", null));
    }
}
