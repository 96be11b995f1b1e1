package dev.javelin.highlevel.callbacks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code fit} returns: each epoch's logs, as Keras's {@code History}.
 *
 * <pre>{@code
 * History h = model.fit(x, y, 128, 15);
 * double last = h.last("val_accuracy");
 * List<Double> losses = h.history().get("loss");
 * }</pre>
 */
public final class History extends Callback {
    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> history = new LinkedHashMap<>();

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
    }

    /** The epoch numbers recorded (from 0). */
    public List<Integer> epoch() {
        return Collections.unmodifiableList(epochs);
    }

    /** Per metric name, one value per epoch. */
    public Map<String, List<Double>> history() {
        return Collections.unmodifiableMap(history);
    }

    /** The last epoch's value of {@code key}. */
    public double last(String key) {
        List<Double> v = history.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("History.last: no values for '" + key + "' (recorded: " + history.keySet() + ")");
        }
        return v.get(v.size() - 1);
    }

    @Override
    public String toString() {
        return "History" + history;
    }
}
