package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights a PyTorch model ties (an embedding that is also the LM head: {@code head.weight =
 * tok.weight}), as they show in an exported file, for {@link ModelConversion}: one float initializer
 * read by two or more nodes (an {@code Identity} copy does not count: {@code torch.onnx.export} writes
 * those for distinct parameters that happen to hold equal values, such as two zero biases), or an
 * initializer and others that hold exactly its transpose (the export folds {@code x @ W.t()} of a tied
 * {@code W} into a transposed copy). Only weights whose values are not all equal count, so scalars the
 * export shares (GELU's sqrt 2) and constant-initialised weights are never taken for tied ones.
 *
 * <pre>{@code
 * Map<String, List<String>> ties = TiedWeights.find(graph);   // {"tok.weight": ["onnx::MatMul_297"]}
 * }</pre>
 */
final class TiedWeights {
    private TiedWeights() {}

    /** Each tied weight, with the initializers that hold its transpose (possibly none), in the file's order. */
    static Map<String, List<String>> find(OnnxGraph g) {
        Map<String, Integer> readers = new LinkedHashMap<>();
        for (OnnxNode n : g.nodes()) {
            if (n.opType().equals("Identity")) continue;
            for (String in : new java.util.LinkedHashSet<>(n.inputs())) if (g.initializers().containsKey(in)) readers.merge(in, 1, Integer::sum);
        }
        Map<String, List<String>> ties = new LinkedHashMap<>();
        List<String> matrices = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            Tensor w = e.getValue();
            if (w.dtype().isFloating() && w.rank() == 2 && w.dim(0) != w.dim(1) && !allEqual(w)) matrices.add(e.getKey());
        }
        for (String p : matrices) {
            Tensor w = g.initializers().get(p);
            List<String> twins = new ArrayList<>();
            for (String q : matrices) {
                Tensor v = g.initializers().get(q);
                if (!q.equals(p) && v.dim(0) == w.dim(1) && v.dim(1) == w.dim(0) && !ties.containsKey(q)
                        && Arrays.equals(v.toFloatArray(), w.mT().contiguous().toFloatArray())) twins.add(q);
            }
            int uses = readers.getOrDefault(p, 0);
            for (String q : twins) uses += readers.getOrDefault(q, 0);
            if (uses >= 2 && !twins.isEmpty()) ties.put(p, twins);
        }
        readers.forEach((p, n) -> {
            Tensor w = g.initializers().get(p);
            if (n >= 2 && w.dtype().isFloating() && w.size() > 1 && !allEqual(w) && !ties.containsKey(p) && ties.values().stream().noneMatch(l -> l.contains(p))) ties.put(p, List.of());
        });
        return ties;
    }

    private static boolean allEqual(Tensor w) {
        float[] v = w.toFloatArray();
        for (float x : v) if (Float.compare(x, v[0]) != 0) return false;
        return true;
    }
}
