package dev.javelin.autodiff;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient of {@link Op#RECURRENCE_BACKWARD}, so that second-order gradients (a Hessian-vector
 * product, a gradient penalty) go through the fused recurrent loop. The backward's own math is
 * written once more with ordinary tensor ops, one step at a time over the whole batch, exactly as the
 * kernels compute it (the stored gates and states of the forward's result are its inputs, not
 * recomputed); a nested tape differentiates that. This costs a graph that grows with the number of
 * steps, paid only when a gradient of a gradient is asked for.
 *
 * <pre>{@code
 * // x -> <d loss / dx, v> through a fused LSTM, differentiated once more
 * try (GradientTape outer = GradientTape.record()) { ... inner.gradient(loss, x) ... outer.gradient(...) }
 * }</pre>
 */
final class RecurrenceBackwardRule {
    private RecurrenceBackwardRule() {}

    /** The gradients of the backward's inputs (w, the cell's operands, the forward's result, its gradient) given {@code g}. */
    static Tensor[] gradients(OpCall call, Tensor g) {
        List<Tensor> leaves = new ArrayList<>();
        try (GradientTape tape = GradientTape.record()) {
            if (!GradientTape.active().contains(tape)) {
                throw new IllegalStateException(Op.RECURRENCE_BACKWARD.label() + ": its gradient (second order) is computed by a"
                        + " nested tape, which cannot record inside a no-grad scope (Autodiff.noGrad, Dispatch.pauseObservers)");
            }
            // one leaf per operand even where a tensor is passed twice (h0 as c0), so each gets only its own share
            for (Tensor t : call.inputs()) leaves.add(t.dtype().isFloating() ? Autodiff.freshView(t) : t);
            Tensor[] sources = leaves.toArray(Tensor[]::new);
            tape.watch(sources);
            Tensor flat = unrolled(call.attrs(OpAttrs.Recurrence.class), leaves);
            return tape.gradient(flat, sources, g);
        }
    }

    /** RECURRENCE_BACKWARD in tensor ops: the same flat result (dx by input time, dw, the parameters', the initial states'). */
    static Tensor unrolled(OpAttrs.Recurrence a, List<Tensor> in) {
        Cell cell = a.cell();
        int params = cell.parameters(), states = cell.states();
        Tensor w = in.get(0), y = in.get(in.size() - 2), gy = in.get(in.size() - 1);
        Tensor drop = a.recurrentDropout() ? in.get(1 + params + states) : null;
        Tensor mask = in.size() == 4 + a.cellOperands() ? in.get(1 + a.cellOperands()) : null;
        int n = y.dim(0), steps = y.dim(1), u = w.dim(0), width = y.dim(2), gates = cell.gates();
        Tensor wt = w.transpose(0, 1);
        Tensor[] carried = new Tensor[states], dx = new Tensor[steps];
        Tensor dw = null, db = null;
        for (int s = steps - 1; s >= 0; s--) {
            int t = a.inputIndex(s, steps);
            Step k = new Step(y.narrow(1, a.outputIndex(s, steps), 1).reshape(n, width),
                    gy.narrow(1, a.outputIndex(s, steps), 1).reshape(n, width), u);
            Tensor prevRow = s == 0 ? null : y.narrow(1, a.outputIndex(s - 1, steps), 1).reshape(n, width);
            Tensor real = mask == null ? null : mask.narrow(1, t, 1); // [n, 1]: broadcasts over units
            Tensor[] previous = new Tensor[states], dState = new Tensor[states];
            for (int i = 0; i < states; i++) {
                previous[i] = s == 0 ? in.get(1 + params + i) : prevRow.narrow(1, i * u, u);
                carried[i] = carried[i] == null ? k.grad(i) : carried[i].add(k.grad(i));
                dState[i] = real == null ? carried[i] : Ops.where(real, carried[i], Ops.scalarLike(carried[i], 0));
            }
            CellGradients c = cellGradients(a, k, previous, dState, w, drop);
            for (int i = 0; i < states; i++) { // a masked step hands the states' gradients through
                if (real != null) c.previous[i] = c.previous[i].add(Ops.where(real, Ops.scalarLike(carried[i], 0), carried[i]));
            }
            dx[t] = c.input;
            Tensor stepDw, throughW;
            int loopGates = c.lateInput == null ? gates : 2;
            if (drop == null && c.lateInput == null) {
                stepDw = previous[0].transpose(0, 1).matmul(c.acc);
                throughW = c.acc.matmul(wt);
            } else { // gate q's product read a_q ∘ m_q (a_q = h, or the cell's own input): a_qᵀ·dz_q, back (dz_q·w_qᵀ) ∘ m_q
                Tensor[] blocks = new Tensor[gates];
                throughW = null;
                for (int q = 0; q < gates; q++) {
                    Tensor m = drop == null ? null : drop.narrow(1, q * u, u), dzq = c.acc.narrow(1, q * u, u);
                    Tensor read = q < loopGates ? previous[0] : c.lateInput;
                    blocks[q] = (m == null ? read : read.mul(m)).transpose(0, 1).matmul(dzq);
                    if (q >= loopGates) continue; // the cell's own product is in c.previous already
                    Tensor back = dzq.matmul(w.narrow(1, q * u, u).transpose(0, 1));
                    back = m == null ? back : back.mul(m);
                    throughW = throughW == null ? back : throughW.add(back);
                }
                stepDw = gates == 1 ? blocks[0] : ArrayOps.concat(List.of(blocks), 1);
            }
            dw = dw == null ? stepDw : dw.add(stepDw);
            if (params > 0) db = db == null ? c.acc.sum(0) : db.add(c.acc.sum(0));
            carried[0] = throughW.add(c.previous[0]);
            for (int i = 1; i < states; i++) carried[i] = c.previous[i];
        }
        List<Tensor> parts = new ArrayList<>();
        parts.add(ArrayOps.stack(List.of(dx), 1).reshape(-1));
        parts.add(dw.reshape(-1));
        if (params > 0) parts.add(db.reshape(-1));
        for (Tensor c : carried) parts.add(c.reshape(-1));
        return ArrayOps.concat(parts, 0);
    }

    /** One step's row of the forward's result and of its gradient, [n, outputWidth·units], by column block. */
    private record Step(Tensor row, Tensor gradRow, int units) {
        Tensor col(int block) {
            return row.narrow(1, block * units, units);
        }

        Tensor grad(int block) {
            return gradRow.narrow(1, block * units, units);
        }
    }

    /**
     * A step's gradients: of its input x_t, of its GEMM result, of each previous state other than through
     * the products with h, and (GRU_RESET_BEFORE) what the candidate's product read, {@code r ∘ h}.
     */
    private record CellGradients(Tensor input, Tensor acc, Tensor[] previous, Tensor lateInput) {
        CellGradients(Tensor input, Tensor acc, Tensor[] previous) {
            this(input, acc, previous, null);
        }
    }

    /** The kernels' gate gradients (kernels.ir.RecurrentCells' backward steps, the reference's *Math), in tensor ops. */
    private static CellGradients cellGradients(OpAttrs.Recurrence a, Step k, Tensor[] previous, Tensor[] dState, Tensor w, Tensor drop) {
        Tensor d = dState[0];
        int u = k.units();
        Activation act = a.activation(), gate = a.recurrentActivation();
        return switch (a.cell()) {
            case LSTM -> {
                Tensor c = k.col(1), i = k.col(2), f = k.col(3), g = k.col(4), o = k.col(5);
                Tensor tc = apply(act, c);
                Tensor dzo = d.mul(tc).add(k.grad(5)).mul(slope(gate, o));
                Tensor dct = dState[1].add(d.mul(o).mul(slope(act, tc)));
                Tensor dzi = dct.mul(g).add(k.grad(2)).mul(slope(gate, i));
                Tensor dzf = dct.mul(previous[1]).add(k.grad(3)).mul(slope(gate, f));
                Tensor dzg = dct.mul(i).add(k.grad(4)).mul(slope(act, g));
                Tensor dz = ArrayOps.concat(List.of(dzi, dzf, dzg, dzo), 1);
                yield new CellGradients(dz, dz, new Tensor[] {Ops.scalarLike(d, 0).expand(d.shape().toArray()), dct.mul(f)});
            }
            case GRU -> {
                Tensor z = k.col(1), r = k.col(2), cand = k.col(3), ah = k.col(4);
                Tensor dn = d.mul(oneMinus(z)).add(k.grad(3));
                Tensor dxz = d.mul(previous[0].sub(cand)).add(k.grad(1)).mul(slope(gate, z));
                Tensor dxh = dn.mul(slope(act, cand));
                Tensor dxr = dxh.mul(ah).add(k.grad(2)).mul(slope(gate, r));
                Tensor dah = dxh.mul(r).add(k.grad(4));
                yield new CellGradients(ArrayOps.concat(List.of(dxz, dxr, dxh), 1), ArrayOps.concat(List.of(dxz, dxr, dah), 1),
                        new Tensor[] {d.mul(z)});
            }
            case GRU_RESET_BEFORE -> {
                Tensor z = k.col(1), r = k.col(2), cand = k.col(3);
                Tensor dxh = d.mul(oneMinus(z)).add(k.grad(3)).mul(slope(act, cand));
                Tensor dxz = d.mul(previous[0].sub(cand)).add(k.grad(1)).mul(slope(gate, z));
                Tensor e = dxh.matmul(w.narrow(1, 2 * u, u).transpose(0, 1)); // the gradient of r ∘ h (∘ m_h)
                if (drop != null) e = e.mul(drop.narrow(1, 2 * u, u));
                Tensor dxr = e.mul(previous[0]).add(k.grad(2)).mul(slope(gate, r));
                Tensor dz = ArrayOps.concat(List.of(dxz, dxr, dxh), 1);
                yield new CellGradients(dz, dz, new Tensor[] {d.mul(z).add(e.mul(r))}, r.mul(previous[0]));
            }
            case RNN -> {
                Tensor dpre = d.mul(slope(act, k.col(0)));
                yield new CellGradients(dpre, dpre, new Tensor[] {Ops.scalarLike(d, 0).expand(d.shape().toArray())});
            }
        };
    }

    private static Tensor apply(Activation f, Tensor v) {
        return switch (f) {
            case TANH -> v.tanh();
            case SIGMOID -> v.sigmoid();
            case RELU -> v.relu();
            case LINEAR -> v;
            case HARD_SIGMOID -> v.mul(1.0 / 6).add(0.5).maximum(0.0).minimum(1.0);
        };
    }

    /** The activation's slope where its output is {@code y}, as {@link Activation#slope} and the kernels write it. */
    private static Tensor slope(Activation f, Tensor y) {
        return switch (f) {
            case TANH -> oneMinus(y.mul(y));
            case SIGMOID -> oneMinus(y).mul(y);
            case RELU -> y.sign();
            case LINEAR -> Ops.scalarLike(y, 1.0);
            case HARD_SIGMOID -> oneMinus(y).mul(y).sign().mul(1.0 / 6); // 1/6 where 0 < y < 1
        };
    }

    private static Tensor oneMinus(Tensor v) {
        return v.neg().add(1.0);
    }
}
