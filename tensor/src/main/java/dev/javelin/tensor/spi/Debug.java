package dev.javelin.tensor.spi;

/**
 * The debug level from {@code JAVELIN_DEBUG} (environment) or {@code javelin.debug} (system
 * property): 0 quiet, 1 one line per kernel launched, 2 also the generated code.
 */
public final class Debug {
    private Debug() {}

    /** The current level; unparsable values count as 0. */
    public static int level() {
        String v = System.getProperty("javelin.debug", System.getenv("JAVELIN_DEBUG"));
        if (v == null || v.isBlank()) return 0;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
