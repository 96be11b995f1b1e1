package dev.javelin.kernels.ir;

import static dev.javelin.kernels.ir.CellStep.Buffer.*;

import dev.javelin.kernels.ir.CellStep.Buffer;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import java.util.List;

/**
 * The gate math of every fused recurrent cell, forward and backward, defined once as kernel IR
 * ({@link CellStep}): the CPU's recurrence loop runs these kernels generated (or interpreted while
 * cold), and a PTX renderer renders the same bodies. {@code act} is Keras's {@code activation},
 * {@code gate} its {@code recurrent_activation}; each slope is written from the activation's stored
 * output. The reference backend's {@code RecurrenceMath}, {@code GruMath}, {@code GruResetBeforeMath}
 * and {@code RnnMath} compute the same cells in double, independently: they are the oracle these
 * kernels are tested against.
 *
 * <pre>{@code
 * CellStep forward = RecurrentCells.forward(Cell.LSTM, Activation.TANH, Activation.SIGMOID);
 * }</pre>
 */
public final class RecurrentCells {
    private RecurrentCells() {}

    /** One step forward: reads ACC (and INPUT, H, C), updates the states, writes STORED. */
    public static CellStep forward(Cell cell, Activation act, Activation gate) {
        return switch (cell) {
            case LSTM -> new CellStep(List.of(lstmForward(act, gate)));
            case GRU -> new CellStep(List.of(gruForward(act, gate)));
            case GRU_RESET_BEFORE -> gruResetBeforeForward(act, gate);
            case RNN -> new CellStep(List.of(rnnForward(act)));
        };
    }

    /** One step backward: from the stored columns, the states and their gradients, writes D_INPUT (D_ACC) and D_*_PREV. */
    public static CellStep backward(Cell cell, Activation act, Activation gate) {
        return switch (cell) {
            case LSTM -> new CellStep(List.of(lstmBackward(act, gate)));
            case GRU -> new CellStep(List.of(gruBackward(act, gate)));
            case GRU_RESET_BEFORE -> gruResetBeforeBackward(act, gate);
            case RNN -> new CellStep(List.of(rnnBackward(act)));
        };
    }

    /** LSTM, gates i, f, g, o: {@code c' = f·c + i·g}, {@code h' = o·act(c')}; stores i, f, g, o. */
    private static CellStep.Kernel lstmForward(Activation act, Activation gate) {
        CellStep.Builder k = new CellStep.Builder();
        int i = k.activate(gate, k.read(ACC, 0)), f = k.activate(gate, k.read(ACC, 1));
        int g = k.activate(act, k.read(ACC, 2)), o = k.activate(gate, k.read(ACC, 3));
        int c = k.add(k.mul(f, k.read(C, 0)), k.mul(i, g));
        storeGates(k, i, f, g, o);
        k.write(C, 0, c);
        k.write(H, 0, k.mul(o, k.activate(act, c)));
        return k.kernel("lstm_forward");
    }

    /**
     * With {@code dct = dc + dh·o·act'(act(c))} and the stored gates' own gradients {@code g*}:
     * {@code dz_o = (go + dh·act(c))·gate'(o)}, {@code dz_i = (gi + dct·g)·gate'(i)},
     * {@code dz_f = (gf + dct·c_prev)·gate'(f)}, {@code dz_g = (gg + dct·i)·act'(g)}, {@code dc_prev = dct·f}.
     */
    private static CellStep.Kernel lstmBackward(Activation act, Activation gate) {
        CellStep.Builder k = new CellStep.Builder();
        int i = k.read(STORED, 0), f = k.read(STORED, 1), g = k.read(STORED, 2), o = k.read(STORED, 3), dh = k.read(D_H, 0);
        int tc = k.activate(act, k.read(C, 0));
        int dzo = k.gradient(gate, k.add(k.mul(dh, tc), k.read(STORED_GRAD, 3)), o);
        int dct = k.add(k.read(D_C, 0), k.mul(k.mul(k.slope(act, tc), o), dh));
        int dzi = k.gradient(gate, k.add(k.mul(dct, g), k.read(STORED_GRAD, 0)), i);
        int dzf = k.gradient(gate, k.add(k.mul(dct, k.read(C_PREV, 0)), k.read(STORED_GRAD, 1)), f);
        int dzg = k.gradient(act, k.add(k.mul(dct, i), k.read(STORED_GRAD, 2)), g);
        k.write(D_INPUT, 0, dzi);
        k.write(D_INPUT, 1, dzf);
        k.write(D_INPUT, 2, dzg);
        k.write(D_INPUT, 3, dzo);
        k.write(D_C_PREV, 0, k.mul(dct, f));
        return k.kernel("lstm_backward");
    }

    /**
     * GRU with {@code reset_after} (gates z, r, h): the GEMM result ACC is {@code b + h·w}, apart from
     * the input x: {@code z = gate(x_z + a_z)}, {@code r = gate(x_r + a_r)}, {@code n = act(x_h + r·a_h)},
     * {@code h' = n + z·(h - n)}; stores z, r, n and {@code a_h}.
     */
    private static CellStep.Kernel gruForward(Activation act, Activation gate) {
        CellStep.Builder k = new CellStep.Builder();
        int z = k.activate(gate, k.add(k.read(INPUT, 0), k.read(ACC, 0)));
        int r = k.activate(gate, k.add(k.read(INPUT, 1), k.read(ACC, 1)));
        int ah = k.read(ACC, 2);
        int n = k.activate(act, k.add(k.read(INPUT, 2), k.mul(r, ah)));
        storeGates(k, z, r, n, ah);
        k.write(H, 0, blend(k, z, n));
        return k.kernel("gru_forward");
    }

    /**
     * With {@code d} the gradient reaching h': {@code dn = d·(1-z) + gn}, {@code dx_z = (d·(h-n) + gz)·gate'(z)},
     * {@code dx_h = dn·act'(n)}, {@code dx_r = (dx_h·a_h + gr)·gate'(r)}; the GEMM result's gradient is
     * dx but for {@code da_h = dx_h·r + ga}; the previous h's direct path {@code d·z}.
     */
    private static CellStep.Kernel gruBackward(Activation act, Activation gate) {
        CellStep.Builder k = new CellStep.Builder();
        int z = k.read(STORED, 0), r = k.read(STORED, 1), n = k.read(STORED, 2), d = k.read(D_H, 0);
        int dn = k.add(k.mul(k.sub(k.constant(1f), z), d), k.read(STORED_GRAD, 2));
        int dxz = k.gradient(gate, k.add(k.mul(k.sub(k.read(H_PREV, 0), n), d), k.read(STORED_GRAD, 0)), z);
        int dxh = k.gradient(act, dn, n);
        int dxr = k.gradient(gate, k.add(k.mul(dxh, k.read(STORED, 3)), k.read(STORED_GRAD, 1)), r);
        k.write(D_INPUT, 0, dxz);
        k.write(D_INPUT, 1, dxr);
        k.write(D_INPUT, 2, dxh);
        k.write(D_ACC, 0, dxz);
        k.write(D_ACC, 1, dxr);
        k.write(D_ACC, 2, k.add(k.mul(dxh, r), k.read(STORED_GRAD, 3)));
        k.write(D_H_PREV, 0, k.mul(d, z));
        return k.kernel("gru_backward");
    }

    /**
     * Keras's GRU with {@code reset_after=False}: the loop runs the z and r products; the candidate's
     * reads {@code r ∘ h}, so it runs between two kernels: {@code z, r = gate(acc)}, then
     * {@code acc_h += (r ∘ h)·w_h}, then {@code n = act(acc_h)}, {@code h' = n + z·(h - n)}; stores z, r, n.
     */
    private static CellStep gruResetBeforeForward(Activation act, Activation gate) {
        CellStep.Builder gates = new CellStep.Builder();
        int z = gates.activate(gate, gates.read(ACC, 0)), r = gates.activate(gate, gates.read(ACC, 1));
        gates.write(STORED, 0, z);
        gates.write(STORED, 1, r);
        gates.write(SCRATCH, 0, gates.mul(r, gates.read(H, 0)));
        CellStep.Builder state = new CellStep.Builder();
        int n = state.activate(act, state.read(ACC, 2));
        state.write(STORED, 2, n);
        state.write(H, 0, blend(state, state.read(STORED, 0), n));
        return new CellStep(List.of(gates.kernel("gru_rb_gates"), new CellStep.Product(2, SCRATCH, ACC), state.kernel("gru_rb_state")));
    }

    /**
     * {@code dx_h = (d·(1-z) + gn)·act'(n)}, {@code dx_z = (d·(h-n) + gz)·gate'(z)}; then
     * {@code e = dx_h·w_hᵀ}, the gradient of the product's input {@code r ∘ h}; then
     * {@code dx_r = (e·h + gr)·gate'(r)} and the previous h's direct path {@code d·z + e·r}.
     */
    private static CellStep gruResetBeforeBackward(Activation act, Activation gate) {
        CellStep.Builder first = new CellStep.Builder();
        int z = first.read(STORED, 0), n = first.read(STORED, 2), d = first.read(D_H, 0), h = first.read(H_PREV, 0);
        int dxh = first.gradient(act, first.add(first.mul(first.sub(first.constant(1f), z), d), first.read(STORED_GRAD, 2)), n);
        int dxz = first.gradient(gate, first.add(first.mul(first.sub(h, n), d), first.read(STORED_GRAD, 0)), z);
        first.write(D_INPUT, 2, dxh);
        first.write(D_INPUT, 0, dxz);
        first.write(SCRATCH, 0, first.mul(first.read(STORED, 1), h));
        CellStep.Builder second = new CellStep.Builder();
        int e = second.read(SCRATCH2, 0), r = second.read(STORED, 1), h2 = second.read(H_PREV, 0);
        second.write(D_INPUT, 1, second.gradient(gate, second.add(second.mul(e, h2), second.read(STORED_GRAD, 1)), r));
        second.write(D_H_PREV, 0, second.add(second.mul(second.read(D_H, 0), second.read(STORED, 0)), second.mul(e, r)));
        return new CellStep(List.of(first.kernel("gru_rb_backward_candidate"), new CellStep.Product(2, SCRATCH, SCRATCH2),
                second.kernel("gru_rb_backward_reset")));
    }

    /** SimpleRNN: {@code h' = act(x + h·w)}; nothing stored beside h. */
    private static CellStep.Kernel rnnForward(Activation act) {
        CellStep.Builder k = new CellStep.Builder();
        k.write(H, 0, k.activate(act, k.read(ACC, 0)));
        return k.kernel("rnn_forward");
    }

    /** {@code dz = dh·act'(h')}, the slope from the stored h'. */
    private static CellStep.Kernel rnnBackward(Activation act) {
        CellStep.Builder k = new CellStep.Builder();
        k.write(D_INPUT, 0, k.gradient(act, k.read(D_H, 0), k.read(H, 0)));
        return k.kernel("rnn_backward");
    }

    private static void storeGates(CellStep.Builder k, int... values) {
        for (int q = 0; q < values.length; q++) k.write(STORED, q, values[q]);
    }

    /** {@code h' = n + z·(h - n)}, h read from {@link Buffer#H}. */
    private static int blend(CellStep.Builder k, int z, int n) {
        return k.add(n, k.mul(z, k.sub(k.read(H, 0), n)));
    }
}
