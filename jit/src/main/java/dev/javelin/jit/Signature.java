package dev.javelin.jit;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cached program is specialized to: per argument its shape, dtype and device. Two calls
 * with equal signatures run the same program.
 */
record Signature(List<Arg> args) {
    /** One argument as a program is specialized to it; printed as {@code FLOAT32[4, 8]@cpu}. */
    record Arg(DType dtype, Shape shape, Device device) {
        @Override
        public String toString() {
            return dtype + "" + shape + "@" + device;
        }

        /** Equal but for the leading (batch) dimension. */
        boolean equalButBatch(Arg other) {
            if (dtype != other.dtype || !device.equals(other.device) || shape.rank() != other.shape.rank()) return false;
            for (int d = 1; d < shape.rank(); d++) if (shape.dim(d) != other.shape.dim(d)) return false;
            return true;
        }
    }

    static Signature of(Tensor[] args) {
        List<Arg> a = new ArrayList<>(args.length);
        for (Tensor t : args) {
            if (t == null) throw new IllegalArgumentException("Jit: argument is null");
            a.add(new Arg(t.dtype(), t.shape(), t.device()));
        }
        return new Signature(List.copyOf(a));
    }

    /** True when only leading (batch) dimensions differ from {@code before}'s. */
    boolean onlyBatchChanged(Signature before) {
        if (args.size() != before.args.size()) return false;
        for (int i = 0; i < args.size(); i++) if (!args.get(i).equalButBatch(before.args.get(i))) return false;
        return true;
    }

    /** Why {@code this} differs from {@code previous}: which argument changed, from what to what. */
    String differenceFrom(Signature previous) {
        if (previous == null) return "first call";
        if (previous.args.size() != args.size()) {
            return "argument count " + previous.args.size() + " -> " + args.size();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (!args.get(i).equals(previous.args.get(i))) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append("arg ").append(i).append(": ").append(previous.args.get(i)).append(" -> ").append(args.get(i));
            }
        }
        return sb.isEmpty() ? "variables changed shape or dtype" : sb.toString();
    }
}
