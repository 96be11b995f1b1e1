package dev.javelin.jit;

import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cached program is specialized to: per argument its shape, dtype and device. Two calls
 * with equal signatures run the same program.
 */
record Signature(List<String> args) {
    static Signature of(Tensor[] args) {
        List<String> a = new ArrayList<>(args.length);
        for (Tensor t : args) {
            if (t == null) throw new IllegalArgumentException("Jit: argument is null");
            a.add(t.dtype() + "" + t.shape() + "@" + t.device());
        }
        return new Signature(List.copyOf(a));
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
