package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind {@link Ops#recurrence} and {@link Ops#recurrenceBackward}: shapes, dtypes and
 * devices of a fused recurrent loop's operands, each error naming the op, the shapes and what was
 * expected. Floating operands are promoted to one dtype; the mask becomes bool.
 */
final class RecurrenceOperands {
    private RecurrenceOperands() {}

    /** The forward's operands in {@link Op#RECURRENCE} order: x, w, the initial states, then the mask if any. */
    static List<Tensor> forward(Tensor x, Tensor w, List<Tensor> states, Tensor mask, OpAttrs.Recurrence attrs) {
        String op = Op.RECURRENCE.label() + " (" + attrs.cell() + ")";
        if (x.rank() != 3 || w.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected x [batch, time, gates*units] and w [units, gates*units], got x "
                    + x.dtype() + x.shape() + " and w " + w.dtype() + w.shape());
        }
        int n = x.dim(0), units = w.dim(0), width = attrs.cell().gates() * units;
        if (units < 1 || w.dim(1) != width || x.dim(2) != width) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " and w " + w.shape() + " do not match: expected w [units, "
                    + attrs.cell().gates() + "*units] and x [batch, time, " + attrs.cell().gates() + "*units]");
        }
        if (x.dim(1) < 1) throw new IllegalArgumentException(op + ": the sequence x " + x.shape() + " is empty; expected at least 1 step");
        DType dt = DType.promote(x.dtype(), w.dtype());
        if (!dt.isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating x and w, got " + x.dtype() + x.shape() + " and " + w.dtype() + w.shape());
        }
        List<Tensor> in = new ArrayList<>(List.of(Ops.cast(x, dt), Ops.cast(w, dt)));
        addStatesAndMask(op, in, x, n, x.dim(1), units, stateCount(attrs.cell()), states, mask, dt);
        return in;
    }

    /** The forward's result shape: [batch, time, outputWidth*units]. */
    static Shape outputShape(Tensor x, Tensor w, OpAttrs.Recurrence attrs) {
        return Shape.of(x.dim(0), x.dim(1), attrs.cell().outputWidth() * w.dim(0));
    }

    /** The backward's operands: w, the initial states, the mask if any, the forward's result and its gradient. */
    static List<Tensor> backward(Tensor w, List<Tensor> states, Tensor mask, Tensor out, Tensor g, OpAttrs.Recurrence attrs) {
        String op = Op.RECURRENCE_BACKWARD.label() + " (" + attrs.cell() + ")";
        int units = w.rank() == 2 ? w.dim(0) : -1;
        if (out.rank() != 3 || units < 1 || out.dim(2) != attrs.cell().outputWidth() * units || !g.shape().equals(out.shape())) {
            throw new IllegalArgumentException(op + ": expected the forward's result and its gradient, both [batch, time, "
                    + attrs.cell().outputWidth() + "*units], for w [units, " + attrs.cell().gates() + "*units]; got result "
                    + out.shape() + ", gradient " + g.shape() + ", w " + w.shape());
        }
        DType dt = DType.promote(w.dtype(), out.dtype());
        if (!dt.isFloating()) throw new IllegalArgumentException(op + ": expected floating w and result, got " + w.dtype() + " and " + out.dtype());
        List<Tensor> in = new ArrayList<>(List.of(Ops.cast(w, dt)));
        addStatesAndMask(op, in, out, out.dim(0), out.dim(1), units, stateCount(attrs.cell()), states, mask, dt);
        in.add(Ops.cast(out, dt));
        in.add(Ops.cast(g, dt));
        return in;
    }

    /** The backward's flat result: dx, dw, then one gradient per initial state. */
    static Shape backwardShape(Tensor w, Tensor out, OpAttrs.Recurrence attrs) {
        long n = out.dim(0), steps = out.dim(1), units = w.dim(0), width = (long) attrs.cell().gates() * units;
        long length = n * steps * width + units * width + stateCount(attrs.cell()) * n * units;
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(Op.RECURRENCE_BACKWARD.label() + ": the gradients of result " + out.shape()
                    + " do not fit one tensor (" + length + " elements)");
        }
        return Shape.of((int) length);
    }

    static int stateCount(OpAttrs.Recurrence.Cell cell) {
        return switch (cell) {
            case LSTM -> 2;
        };
    }

    private static void addStatesAndMask(String op, List<Tensor> in, Tensor seq, int n, int steps, int units, int count,
                                         List<Tensor> states, Tensor mask, DType dt) {
        if (states.size() != count) {
            throw new IllegalArgumentException(op + ": expected " + count + " initial states [batch, units] = [" + n + ", " + units
                    + "], got " + states.size());
        }
        for (Tensor s : states) {
            if (s.rank() != 2 || s.dim(0) != n || s.dim(1) != units || !s.dtype().isFloating()) {
                throw new IllegalArgumentException(op + ": initial state " + s.dtype() + s.shape() + " does not match [batch, units] = ["
                        + n + ", " + units + "] (floating) for the sequence " + seq.shape());
            }
            in.add(Ops.cast(s, dt));
        }
        if (mask != null) {
            if (mask.rank() != 2 || mask.dim(0) != n || mask.dim(1) != steps) {
                throw new IllegalArgumentException(op + ": mask " + mask.dtype() + mask.shape() + " does not match the sequence "
                        + seq.shape() + " (expected [batch, time] = [" + n + ", " + steps + "])");
            }
            in.add(mask.dtype() == DType.BOOL ? mask : Ops.cast(mask, DType.BOOL));
        }
        for (Tensor t : in) sameDevice(op, seq, t);
    }

    private static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": operands are on different devices: " + a.device() + " and " + b.device()
                    + " (move one with tensor.to(device))");
        }
    }
}
