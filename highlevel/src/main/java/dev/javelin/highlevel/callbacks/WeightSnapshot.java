package dev.javelin.highlevel.callbacks;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;

/** A host copy of a model's weights, restorable later (EarlyStopping's best weights). */
final class WeightSnapshot {
    private final List<Variable> variables;
    private final List<Tensor> values = new ArrayList<>();

    WeightSnapshot(List<Variable> variables) {
        this.variables = List.copyOf(variables);
        for (Variable v : variables) values.add(copy(v.stored()));
    }

    void restore() {
        for (int i = 0; i < variables.size(); i++) {
            Variable v = variables.get(i);
            v.store(copy(values.get(i)).to(v.stored().device()));
        }
    }

    private static Tensor copy(Tensor t) {
        HeapStorage src = t.toHost();
        HeapStorage dst = HeapStorage.allocate(t.dtype(), src.length());
        System.arraycopy(src.array(), 0, dst.array(), 0, src.length());
        return Tensor.wrap(dst, t.shape());
    }
}
