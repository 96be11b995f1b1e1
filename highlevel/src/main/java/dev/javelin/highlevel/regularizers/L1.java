package dev.javelin.highlevel.regularizers;

import java.util.Map;

/** {@code l1 * sum(|w|)}: pushes weights to exactly zero. {@code new Dense(10, null, new L1(1e-4))}. */
public final class L1 extends L1L2 {
    public L1(double l1) {
        super(l1, 0);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Map.of("l1", l1());
    }
}
