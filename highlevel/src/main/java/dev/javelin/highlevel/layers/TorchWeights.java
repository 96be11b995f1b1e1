package dev.javelin.highlevel.layers;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads PyTorch's recurrent and 1-D convolution weights into the Keras-layout layers. The layouts:
 * <table>
 *   <caption>PyTorch state (one layer, direction suffix {@code _l0} / {@code _l0_reverse}) to Keras weights</caption>
 *   <tr><th>layer</th><th>PyTorch</th><th>Keras / Javelin</th></tr>
 *   <tr><td>SimpleRNN</td><td>{@code weight_ih [u, in]}, {@code weight_hh [u, u]}, {@code bias_ih}, {@code bias_hh [u]}</td>
 *       <td>{@code kernel = weight_ihᵀ}, {@code recurrent_kernel = weight_hhᵀ}, {@code bias = bias_ih + bias_hh}</td></tr>
 *   <tr><td>LSTM</td><td>gate rows {@code i, f, g, o} of {@code [4u, in]} / {@code [4u, u]}, two biases</td>
 *       <td>the same gate order {@code i, f, c, o} in columns: transposes, and the biases summed</td></tr>
 *   <tr><td>GRU</td><td>gate rows {@code r, z, n}; {@code n = tanh(W_in x + b_in + r*(W_hn h + b_hn))}</td>
 *       <td>gate columns {@code z, r, h}: blocks swapped, transposed; {@code reset_after=true}: bias
 *       {@code [2, 3u]} with row 0 = {@code bias_ih}, row 1 = {@code bias_hh} (each reordered)</td></tr>
 *   <tr><td>Conv1D</td><td>{@code weight [out, in/groups, k]}, {@code bias [out]}</td>
 *       <td>{@code kernel [k, in/groups, out]} (a permute), {@code bias}</td></tr>
 * </table>
 * The variables take the dtype of the given tensors (float64 state gives float64 weights).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(64);
 * lstm.ensureBuilt(List.of(Shape.of(1, 10, 32)));
 * TorchWeights.load(lstm, state, "_l0");   // state: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0
 * }</pre>
 */
public final class TorchWeights {
    private TorchWeights() {}

    /**
     * Loads one direction of an {@code nn.RNN}, {@code nn.LSTM} or {@code nn.GRU} state dict into a
     * built layer of the matching kind.
     *
     * @param suffix {@code "_l0"} for the first layer, {@code "_l0_reverse"} for its backward direction
     */
    public static void load(RecurrentLayer layer, Map<String, Tensor> state, String suffix) {
        Pending p = new Pending();
        collect(layer, state, suffix, p);
        p.store();
    }

    /** Converts one direction's weights into {@code p}, refusing what does not fit before anything is stored. */
    private static void collect(RecurrentLayer layer, Map<String, Tensor> state, String suffix, Pending p) {
        Tensor wih = require(state, "weight_ih" + suffix, layer);
        Tensor whh = require(state, "weight_hh" + suffix, layer);
        if (layer instanceof LSTM l) {
            p.set(l.kernel(), wih.mT());
            p.set(l.recurrentKernel(), whh.mT());
            Tensor[] b = biases(state, suffix, layer, l.bias() != null);
            if (b != null) p.set(l.bias(), b[0].add(b[1]));
        } else if (layer instanceof GRU g) {
            if (!g.resetAfter()) { // with or without a bias: the reset gate multiplies the state before its product there
                throw new IllegalArgumentException(layer.name() + " (GRU): PyTorch's GRU is reset_after=true; this layer is "
                        + "reset_after=false, whose candidate differs (load into a GRU with reset_after=true)");
            }
            p.set(g.kernel(), gruGates(wih, 0).mT());
            p.set(g.recurrentKernel(), gruGates(whh, 0).mT());
            Tensor[] b = biases(state, suffix, layer, g.bias() != null);
            if (b != null) p.set(g.bias(), ArrayOps.stack(List.of(gruGates(b[0], 0), gruGates(b[1], 0)), 0));
        } else if (layer instanceof SimpleRNN r) {
            p.set(r.kernel(), wih.mT());
            p.set(r.recurrentKernel(), whh.mT());
            Tensor[] b = biases(state, suffix, layer, r.bias() != null);
            if (b != null) p.set(r.bias(), b[0].add(b[1]));
        } else {
            throw new IllegalArgumentException("TorchWeights.load: no PyTorch layout for " + layer);
        }
    }

    /** Both directions of a bidirectional {@code nn.LSTM/GRU/RNN} (layer {@code index}) into a built Bidirectional. */
    public static void load(Bidirectional layer, Map<String, Tensor> state, int index) {
        Pending p = new Pending();
        collect(layer.forwardLayer(), state, "_l" + index, p);
        collect(layer.backwardLayer(), state, "_l" + index + "_reverse", p);
        p.store(); // both directions or neither: a state of one direction is refused with the layer unchanged
    }

    /** An {@code nn.Conv1d}'s {@code weight [out, in/groups, k]} and {@code bias} (may be null) into a built Conv1D. */
    public static void load(Conv1D layer, Tensor weight, Tensor bias) {
        Pending p = new Pending();
        p.set(layer.kernel(), weight.permute(2, 1, 0));
        if (layer.bias() == null && bias != null) {
            throw new IllegalArgumentException(layer.name() + " (Conv1D): PyTorch's state has a bias, the layer none (its values would be dropped)");
        }
        if (layer.bias() != null) {
            if (bias == null) throw new IllegalArgumentException(layer.name() + " (Conv1D): the layer has a bias, PyTorch's state none");
            p.set(layer.bias(), bias);
        }
        p.store();
    }

    /**
     * PyTorch's {@code bias_ih} and {@code bias_hh} of one direction, or null for a layer without a bias. A
     * module made with {@code bias=False} has neither; a layer and a state that differ in having them are
     * refused by name (a bias the layer lacks would be dropped, changing every output).
     */
    private static Tensor[] biases(Map<String, Tensor> state, String suffix, Layer layer, boolean layerHasBias) {
        Tensor bih = state.get("bias_ih" + suffix);
        Tensor bhh = state.get("bias_hh" + suffix);
        if (layerHasBias && (bih == null || bhh == null)) {
            throw new IllegalArgumentException("TorchWeights.load(" + layer.name() + "): the layer has a bias, PyTorch's state no 'bias_ih"
                    + suffix + "' and 'bias_hh" + suffix + "' in " + state.keySet() + " (a module made with bias=False: build the layer without one)");
        }
        if (!layerHasBias && (bih != null || bhh != null)) {
            throw new IllegalArgumentException("TorchWeights.load(" + layer.name() + "): PyTorch's state has 'bias_ih" + suffix
                    + "', the layer no bias (its values would be dropped: build the layer with one)");
        }
        return layerHasBias ? new Tensor[] {bih, bhh} : null;
    }

    /** PyTorch's GRU blocks {@code r, z, n} along {@code axis} to Keras's {@code z, r, h}. */
    static Tensor gruGates(Tensor t, int axis) {
        int u = t.dim(axis) / 3;
        return ArrayOps.concat(List.of(t.narrow(axis, u, u), t.narrow(axis, 0, u), t.narrow(axis, 2 * u, u)), axis);
    }

    /** Converted weights checked against their variables, stored together once every one fits (a refused load changes nothing). */
    private static final class Pending {
        private final List<Variable> variables = new ArrayList<>();
        private final List<Tensor> values = new ArrayList<>();

        void set(Variable v, Tensor value) {
            if (v == null) throw new IllegalStateException("TorchWeights: the layer is not built (call ensureBuilt first)");
            if (!value.shape().equals(v.shape())) {
                throw new IllegalArgumentException("TorchWeights: '" + v.name() + "' is " + v.shape() + ", the converted PyTorch weight "
                        + value.shape());
            }
            variables.add(v);
            values.add(value);
        }

        void store() {
            for (int i = 0; i < variables.size(); i++) variables.get(i).store(values.get(i).contiguous());
        }
    }

    private static Tensor require(Map<String, Tensor> state, String key, Layer layer) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException("TorchWeights.load(" + layer.name() + "): no '" + key + "' in " + state.keySet());
        return t;
    }
}
