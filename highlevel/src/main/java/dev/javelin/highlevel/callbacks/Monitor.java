package dev.javelin.highlevel.callbacks;

import java.util.Locale;
import java.util.Map;

/**
 * Watches one logged quantity for improvement: the shared logic of EarlyStopping, ModelCheckpoint
 * and ReduceLROnPlateau. Mode {@code auto} maximizes names with "acc", "auc", "precision" or
 * "recall" in them and minimizes the rest, as Keras does.
 */
final class Monitor {
    final String key;
    private final boolean maximize;
    private final double minDelta;
    private double best;

    Monitor(String owner, String key, String mode, double minDelta) {
        this.key = key;
        String m = mode.toLowerCase(Locale.ROOT);
        this.maximize = switch (m) {
            case "max" -> true;
            case "min" -> false;
            case "auto" -> {
                String k = key.toLowerCase(Locale.ROOT);
                yield k.contains("acc") || k.contains("auc") || k.contains("precision") || k.contains("recall");
            }
            default -> throw new IllegalArgumentException(owner + ": mode must be auto, min or max, got " + mode);
        };
        this.minDelta = Math.abs(minDelta);
        reset();
    }

    void reset() {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** The monitored value in {@code logs}, or null when it is absent (a warning is the caller's business). */
    Double value(Map<String, Double> logs) {
        return logs.get(key);
    }

    boolean improves(double v) {
        return improvesOn(v, best);
    }

    /** Whether {@code v} is better than {@code reference} by more than {@code minDelta}. */
    boolean improvesOn(double v, double reference) {
        return maximize ? v - minDelta > reference : v + minDelta < reference;
    }

    /** Records {@code v} as the best when it improves; returns whether it did. */
    boolean update(double v) {
        if (!improves(v)) return false;
        best = v;
        return true;
    }

    double best() {
        return best;
    }
}
