package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind {@link SequenceOps#recurrence} and {@link SequenceOps#recurrenceBackward}: shapes, dtypes and
 * devices of a fused recurrent loop's operands, each error naming the op and cell, the shapes and
 * what was expected. Floating operands are promoted to one dtype; the mask becomes bool.
 */
final class RecurrenceOperands {
    private RecurrenceOperands() {}

    /** The forward's operands in {@link Op#RECURRENCE} order: x, w, the cell's operands, then the mask if any. */
    static List<Tensor> forward(Tensor x, Tensor w, List<Tensor> operands, Tensor mask, OpAttrs.Recurrence attrs) {
        OpAttrs.Recurrence.Cell cell = attrs.cell();
        String op = Op.RECURRENCE.label() + " (" + cell + ")";
        requireActivations(op, attrs);
        if (x.rank() != 3 || w.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected x [batch, time, " + cell.gates() + "*units] and w [units, "
                    + cell.gates() + "*units], got x " + x.dtype() + x.shape() + " and w " + w.dtype() + w.shape());
        }
        int n = x.dim(0), units = w.dim(0), width = cell.gates() * units;
        if (units < 1 || w.dim(1) != width || x.dim(2) != width) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " and w " + w.shape() + " do not match: expected w [units, "
                    + cell.gates() + "*units] and x [batch, time, " + cell.gates() + "*units]");
        }
        if (x.dim(1) < 1) throw new IllegalArgumentException(op + ": the sequence x " + x.shape() + " is empty; expected at least 1 step");
        DType dt = DType.promote(x.dtype(), w.dtype());
        if (!dt.isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating x and w, got " + x.dtype() + x.shape() + " and " + w.dtype() + w.shape());
        }
        List<Tensor> in = new ArrayList<>(List.of(Ops.cast(x, dt), Ops.cast(w, dt)));
        addOperandsAndMask(op, attrs, in, x, n, x.dim(1), units, operands, mask, dt);
        return in;
    }

    /** The forward's result shape: [batch, time, outputWidth*units]. */
    static Shape outputShape(Tensor x, Tensor w, OpAttrs.Recurrence attrs) {
        return Shape.of(x.dim(0), x.dim(1), attrs.cell().outputWidth() * w.dim(0));
    }

    /** The backward's operands: w, the cell's operands, the mask if any, the forward's result and its gradient. */
    static List<Tensor> backward(Tensor w, List<Tensor> operands, Tensor mask, Tensor out, Tensor g, OpAttrs.Recurrence attrs) {
        OpAttrs.Recurrence.Cell cell = attrs.cell();
        String op = Op.RECURRENCE_BACKWARD.label() + " (" + cell + ")";
        requireActivations(op, attrs);
        int units = w.rank() == 2 ? w.dim(0) : -1;
        if (out.rank() != 3 || units < 1 || out.dim(2) != cell.outputWidth() * units || !g.shape().equals(out.shape())) {
            throw new IllegalArgumentException(op + ": expected the forward's result and its gradient, both [batch, time, "
                    + cell.outputWidth() + "*units], for w [units, " + cell.gates() + "*units]; got result "
                    + out.shape() + ", gradient " + g.shape() + ", w " + w.shape());
        }
        DType dt = DType.promote(w.dtype(), out.dtype());
        if (!dt.isFloating()) throw new IllegalArgumentException(op + ": expected floating w and result, got " + w.dtype() + " and " + out.dtype());
        List<Tensor> in = new ArrayList<>(List.of(Ops.cast(w, dt)));
        addOperandsAndMask(op, attrs, in, out, out.dim(0), out.dim(1), units, operands, mask, dt);
        in.add(Ops.cast(out, dt));
        in.add(Ops.cast(g, dt));
        return in;
    }

    /** The backward's flat result: dx, dw, then one gradient per cell operand, each row-major. */
    static Shape backwardShape(Tensor w, Tensor out, OpAttrs.Recurrence attrs) {
        OpAttrs.Recurrence.Cell cell = attrs.cell();
        long n = out.dim(0), steps = out.dim(1), units = w.dim(0), width = (long) cell.gates() * units;
        long length = n * steps * width + units * width + cell.parameters() * width + cell.states() * n * units;
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(Op.RECURRENCE_BACKWARD.label() + ": the gradients of result " + out.shape()
                    + " do not fit one tensor (" + length + " elements)");
        }
        return Shape.of((int) length);
    }

    /**
     * Checks the cell's parameters ([gates*units] each), states ([batch, units] each) and recurrent
     * dropout multiplier ([batch, gates*units]) if the attributes ask for one, then the mask.
     */
    private static void addOperandsAndMask(String op, OpAttrs.Recurrence attrs, List<Tensor> in, Tensor seq, int n, int steps,
                                           int units, List<Tensor> operands, Tensor mask, DType dt) {
        OpAttrs.Recurrence.Cell cell = attrs.cell();
        String expectedOperands = cell.operands() + (attrs.recurrentDropout() ? ", then the recurrent dropout multiplier [batch, "
                + cell.gates() + "*units]" : "");
        if (operands.size() != attrs.cellOperands()) {
            throw new IllegalArgumentException(op + ": expected " + expectedOperands + " for batch " + n + " and " + units
                    + " units, got " + operands.size() + " tensor(s)");
        }
        for (int i = 0; i < operands.size(); i++) {
            Tensor s = operands.get(i);
            Shape expected = i < cell.parameters() ? Shape.of(cell.gates() * units)
                    : i < cell.parameters() + cell.states() ? Shape.of(n, units) : Shape.of(n, cell.gates() * units);
            if (!s.shape().equals(expected) || !s.dtype().isFloating()) {
                throw new IllegalArgumentException(op + ": operand " + i + " " + s.dtype() + s.shape() + " does not match " + expected
                        + " (floating) for the sequence " + seq.shape() + "; expected " + expectedOperands);
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

    private static void requireActivations(String op, OpAttrs.Recurrence attrs) {
        if (attrs.cell() == null || attrs.activation() == null || attrs.recurrentActivation() == null) {
            throw new IllegalArgumentException(op + ": expected a cell and both activations, got " + attrs);
        }
    }

    private static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": operands are on different devices: " + a.device() + " and " + b.device()
                    + " (move one with tensor.to(device))");
        }
    }
}
