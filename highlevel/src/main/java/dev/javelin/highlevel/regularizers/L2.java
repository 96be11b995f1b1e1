package dev.javelin.highlevel.regularizers;

import java.util.Map;

/** {@code l2 * sum(w²)}: weight decay through the loss. {@code new Dense(10, null, new L2(1e-4))}. */
public final class L2 extends L1L2 {
    public L2(double l2) {
        super(0, l2);
    }

    @Override
    public Map<String, Object> getConfig() {
        return Map.of("l2", l2());
    }
}
