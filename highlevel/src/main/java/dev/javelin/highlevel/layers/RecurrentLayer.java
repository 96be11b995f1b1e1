package dev.javelin.highlevel.layers;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loop over time shared by {@link SimpleRNN}, {@link LSTM} and {@link GRU}, as Keras's
 * {@code RNN} layer around a cell: inputs {@code [batch, time, features]}, one cell step per time
 * step. The input projection of every step is one matmul before the loop; each step then adds the
 * recurrent product and applies the gates. Keras's arguments: {@code return_sequences},
 * {@code return_state}, {@code go_backwards}, initial states, {@code dropout} (one mask on the
 * inputs for the whole sequence; with recurrent dropout too, one per gate, as Keras 3) and
 * {@code recurrent_dropout} (as Keras 3: in training, one mask per gate on the carried output before
 * that gate's product, {@code (h ∘ m_q)·w_q}, fixed for the sequence; none in inference).
 *
 * <p>A padding mask ({@link Masks}) freezes the states at masked steps: a padded sequence ends in
 * the same state as the unpadded one. With {@code return_sequences} the output carries the mask on.
 * With {@code go_backwards} the sequence output is in processing (reversed) order while the mask
 * stays in input order, as in Keras ({@link Bidirectional} puts the backward outputs back in order).
 *
 * <p>A cell with a fused loop ({@link LSTM}, {@link GRU} either way of {@code reset_after}, {@link SimpleRNN},
 * each with activations among tanh, sigmoid, relu, linear and hard_sigmoid, with or without recurrent
 * dropout) runs all the steps as one {@link Op#RECURRENCE} op, eagerly and under the JIT alike, so a
 * traced graph does not grow with the number of steps; other cells and activations unroll the steps
 * into the graph, whose size then grows linearly with T (see perf/NOTES.md for the measured costs).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(64, RecurrentOptions.defaults().returnSequences(true).returnState(true));
 * List<Tensor> outs = lstm.callWithStates(x, null, null, false);   // [sequences, h, c]
 * }</pre>
 */
public abstract class RecurrentLayer extends Layer {
    protected final int units;
    protected final RecurrentOptions options;
    private final SeedGenerator seeds;
    /** Keras's {@code zero_output_for_mask}: Bidirectional sets it when it returns sequences. */
    boolean zeroOutputForMask;
    /** False runs the unrolled steps even where a fused loop exists: the definition the fused one is tested against. */
    boolean fusedLoop = true;
    private int inputDim = -1;

    protected RecurrentLayer(int units, RecurrentOptions options, String name) {
        super(name);
        if (units < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": units must be >= 1, got " + units);
        if (options.stateful()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": stateful=true is not supported (states start anew each call)");
        }
        this.units = units;
        this.options = options;
        this.seeds = options.seed() != null ? new SeedGenerator(options.seed()) : new SeedGenerator();
    }

    // ---- what a cell writes -------------------------------------------------------------------

    /** A layer of the same class and arguments with other options and name (Bidirectional makes its pair with it). */
    protected abstract RecurrentLayer reconfigured(RecurrentOptions options, String name);

    /** How many state tensors the cell carries (LSTM: h and c). Each is {@code [batch, units]}. */
    protected abstract int stateCount();

    /** How many gate blocks of {@code units} columns the recurrent kernel has (LSTM 4, GRU 3, SimpleRNN 1). */
    protected abstract int gateCount();

    /** Creates the weights for {@code inputDim} features per step. */
    protected abstract void buildCell(int inputDim);

    /** The input part of every step at once: {@code [rows, inputDim]} to {@code [rows, width]} (with the input bias). */
    protected abstract Tensor projectInputs(Tensor x);

    /** Gate {@code gate}'s block of {@link #projectInputs} ({@code [rows, units]}); this default slices the whole projection. */
    protected Tensor projectGate(Tensor x, int gate) {
        return projectInputs(x).narrow(1, gate * units, units);
    }

    /**
     * One step: the projected inputs of this step {@code [batch, width]}, the states, and the
     * recurrent dropout multiplier ({@code [batch, gates·units]}, gate block q for gate q's product;
     * null when none) give the next states; the first is the output.
     */
    protected abstract List<Tensor> step(Tensor projected, List<Tensor> states, Tensor recurrentDropout);

    /**
     * The whole loop as one fused {@link Op#RECURRENCE} (no graph growth with the number of steps),
     * or null where this cell has none, or not with these options (then the steps are unrolled).
     * Returns one {@code [batch, time, units]} sequence per state (the output first), each step at
     * the row {@code attrs.outputIndex} gives; {@code attrs.cell()} is null for the cell to fill in,
     * {@code attrs.recurrentDropout()} says whether {@code recurrentDropout} is given.
     */
    protected List<Tensor> scan(Tensor projected, List<Tensor> states, Tensor recurrentDropout, Tensor mask, OpAttrs.Recurrence attrs) {
        return null;
    }

    /** The fused op's operands after w: the cell's {@code operands}, then the recurrent dropout multiplier if any. */
    protected static List<Tensor> withDropout(List<Tensor> operands, Tensor recurrentDropout) {
        if (recurrentDropout == null) return operands;
        List<Tensor> all = new ArrayList<>(operands);
        all.add(recurrentDropout);
        return all;
    }

    /**
     * {@code h·w} for the unrolled steps; with a recurrent dropout multiplier {@code m} ([batch,
     * gates·units]) gate block q of w multiplies {@code h ∘ m_q} instead, as Keras 3's cells.
     */
    protected final Tensor recurrentProduct(Tensor h, Tensor w, Tensor recurrentDropout) {
        if (recurrentDropout == null) return h.matmul(w);
        int gates = w.dim(1) / units;
        List<Tensor> parts = new ArrayList<>(gates);
        for (int q = 0; q < gates; q++) {
            parts.add(h.mul(recurrentDropout.narrow(1, q * units, units)).matmul(w.narrow(1, q * units, units)));
        }
        return gates == 1 ? parts.get(0) : ArrayOps.concat(parts, 1);
    }

    // ---- the loop -----------------------------------------------------------------------------

    @Override
    public final void build(Shape in) {
        requireSequence(in);
        long columns = (long) gateCount() * units; // the kernels' width: an int, as every dimension
        if (columns > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): units=" + units + " makes kernels "
                    + gateCount() + "·units = " + columns + " columns wide; expected units <= " + Integer.MAX_VALUE / gateCount());
        }
        inputDim = in.dim(2);
        buildCell(inputDim);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return call(inputs, training, null);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training, Tensor mask) {
        return callWithStates(inputs, null, mask, training).get(0);
    }

    /**
     * The output followed, with {@code return_state}, by the final states (Keras's list
     * {@code [output, h]} or {@code [output, h, c]}).
     *
     * @param initialStates null for zeros, else {@link #stateCount()} tensors {@code [batch, units]}
     * @param mask          null, or bool {@code [batch, time]}: false steps are skipped
     */
    public List<Tensor> callWithStates(Tensor inputs, List<Tensor> initialStates, Tensor mask, boolean training) {
        refuseKerasTensors(this, inputs, initialStates);
        prepareDirectCall(List.of(inputs.shape()));
        return run(inputs, initialStates, mask, training, false);
    }

    /**
     * Refuses Keras tensors given to {@code callWithStates} of {@code layer} by the user's own code
     * outside a symbolic pass: a functional model records only {@code apply} and its one output (they
     * reached the eager engine, which said only that a symbolic tensor had no data).
     */
    static void refuseKerasTensors(Layer layer, Tensor inputs, List<Tensor> initialStates) {
        // inside a symbolic pass (apply on Keras tensors, a subclassed model used as a layer) they only carry shapes
        if (dev.javelin.tensor.spi.Dispatch.engine() instanceof dev.javelin.tensor.spi.SymbolicEngine) return;
        for (Tensor t : withStates(inputs, initialStates)) {
            if (t != null && KerasTensors.isKeras(t)) {
                throw new IllegalArgumentException(layer.name() + " (" + layer.getClass().getSimpleName() + "): callWithStates was given "
                        + "Keras tensors (from Input.of); a functional model records only apply(...) and its one output, so a recurrent "
                        + "layer's states as outputs or inputs (Keras's return_state=True, initial_state=...) need a subclass of Model "
                        + "whose call(List<Tensor>, boolean) runs callWithStates on the real tensors (see Model's Javadoc)");
            }
        }
    }

    private static List<Tensor> withStates(Tensor inputs, List<Tensor> initialStates) {
        List<Tensor> all = new java.util.ArrayList<>();
        all.add(inputs);
        if (initialStates != null) all.addAll(initialStates);
        return all;
    }

    /**
     * The loop. {@code timeOrder}: with {@code go_backwards}, stack the sequence output in the
     * inputs' time order rather than in processing order (what Bidirectional needs, without a flip).
     */
    List<Tensor> run(Tensor inputs, List<Tensor> initialStates, Tensor mask, boolean training, boolean timeOrder) {
        inputs = autocast(java.util.Collections.singletonList(inputs)).get(0); // callWithStates and Bidirectional cast as apply does
        if (initialStates != null) initialStates = autocast(initialStates);
        requireSequence(inputs.shape());
        if (inputDim >= 0 && inputs.dim(2) != inputDim) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected " + inputDim
                    + " features per step, got inputs " + inputs.dtype() + inputs.shape());
        }
        Tensor m = Masks.check(name() + " (" + getClass().getSimpleName() + ")", inputs, mask);
        int n = inputs.dim(0);
        int steps = inputs.dim(1);
        int features = inputs.dim(2);
        List<Tensor> states = initialStates(initialStates, inputs);
        Tensor x = inputs;
        // with both dropouts Keras 3's cells (implementation 1) draw one input mask per gate too
        int inputMasks = training && options.recurrentDropout() > 0 ? gateCount() : 1;
        Tensor inputDrop = training && options.dropout() > 0 ? dropoutMask(x, n, inputMasks * features, options.dropout()) : null;
        Tensor recurrentDrop = training && options.recurrentDropout() > 0
                ? dropoutMask(x, n, gateCount() * units, options.recurrentDropout()) : null;
        Tensor projected;
        if (inputDrop == null || inputMasks == 1) {
            if (inputDrop != null) x = x.mul(inputDrop.unsqueeze(1));
            projected = projectInputs(x.reshape(n * steps, features));
        } else { // gate q's projection reads x ∘ d_q
            List<Tensor> parts = new ArrayList<>(inputMasks);
            for (int q = 0; q < inputMasks; q++) {
                Tensor dq = inputDrop.narrow(1, q * features, features).unsqueeze(1);
                parts.add(projectGate(x.mul(dq).reshape(n * steps, features), q));
            }
            projected = ArrayOps.concat(parts, 1);
        }
        projected = projected.reshape(n, steps, projected.dim(1));
        if (fusedLoop && (timeOrder || !options.goBackwards() || !(zeroOutputForMask && m != null))) {
            OpAttrs.Recurrence attrs = new OpAttrs.Recurrence(null, options.goBackwards(), timeOrder, OpAttrs.Recurrence.Activation.TANH,
                    OpAttrs.Recurrence.Activation.SIGMOID, recurrentDrop != null);
            List<Tensor> fused = scan(projected, states, recurrentDrop, m, attrs);
            if (fused != null) return finish(fused, m, steps, attrs);
        }
        Tensor[] outputs = new Tensor[options.returnSequences() ? steps : 0];
        Tensor last = null;
        for (int s = 0; s < steps; s++) {
            int t = options.goBackwards() ? steps - 1 - s : s;
            Tensor p = projected.narrow(1, t, 1).reshape(n, projected.dim(2));
            List<Tensor> next = step(p, states, recurrentDrop);
            Tensor out = next.get(0);
            if (m != null) {
                Tensor real = m.narrow(1, t, 1); // [batch, 1]: broadcasts over units
                List<Tensor> kept = new ArrayList<>(next.size());
                for (int i = 0; i < next.size(); i++) kept.add(Ops.where(real, next.get(i), states.get(i)));
                out = zeroOutputForMask ? Ops.where(real, out, Ops.scalarLike(out, 0)) : kept.get(0);
                next = kept;
            }
            states = next;
            last = out;
            if (options.returnSequences()) outputs[timeOrder ? t : s] = out;
        }
        List<Tensor> result = new ArrayList<>();
        result.add(options.returnSequences() ? ArrayOps.stack(List.of(outputs), 1) : last);
        if (options.returnState()) result.addAll(states);
        return result;
    }

    /**
     * The fused loop's result (per step: the output, then the other states, in {@code attrs}' order)
     * as the layer's outputs: the sequence (or the last step), then the final states.
     */
    private List<Tensor> finish(List<Tensor> fused, Tensor mask, int steps, OpAttrs.Recurrence attrs) {
        Tensor seq = fused.get(0);
        int last = attrs.outputIndex(steps - 1, steps);
        List<Tensor> result = new ArrayList<>();
        if (options.returnSequences()) {
            // mask is in time order here: either no go_backwards or timeOrder (run checked)
            result.add(zeroOutputForMask && mask != null ? Ops.where(mask.unsqueeze(2), seq, Ops.scalarLike(seq, 0)) : seq);
        } else {
            result.add(lastStep(seq, last));
        }
        if (options.returnState()) for (Tensor state : fused) result.add(lastStep(state, last));
        return result;
    }

    private static Tensor lastStep(Tensor seq, int index) {
        return seq.narrow(1, index, 1).reshape(seq.dim(0), seq.dim(2));
    }

    private List<Tensor> initialStates(List<Tensor> given, Tensor inputs) {
        int n = inputs.dim(0);
        List<Tensor> states = new ArrayList<>(stateCount());
        if (given == null || given.isEmpty()) {
            Tensor zero = Ops.scalarLike(inputs, 0).cast(inputs.dtype());
            for (int i = 0; i < stateCount(); i++) states.add(zero.expand(n, units));
            return states;
        }
        if (given.size() != stateCount()) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected " + stateCount()
                    + " initial state(s) [batch, units] = [" + n + ", " + units + "], got " + given.size());
        }
        for (Tensor s : given) {
            if (s.rank() != 2 || s.dim(0) != n || s.dim(1) != units) {
                throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): initial state " + s.dtype()
                        + s.shape() + " does not match [batch, units] = [" + n + ", " + units + "] for inputs " + inputs.shape());
            }
            states.add(s);
        }
        return states;
    }

    /**
     * One dropout multiplier {@code [batch, width]} reused at every step, as Keras's DropoutRNNCell
     * (for the recurrent one, width = gates·units: an independent mask per gate, as Keras 3's cells).
     */
    private Tensor dropoutMask(Tensor like, int n, int width, double rate) {
        Tensor ones = Ops.scalarLike(like, 1).cast(like.dtype()).expand(n, width);
        return NN.dropout(ones, rate, seeds.next(like.device()));
    }

    private void requireSequence(Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(name() + " (" + getClass().getSimpleName() + "): expected inputs of rank 3 "
                    + "[batch, time, features], got rank " + in.rank() + " " + in + (in.rank() == 2
                    ? " (a single step per example? add a time axis: x.unsqueeze(1))" : ""));
        }
        Checks.nonEmptySequence(this, in);
    }

    // ---- masks, shapes, config --------------------------------------------------------------

    @Override
    public boolean supportsMasking() {
        return true;
    }

    /** The input mask goes on only with {@code return_sequences} (one output per step). */
    @Override
    public Tensor computeMask(Tensor inputs, Tensor previousMask) {
        return options.returnSequences() ? previousMask : null;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        requireSequence(in);
        return options.returnSequences() ? Shape.of(in.dim(0), in.dim(1), units) : Shape.of(in.dim(0), units);
    }

    public int units() {
        return units;
    }

    public RecurrentOptions options() {
        return options;
    }

    public SeedGenerator seedGenerator() {
        return seeds;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", units);
        options.putInto(c, seeds.seed());
        return c;
    }
}
