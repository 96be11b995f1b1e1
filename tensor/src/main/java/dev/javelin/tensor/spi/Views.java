package dev.javelin.tensor.spi;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;

/**
 * Offset and stride arithmetic for the movement ops: a view shares its input's storage. Engines and
 * code generators use the same functions, so every layer agrees on what a view addresses.
 */
public final class Views {
    private Views() {}

    /**
     * The strides and offset of the view that {@code call} (a movement op) makes of its input with
     * {@code inStrides} and {@code inOffset}; null for a RESHAPE that needs a copy first.
     */
    public static Layout layout(OpCall call, int[] inStrides, int inOffset) {
        Tensor in = call.input(0);
        Shape inShape = in.shape();
        int[] outDims = call.shape().toArray();
        return switch (call.op()) {
            case RESHAPE -> {
                int[] s = reshapedStrides(inShape, inStrides, outDims);
                yield s == null ? null : new Layout(s, inOffset);
            }
            case PERMUTE -> {
                int[] order = call.attrs(OpAttrs.Permute.class).order();
                int[] s = new int[order.length];
                for (int i = 0; i < order.length; i++) s[i] = inStrides[order[i]];
                yield new Layout(s, inOffset);
            }
            case EXPAND -> {
                int[] s = new int[outDims.length];
                for (int i = 0; i < outDims.length; i++) s[i] = inShape.dim(i) == outDims[i] ? inStrides[i] : 0;
                yield new Layout(s, inOffset);
            }
            case SLICE -> {
                OpAttrs.Slice sl = call.attrs(OpAttrs.Slice.class);
                int off = inOffset;
                int[] s = new int[outDims.length];
                for (int i = 0; i < outDims.length; i++) {
                    if (outDims[i] > 0) off += sl.start()[i] * inStrides[i];
                    s[i] = inStrides[i] * sl.step()[i];
                }
                yield new Layout(s, off);
            }
            case UNFOLD -> {
                OpAttrs.Window w = call.attrs(OpAttrs.Window.class);
                // [N,H,W,C] -> [N,OH,OW,KH,KW,C]
                int[] s = {inStrides[0], inStrides[1] * w.strideH(), inStrides[2] * w.strideW(),
                        inStrides[1] * w.dilationH(), inStrides[2] * w.dilationW(), inStrides[3]};
                yield new Layout(s, inOffset);
            }
            default -> throw new IllegalArgumentException("Views: " + call.op() + " is not a movement op");
        };
    }

    /**
     * The strides that address {@code outDims} over the same elements in the same row-major order as
     * {@code inShape} with {@code inStrides}, or null when no strides can (a copy is needed). Not only a
     * contiguous input: the input's axes fall into runs that are dense among themselves (each axis'
     * stride is the next one's times its size), and a reshape that only splits or merges axes inside
     * such runs is a view, as in PyTorch. So a slice of the last axis reshaped to more axes (the fused
     * attention's gradients, cut from its packed result) costs no copy.
     */
    static int[] reshapedStrides(Shape inShape, int[] inStrides, int[] outDims) {
        int[] out = new int[outDims.length];
        if (inShape.size() == 0 || inShape.rank() == 0) {
            int[] dense = Shape.of(outDims).contiguousStrides();
            return dense;
        }
        int o = outDims.length - 1;
        long runSize = 1, outSize = 1;
        long base = inStrides[inShape.rank() - 1];
        for (int i = inShape.rank() - 1; i >= 0; i--) {
            runSize *= inShape.dim(i);
            boolean runEnds = i == 0 || inShape.dim(i - 1) != 1 && inStrides[i - 1] != runSize * base;
            if (!runEnds) continue;
            // the output axes made of this run: strides within the run, from its innermost stride
            while (o >= 0 && (outSize < runSize || outDims[o] == 1)) {
                out[o] = (int) (outSize * base);
                outSize *= outDims[o];
                o--;
            }
            if (outSize != runSize) return null;
            if (i > 0) {
                base = inStrides[i - 1];
                runSize = 1;
                outSize = 1;
            }
        }
        return o == -1 ? out : null;
    }

    /** Strides and offset of a view. */
    public record Layout(int[] strides, int offset) {}

    /** True when {@code strides} address {@code shape} densely in row-major order (size-1 dims ignored). */
    public static boolean isContiguous(Shape shape, int[] strides) {
        int expected = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            int d = shape.dim(i);
            if (d == 0) return true;
            if (d != 1 && strides[i] != expected) return false;
            expected *= d;
        }
        return true;
    }

    /** Output size of a sliding window along one axis of (already padded) length {@code n}. */
    public static int windowCount(int n, int k, int stride, int dilation) {
        long span = (long) dilation * (k - 1) + 1; // in long: a dilation near 2^31 overflowed into a negative span
        return n < span ? 0 : (int) ((n - span) / stride + 1);
    }

    /** True for the ops this class handles. */
    public static boolean isView(Op op) {
        return op.isView();
    }
}
