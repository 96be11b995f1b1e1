package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.LayerRegistry;
import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a recurrent layer forward and a copy of it backward over the sequence and merges the two,
 * as Keras's Bidirectional. The pair are named {@code forward_<name>} and {@code backward_<name>}
 * (Keras's names); the backward outputs are put back in time order before merging.
 * {@code mergeMode}: {@code concat} (default), {@code sum}, {@code mul}, {@code ave}, or null (Keras's
 * {@code None}): the two outputs apart, from {@link #callWithStates} only, since a layer call returns one.
 *
 * <pre>{@code
 * Layer bi = new Bidirectional(new LSTM(32, RecurrentOptions.defaults().returnSequences(true)));   // [N, T, 64]
 * }</pre>
 */
public final class Bidirectional extends Layer {
    private final RecurrentLayer forward;
    private final RecurrentLayer backward;
    /** concat, sum, mul, ave, or null for Keras's None (the two outputs apart). */
    private final String mergeMode;

    public Bidirectional(RecurrentLayer layer) {
        this(layer, "concat", null, null);
    }

    public Bidirectional(RecurrentLayer layer, String mergeMode) {
        this(layer, mergeMode, null, null);
    }

    /**
     * @param backwardLayer null for a copy of {@code layer} with {@code go_backwards} flipped
     * @param name          null for an automatic one
     */
    public Bidirectional(RecurrentLayer layer, String mergeMode, RecurrentLayer backwardLayer, String name) {
        super(name);
        String mode = mergeMode == null || mergeMode.equalsIgnoreCase("none") ? null : mergeMode.toLowerCase(Locale.ROOT);
        if (mode != null && !List.of("concat", "sum", "mul", "ave").contains(mode)) {
            throw new IllegalArgumentException(name() + " (Bidirectional): merge_mode must be concat, sum, mul, ave or null (None), got " + mergeMode);
        }
        this.mergeMode = mode;
        RecurrentOptions o = layer.options();
        this.forward = layer.name().startsWith("forward_") ? layer : layer.reconfigured(o, "forward_" + layer.name());
        if (backwardLayer == null) {
            this.backward = layer.reconfigured(o.goBackwards(!o.goBackwards()), "backward_" + layer.name());
        } else {
            if (backwardLayer.options().returnSequences() != o.returnSequences() || backwardLayer.options().returnState() != o.returnState()
                    || backwardLayer.stateCount() != layer.stateCount()) {
                throw new IllegalArgumentException(name() + " (Bidirectional): backward_layer " + backwardLayer
                        + " must match the forward layer's return_sequences, return_state and state count");
            }
            if (backwardLayer.options().goBackwards() == o.goBackwards()) { // as Keras: two layers of one direction are no pair
                throw new IllegalArgumentException(name() + " (Bidirectional): backward_layer " + backwardLayer.name() + " has go_backwards="
                        + o.goBackwards() + " as the forward layer " + layer.name() + "; expected the opposite direction");
            }
            this.backward = backwardLayer;
        }
        // Keras: with sequences out, masked steps give zeros so the two directions merge cleanly
        forward.zeroOutputForMask = o.returnSequences();
        backward.zeroOutputForMask = o.returnSequences();
        track(forward);
        track(backward);
    }

    @Override
    public void build(Shape in) {
        forward.ensureBuilt(List.of(in));
        backward.ensureBuilt(List.of(in));
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return call(inputs, training, null);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training, Tensor mask) {
        requireMerged();
        return callWithStates(inputs, null, mask, training).get(0);
    }

    /** A layer call returns one tensor: with merge_mode None (two outputs) it is refused, naming the way that works. */
    private void requireMerged() {
        if (mergeMode == null) {
            throw new IllegalArgumentException(name() + " (Bidirectional): merge_mode=None gives two outputs (the forward and the backward "
                    + "layer's) and a layer call returns one: use callWithStates, which returns [forward, backward, states...], in a "
                    + "subclassed Model, or a merge mode (concat, sum, mul, ave)");
        }
    }

    /**
     * The merged output (with merge_mode None the forward output, then the backward one in time order),
     * then with {@code return_state} the forward layer's final states followed by the backward layer's
     * (Keras's order).
     *
     * @param initialStates null, or the forward layer's initial states followed by the backward layer's
     */
    public List<Tensor> callWithStates(Tensor inputs, List<Tensor> initialStates, Tensor mask, boolean training) {
        RecurrentLayer.refuseKerasTensors(this, inputs, initialStates);
        prepareDirectCall(List.of(inputs.shape()));
        List<Tensor> fInit = null;
        List<Tensor> bInit = null;
        if (initialStates != null && !initialStates.isEmpty()) {
            int k = forward.stateCount();
            if (initialStates.size() != k + backward.stateCount()) {
                throw new IllegalArgumentException(name() + " (Bidirectional): expected " + (k + backward.stateCount())
                        + " initial states (forward then backward), got " + initialStates.size());
            }
            fInit = initialStates.subList(0, k);
            bInit = initialStates.subList(k, initialStates.size());
        }
        // apply-like tracking, then the loop itself (which needs the time-order option)
        forward.ensureBuilt(List.of(inputs.shape()));
        backward.ensureBuilt(List.of(inputs.shape()));
        List<Tensor> f = forward.run(inputs, fInit, mask, training, true);
        List<Tensor> b = backward.run(inputs, bInit, mask, training, true);
        List<Tensor> out = new ArrayList<>();
        // Keras merges the forward layer's output in its own order with the backward layer's flipped: the time
        // order above, unless the forward layer is the one that goes backwards, where Keras's is its flip
        boolean flip = forward.options().goBackwards() && forward.options().returnSequences();
        if (mergeMode == null) {
            out.add(flip ? reversedInTime(f.get(0)) : f.get(0));
            out.add(flip ? reversedInTime(b.get(0)) : b.get(0));
        } else {
            Tensor merged = merge(f.get(0), b.get(0));
            out.add(flip ? reversedInTime(merged) : merged);
        }
        out.addAll(f.subList(1, f.size()));
        out.addAll(b.subList(1, b.size()));
        return out;
    }

    private static Tensor reversedInTime(Tensor y) {
        long[] last = new long[y.dim(1)];
        for (int t = 0; t < last.length; t++) last[t] = last.length - 1 - t;
        return ArrayOps.indexSelect(y, 1, Tensors.of(last));
    }

    private Tensor merge(Tensor a, Tensor b) {
        return switch (mergeMode) {
            case "concat" -> ArrayOps.concat(List.of(a, b), -1);
            case "sum" -> a.add(b);
            case "mul" -> a.mul(b);
            default -> a.add(b).mul(0.5);
        };
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    @Override
    public Tensor computeMask(Tensor inputs, Tensor previousMask) {
        return forward.options().returnSequences() ? previousMask : null;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireMerged();
        Shape f = forward.computeOutputShape(in);
        return mergeMode.equals("concat") ? f.with(-1, f.dim(-1) + backward.units()) : f;
    }

    public RecurrentLayer forwardLayer() {
        return forward;
    }

    public RecurrentLayer backwardLayer() {
        return backward;
    }

    /** concat, sum, mul, ave, or null (Keras's None). */
    public String mergeMode() {
        return mergeMode;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("layer", entry(forward));
        c.put("merge_mode", mergeMode);
        c.put("backward_layer", entry(backward));
        return c;
    }

    static Map<String, Object> entry(Layer l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_name", l.getClass().getSimpleName());
        m.put("config", l.getConfig());
        return m;
    }

    public static Bidirectional fromConfig(Map<String, Object> c) {
        Layer f = LayerRegistry.fromEntry(Config.requiredMap(c, "layer"));
        Layer back = c.get("backward_layer") == null ? null : LayerRegistry.fromEntry(Config.requiredMap(c, "backward_layer"));
        if (!(f instanceof RecurrentLayer fr) || (back != null && !(back instanceof RecurrentLayer))) {
            throw new IllegalArgumentException("Bidirectional.fromConfig: 'layer' and 'backward_layer' must be recurrent layers, got " + f
                    + " and " + back);
        }
        // Keras's default is concat; an explicit null is its None
        String merge = c.containsKey("merge_mode") && c.get("merge_mode") == null ? null : Config.string(c, "merge_mode", "concat");
        return new Bidirectional(fr, merge, (RecurrentLayer) back, Config.string(c, "name", null));
    }
}
