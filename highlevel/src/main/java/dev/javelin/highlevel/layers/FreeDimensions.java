package dev.javelin.highlevel.layers;

import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Shapes of models whose inputs have dimensions of any size ({@link InputLayer#ANY}, Keras's
 * {@code None}). Such a dimension is a placeholder of size 1 in a Keras tensor's shape, which a layer
 * with a window may not take (a {@code "valid"} convolution or pooling wider than 1, a crop): then the
 * graph up to that layer is replayed on data-free tensors with every free input dimension at
 * {@link #SIZES}' larger sizes until one fits, so {@code Input.of(ANY, 16)} into {@code Conv1D(8, 5)}
 * builds as it does in Keras. A layer output's dimension that differs between two sizes is a free
 * one, which {@code summary()} prints as {@code None}.
 *
 * <pre>{@code
 * Tensor text = Input.of(InputLayer.ANY, 64);               // [batch, any length, 64]
 * Tensor h = new Conv1D(32, 5, "relu").apply(text);         // (None, None, 32)
 * }</pre>
 */
public final class FreeDimensions {
    /**
     * The sizes a free input dimension is tried at, in order: 1 (the Keras tensors' own) first; 4096 and 32768
     * for nets that halve a length ten times or more (a 1-D audio or signal net), which 512 does not fit (two
     * sizes that fit let a summary print the free dimensions as None). Replays are data-free.
     */
    static final int[] SIZES = {1, 8, 64, 512, 4096, 32768};

    /** Shapes already replayed, per Keras tensor and index into {@link #SIZES}: each layer applied replays only itself. */
    private static final Map<Tensor, Shape[]> REPLAYED = Collections.synchronizedMap(new WeakHashMap<>());
    /** Whether a Keras tensor depends on a free input dimension, once known. */
    private static final Map<Tensor, Boolean> DEPENDS = Collections.synchronizedMap(new WeakHashMap<>());

    private FreeDimensions() {}

    /**
     * The shapes of these Keras tensors with each free dimension of the model's inputs at {@code size},
     * computed by replaying the layers that produced them on data-free tensors.
     *
     * @throws IllegalArgumentException where a layer refuses that size
     */
    public static List<Shape> shapesAt(List<Tensor> kerasTensors, int size) {
        Map<Tensor, Shape> memo = new IdentityHashMap<>();
        List<Shape> out = new ArrayList<>(kerasTensors.size());
        for (Tensor t : kerasTensors) out.add(shapeAt(t, size, memo));
        return out;
    }

    private static Shape shapeAt(Tensor t, int size, Map<Tensor, Shape> memo) {
        Shape known = memo.get(t);
        if (known != null) return known;
        int index = java.util.Arrays.binarySearch(SIZES, size);
        Shape[] replayed = index >= 0 ? REPLAYED.get(t) : null;
        if (replayed != null && replayed[index] != null) return replayed[index];
        Node n = KerasTensors.nodeOf(t);
        if (n == null) throw new IllegalArgumentException("not a Keras tensor: " + t.dtype() + t.shape());
        Shape s;
        if (n.layer() instanceof InputLayer in) {
            s = in.batchShape(size);
        } else {
            List<Tensor> args = new ArrayList<>(n.inputs().size());
            for (Tensor in : n.inputs()) args.add(Tensor.symbolic(shapeAt(in, size, memo), in.dtype(), Device.CPU, null));
            s = replayShape(n.layer(), args);
        }
        memo.put(t, s);
        if (index >= 0) REPLAYED.computeIfAbsent(t, k -> new Shape[SIZES.length])[index] = s;
        return s;
    }

    /** The output shape of a built layer on these data-free tensors, leaving its {@code outputShape()} as it was. */
    private static Shape replayShape(Layer layer, List<Tensor> args) {
        Shape previous = layer.outputShape();
        try {
            return layer.symbolicCall(args, false).shape();
        } finally {
            layer.setOutputShape(previous);
        }
    }

    /** Whether any of these Keras tensors comes from an input with a dimension of any size. */
    static boolean dependsOnFree(List<Tensor> kerasTensors) {
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Tensor t : kerasTensors) if (dependsOnFree(t, seen)) return true;
        return false;
    }

    private static boolean dependsOnFree(Tensor t, Map<Tensor, Boolean> seen) {
        Boolean known = seen.get(t);
        if (known == null) known = DEPENDS.get(t);
        if (known != null) return known;
        Node n = KerasTensors.nodeOf(t);
        boolean free = false;
        if (n != null && n.layer() instanceof InputLayer in) {
            for (int d : in.sampleShape()) free |= d == InputLayer.ANY;
        } else if (n != null) {
            for (Tensor i : n.inputs()) free |= dependsOnFree(i, seen);
        }
        seen.put(t, free);
        if (n != null) DEPENDS.put(t, free);
        return free;
    }

    /**
     * Refuses, as Keras does ("the last dimension of the inputs should be defined"), a layer with
     * weights whose one floating input has a last axis of any size: built on the placeholder size, it
     * would hold weights for that one size and fail on every other. Detected where the last axis
     * differs between two sizes and the layer, built already, does not take the second.
     */
    static void checkFeatureAxis(Layer layer, List<Tensor> inputs, boolean training) {
        // one floating input only: ids of any length (an embedding's, a position table's) have a free last axis legitimately
        if (inputs.size() != 1 || !inputs.get(0).dtype().isFloating() || layer.weights().isEmpty() || !dependsOnFree(inputs)) return;
        List<Shape> a;
        List<Shape> b;
        try {
            a = shapesAt(inputs, SIZES[1]);
            b = shapesAt(inputs, SIZES[2]);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return; // the sizes do not fit some layer upstream: nothing to compare
        }
        List<Tensor> args = new ArrayList<>(inputs.size());
        int free = -1;
        for (int k = 0; k < inputs.size(); k++) {
            args.add(Tensor.symbolic(b.get(k), inputs.get(k).dtype(), Device.CPU, null));
            if (free < 0 && a.get(k).rank() > 0 && a.get(k).rank() == b.get(k).rank() && a.get(k).dim(-1) != b.get(k).dim(-1)) free = k;
        }
        if (free < 0) return;
        Shape previous = layer.outputShape();
        try {
            layer.symbolicCall(args, training);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw freeFeatureAxis(layer, a.get(free), b.get(free), e);
        } finally {
            layer.setOutputShape(previous);
        }
    }

    private static IllegalArgumentException freeFeatureAxis(Layer layer, Shape a, Shape b, RuntimeException cause) {
        return new IllegalArgumentException(layer.name() + " (" + layer.getClass().getSimpleName() + "): the last axis of its input "
                + describe(a, b) + " has any size (it follows an input dimension of any size, InputLayer.ANY), "
                + "but this layer's weights need it fixed, as in Keras; give that input dimension a size, or pool or reshape it "
                + "to a fixed one first (at another size: " + cause.getMessage() + ")", cause);
    }

    /** {@link #checkFeatureAxis} for the last layer of a {@code Sequential} chain fed by {@code input}. */
    public static void checkChainFeatureAxis(InputLayer input, List<Layer> chain) {
        if (input == null || chain.isEmpty() || !dependsOnFree(List.of(input.output()))) return;
        Layer layer = chain.get(chain.size() - 1);
        if (layer.weights().isEmpty()) return;
        List<Layer> before = chain.subList(0, chain.size() - 1);
        Shape a;
        Shape b;
        try {
            a = before.isEmpty() ? input.batchShape(SIZES[1]) : chainAt(input, before, SIZES[1], false).get(before.size() - 1);
            b = before.isEmpty() ? input.batchShape(SIZES[2]) : chainAt(input, before, SIZES[2], false).get(before.size() - 1);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return;
        }
        if (a.rank() == 0 || a.rank() != b.rank() || a.dim(-1) == b.dim(-1) || (before.isEmpty() && !input.dtype().isFloating())) return;
        dev.javelin.tensor.DType dtype = before.isEmpty() ? input.dtype() : dev.javelin.tensor.DType.FLOAT32;
        Shape previous = layer.outputShape();
        try {
            layer.symbolicCall(List.of(Tensor.symbolic(b, dtype, Device.CPU, null)), false);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw freeFeatureAxis(layer, a, b, e);
        } finally {
            layer.setOutputShape(previous);
        }
    }

    /**
     * {@code layer} on these Keras tensors at the first larger size that every layer up to it takes:
     * the data-free output, or null when none does (the caller reports its own failure at size 1).
     */
    static Tensor retry(Layer layer, List<Tensor> inputs, boolean training) {
        if (!dependsOnFree(inputs)) return null;
        for (int i = 1; i < SIZES.length; i++) {
            try {
                List<Shape> shapes = shapesAt(inputs, SIZES[i]);
                List<Tensor> args = new ArrayList<>(inputs.size());
                for (int k = 0; k < inputs.size(); k++) args.add(Tensor.symbolic(shapes.get(k), inputs.get(k).dtype(), Device.CPU, null));
                layer.ensureBuilt(shapes);
                return layer.symbolicCall(args, training);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // this size does not fit some layer up to here either: try the next
            }
        }
        return null;
    }

    /**
     * For a {@code Sequential} whose {@code last} layer did not take the shapes at size 1: builds the
     * chain from {@code input} at the first larger size every layer takes and records each layer's
     * output shape there. False (nothing changed) when the input has no free dimension or no size fits.
     */
    public static boolean retryChain(InputLayer input, List<Layer> chain) {
        if (input == null || !dependsOnFree(List.of(input.output()))) return false;
        for (int i = 1; i < SIZES.length; i++) {
            try {
                List<Shape> outs = chainAt(input, chain, SIZES[i], true);
                for (int k = 0; k < chain.size(); k++) chain.get(k).setOutputShape(outs.get(k));
                return true;
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // the next size
            }
        }
        return false;
    }

    /** The output shape of each layer of a chain fed by {@code input} with its free dimensions at {@code size}. */
    public static List<Shape> chainAt(InputLayer input, List<Layer> chain, int size, boolean build) {
        Shape s = input.batchShape(size);
        List<Shape> outs = new ArrayList<>(chain.size());
        for (Layer l : chain) {
            if (build) l.ensureBuilt(List.of(s));
            Shape previous = l.outputShape();
            try {
                s = l.computeOutputShape(s);
            } finally {
                l.setOutputShape(previous); // a symbolic computeOutputShape records its own; the caller decides
            }
            outs.add(s);
        }
        return outs;
    }

    /** The sizes free dimensions are tried at, in order (for summaries, two that fit tell the free dimensions apart; for conversions). */
    public static int[] sizes() {
        return SIZES.clone();
    }

    /** {@code (None, None, 32)}: the batch and every dimension that differs between {@code a} and {@code b} as None. */
    public static String describe(Shape a, Shape b) {
        StringBuilder s = new StringBuilder("(None");
        for (int i = 1; i < a.rank(); i++) s.append(", ").append(b != null && b.rank() == a.rank() && b.dim(i) != a.dim(i) ? "None" : a.dim(i));
        if (a.rank() == 1) s.append(',');
        return s.append(')').toString();
    }
}
