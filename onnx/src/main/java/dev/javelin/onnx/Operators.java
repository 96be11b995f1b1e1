package dev.javelin.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table of supported ONNX operators (domain ai.onnx), by op type. Each group of operators
 * registers itself from its own class; the module README lists the same table with each operator's
 * Javelin mapping.
 */
final class Operators {
    private static final Map<String, OnnxOperator> TABLE = build();

    private Operators() {}

    private static Map<String, OnnxOperator> build() {
        Map<String, OnnxOperator> table = new TreeMap<>();
        ElementwiseOperators.register(table);
        ShapeOperators.register(table);
        IndexingOperators.register(table);
        ReduceOperators.register(table);
        NeuralOperators.register(table);
        PoolOperators.register(table);
        ResizeOperators.register(table);
        RecurrentOperators.register(table);
        return Collections.unmodifiableMap(table);
    }

    /** The operator for {@code opType}, or null when Javelin has none. */
    static OnnxOperator find(String opType) {
        return TABLE.get(opType);
    }

    /** The supported op types, sorted. */
    static List<String> supported() {
        return new ArrayList<>(TABLE.keySet());
    }
}
