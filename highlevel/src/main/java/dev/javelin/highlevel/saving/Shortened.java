package dev.javelin.highlevel.saving;

/**
 * Text for an error message about a file's contents: a name or value longer than
 * {@link #MAX_CHARS} is cut, so a hostile file (a 50 MB name) cannot make a message huge.
 *
 * <pre>{@code
 * throw new IOException("unknown layer '" + Shortened.of(className) + "'");
 * }</pre>
 */
public final class Shortened {
    /** The longest text kept whole; longer text keeps its start and says how long it was. */
    public static final int MAX_CHARS = 80;

    private Shortened() {}

    /** {@code String.valueOf(value)}, cut to its first {@link #MAX_CHARS} characters when longer. */
    public static String of(Object value) {
        String s = String.valueOf(value);
        if (s.length() <= MAX_CHARS) return s;
        return s.substring(0, MAX_CHARS) + "...(" + s.length() + " chars)";
    }
}
