package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The per-sample dot product of two inputs along one axis of each, as Keras's Dot (its
 * {@code batch_dot}): the batch axis stays, the remaining axes of the first input come next, then
 * those of the second; a result with only the batch axis becomes [N, 1]. With {@code normalize}
 * each input is first L2-normalized along its axis, so the result is the cosine similarity.
 *
 * <pre>{@code
 * Tensor sim = new Dot(new int[] {1, 1}, true, null).apply(a, b);   // [N, F] . [N, F] -> [N, 1]
 * Tensor att = new Dot(2).apply(q, k);                             // [N, T, F] . [N, S, F] -> [N, T, S]
 * }</pre>
 */
public final class Dot extends Layer {
    private static final double NORMALIZE_EPSILON = 1e-12;
    private final int[] axes;
    private final boolean normalize;

    /** The same axis of both inputs. */
    public Dot(int axis) {
        this(new int[] {axis, axis}, false, null);
    }

    /** @param axes one axis of each input (the batch axis is 0; negative counts from the end) */
    public Dot(int[] axes, boolean normalize, String name) {
        super(name);
        if (axes.length == 1) axes = new int[] {axes[0], axes[0]};
        if (axes.length != 2) throw new IllegalArgumentException("Dot: axes must be one int or two, got " + Arrays.toString(axes));
        this.axes = axes.clone();
        this.normalize = normalize;
    }

    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() != 2) throw new IllegalArgumentException(name() + " (Dot): expected exactly 2 inputs, got " + inputs.size());
        Tensor x = inputs.get(0), y = inputs.get(1);
        int ax = axis(x.shape(), 0), ay = axis(y.shape(), 1);
        if (x.dim(0) != y.dim(0) || x.dim(ax) != y.dim(ay)) {
            throw new IllegalArgumentException(name() + " (Dot): inputs " + x.shape() + " and " + y.shape() + " along axes "
                    + Arrays.toString(axes) + ": expected one batch size and one size along the axes");
        }
        if (normalize) {
            x = l2Normalize(x, ax);
            y = l2Normalize(y, ay);
        }
        // [N, restX, K] @ [N, K, restY] as a batched matmul
        Tensor xm = x.permute(moveLast(x.rank(), ax)), ym = y.permute(moveAfterBatch(y.rank(), ay));
        int n = x.dim(0), k = x.dim(ax);
        long restX = x.size() / Math.max(1, (long) n * k), restY = y.size() / Math.max(1, (long) n * k);
        Tensor z = xm.reshape(n, (int) restX, k).matmul(ym.reshape(n, k, (int) restY));
        return z.reshape(outputShape(x.shape(), y.shape(), ax, ay).toArray());
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        throw new IllegalArgumentException(name() + " (Dot): expected a list of 2 inputs, got one " + inputs.shape());
    }

    private int axis(Shape s, int which) {
        int a = Shape.normalizeAxis(axes[which], s.rank(), name() + " (Dot)");
        if (a == 0 || s.rank() < 2) {
            throw new IllegalArgumentException(name() + " (Dot): cannot take the dot product along the batch axis of input "
                    + which + " " + s + " (axes " + Arrays.toString(axes) + ")");
        }
        return a;
    }

    private static Shape outputShape(Shape x, Shape y, int ax, int ay) {
        int[] out = new int[Math.max(2, x.rank() + y.rank() - 3)];
        int k = 0;
        out[k++] = x.dim(0);
        for (int d = 1; d < x.rank(); d++) if (d != ax) out[k++] = x.dim(d);
        for (int d = 1; d < y.rank(); d++) if (d != ay) out[k++] = y.dim(d);
        if (k == 1) out[k] = 1; // Keras keeps a feature axis: [N] becomes [N, 1]
        return Shape.of(out);
    }

    private static int[] moveLast(int rank, int axis) {
        int[] o = new int[rank];
        for (int d = 0, k = 0; d < rank; d++) if (d != axis) o[k++] = d;
        o[rank - 1] = axis;
        return o;
    }

    private static int[] moveAfterBatch(int rank, int axis) {
        int[] o = new int[rank];
        o[1] = axis;
        for (int d = 1, k = 2; d < rank; d++) if (d != axis) o[k++] = d;
        return o;
    }

    /** {@code x / sqrt(max(sum(x^2), 1e-12))} along {@code axis}, as Keras's l2_normalize. */
    private static Tensor l2Normalize(Tensor x, int axis) {
        return x.mul(x.mul(x).sum(new int[] {axis}, true).maximum(NORMALIZE_EPSILON).rsqrt());
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axes", Config.list(axes));
        c.put("normalize", normalize);
        return c;
    }

    public static Dot fromConfig(Map<String, Object> c) {
        return new Dot(Config.ints(c, "axes", 2, new int[] {-1, -1}), Config.bool(c, "normalize", false), Config.string(c, "name", null));
    }
}
