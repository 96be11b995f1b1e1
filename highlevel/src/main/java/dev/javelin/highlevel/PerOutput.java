package dev.javelin.highlevel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A setting given per model output, as Keras accepts it for {@code loss}, {@code loss_weights} and
 * {@code metrics}: a list (one entry per output, in order) or a map keyed by output name (outputs
 * left out get the fallback). Resolved against the model's outputs when training starts.
 *
 * <pre>{@code
 * PerOutput<Double> w = PerOutput.byName(Map.of("digit", 1.0, "parity", 0.2));
 * List<Double> perOutput = w.resolve("lossWeights", List.of("digit", "parity"), 1.0);   // [1.0, 0.2]
 * }</pre>
 *
 * @param byPosition one entry per output, or null
 * @param byName     entries keyed by output name, or null
 */
public record PerOutput<T>(List<T> byPosition, Map<String, T> byName) {
    public PerOutput {
        if (byPosition != null && byName != null) throw new IllegalArgumentException("PerOutput: a list or a map, not both");
        byPosition = byPosition == null ? null : List.copyOf(byPosition);
        byName = byName == null ? null : new LinkedHashMap<>(byName);
    }

    /** Nothing given: every output gets the fallback. */
    public static <T> PerOutput<T> none() {
        return new PerOutput<>(null, null);
    }

    /** One entry per output, in the order of the model's outputs. */
    public static <T> PerOutput<T> byPosition(List<T> entries) {
        return new PerOutput<>(entries, null);
    }

    /** Entries keyed by output name. */
    public static <T> PerOutput<T> byName(Map<String, T> entries) {
        return new PerOutput<>(null, entries);
    }

    /** Whether nothing was given. */
    public boolean isEmpty() {
        return byPosition == null && byName == null;
    }

    /**
     * One entry per output named in {@code outputNames}.
     *
     * @throws IllegalArgumentException when a list has the wrong length or a map names no output
     */
    public List<T> resolve(String what, List<String> outputNames, T fallback) {
        List<T> out = new ArrayList<>();
        if (byPosition != null) {
            if (byPosition.size() != outputNames.size()) {
                throw new IllegalArgumentException("compile: " + what + " has " + byPosition.size() + " entries but the model has "
                        + outputNames.size() + " outputs " + outputNames);
            }
            return byPosition;
        }
        if (byName != null) {
            for (String k : byName.keySet()) {
                if (!outputNames.contains(k)) {
                    throw new IllegalArgumentException("compile: " + what + " names output '" + k + "'; the model's outputs are "
                            + outputNames);
                }
            }
        }
        for (String name : outputNames) out.add(byName != null && byName.containsKey(name) ? byName.get(name) : fallback);
        return out;
    }
}
