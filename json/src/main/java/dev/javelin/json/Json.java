package dev.javelin.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer for model configs and safetensors headers.
 * Values map to Java as: object to {@code LinkedHashMap<String, Object>} (key order kept), array
 * to {@code ArrayList<Object>}, string to {@link String}, integer literal to {@link Long} (when it
 * fits, else {@link Double}), other numbers to {@link Double}, {@code true}/{@code false} to
 * {@link Boolean}, {@code null} to null.
 *
 * <p>Parsing never trusts its input: nesting deeper than {@link #MAX_DEPTH}, duplicate keys,
 * trailing commas, comments, control characters in strings, bad escapes and trailing text are all
 * refused with an {@link IllegalArgumentException} naming the offset, as is a number outside a double's
 * range (it is not read as Infinity). {@link #parse(String, int, int)}
 * also bounds the members of each object or array and the length of each key, and stops at the first
 * one past the bound, so a hostile header (a million entries, a 50 MB name) fails fast.
 *
 * <p>{@link #parsePython} also reads the {@code NaN}, {@code Infinity} and {@code -Infinity} that
 * Python's {@code json.dump} writes (the test fixtures hold them).
 *
 * <pre>{@code
 * Map<String, Object> c = Json.parseObject("{\"units\": 10, \"activation\": \"relu\"}");
 * String text = Json.write(c);          // {"units":10,"activation":"relu"}
 * String pretty = Json.pretty(c);
 * }</pre>
 */
public final class Json {
    /** Deepest nesting accepted: enough for any model config, small enough never to overflow the stack. */
    public static final int MAX_DEPTH = 256;

    private final String s;
    private final int maxElements;
    private final int maxKeyChars;
    private final boolean pythonSpecials;
    private int pos;

    private Json(String s, int maxElements, int maxKeyChars, boolean pythonSpecials) {
        this.s = s;
        this.maxElements = maxElements;
        this.maxKeyChars = maxKeyChars;
        this.pythonSpecials = pythonSpecials;
    }

    /** Parses one JSON value (the whole text). */
    public static Object parse(String text) {
        return parse(text, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * As {@link #parse(String)}, refusing an object or array with more than {@code maxElements}
     * members and a key longer than {@code maxKeyChars} as soon as the parser reaches it.
     */
    public static Object parse(String text, int maxElements, int maxKeyChars) {
        return new Json(text, maxElements, maxKeyChars, false).whole();
    }

    /**
     * As {@link #parse(String)}, also reading Python's {@code NaN}, {@code Infinity} and
     * {@code -Infinity} as the doubles they name: JSON as {@code json.dump} writes it.
     */
    public static Object parsePython(String text) {
        return new Json(text, Integer.MAX_VALUE, Integer.MAX_VALUE, true).whole();
    }

    private Object whole() {
        skipSpace();
        Object v = value(0);
        skipSpace();
        if (pos != s.length()) throw error("unexpected text after the value");
        return v;
    }

    /** Parses text that must hold a JSON object. */
    public static Map<String, Object> parseObject(String text) {
        return parseObject(text, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** Parses text that must hold a JSON object, with the bounds of {@link #parse(String, int, int)}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, int maxElements, int maxKeyChars) {
        Object v = parse(text, maxElements, maxKeyChars);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("Json: expected an object, got " + kind(v));
        }
        return (Map<String, Object>) v;
    }

    /** A parsed value's JSON kind, for messages ("an array", not "ArrayList"). */
    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case List<?> l -> "an array";
            case String str -> "a string";
            case Boolean bool -> "a boolean";
            case Number n -> "a number";
            default -> "an object";
        };
    }

    /** Compact JSON for a value made of maps (string keys), lists, strings, numbers, booleans and nulls. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, -1, 0);
        return b.toString();
    }

    /** As {@link #write}, indented by two spaces per level. */
    public static String pretty(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 2, 0);
        return b.toString();
    }

    // ---- reading ------------------------------------------------------------------------------

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        if (pos >= s.length()) throw error("unexpected end of text, expected a value");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string(Integer.MAX_VALUE);
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            case 'N' -> pythonSpecial("NaN", Double.NaN);
            case 'I' -> pythonSpecial("Infinity", Double.POSITIVE_INFINITY);
            default -> {
                if (c == '-' && s.startsWith("-Infinity", pos)) yield pythonSpecial("-Infinity", Double.NEGATIVE_INFINITY);
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + printable(c) + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++; // {
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') throw error("expected a string key");
            int keyAt = pos;
            if (m.size() >= maxElements) throw error("more than " + maxElements + " members in an object");
            String key = string(maxKeyChars);
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + (key.length() <= 80 ? key : key.substring(0, 80) + "...(" + key.length() + " chars)") + "\"");
            }
            m.put(key, v);
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') return m;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        pos++; // [
        skipSpace();
        if (peek() == ']') {
            pos++;
            return l;
        }
        while (true) {
            skipSpace();
            if (l.size() >= maxElements) throw error("more than " + maxElements + " elements in an array");
            l.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') return l;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string(int maxChars) {
        pos++; // opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            if (b.length() > maxChars) throw error("a key longer than " + maxChars + " characters");
            char c = s.charAt(pos++);
            if (c == '"') return b.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character " + printable(c) + " in a string (it must be escaped)");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = hexDigit(s.charAt(pos + i));
                        if (d < 0) throw error("bad hex digit in \\u escape");
                        code = code * 16 + d;
                    }
                    pos += 4;
                    b.append((char) code);
                }
                default -> {
                    pos--;
                    throw error("bad escape '\\" + printable(e) + "'");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after '.'");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        if (isDigit(peek())) throw error("leading zeros are not allowed");
        String text = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooBig) {
                // falls through to a double
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            // Not Infinity: write could not write it back, and a config would carry it to a vaguer error later.
            pos = start;
            throw error("number " + (text.length() <= 40 ? text : text.substring(0, 40) + "...(" + text.length() + " chars)")
                    + " is outside the range of a double");
        }
        return d;
    }

    /** An ASCII hex digit's value, else -1 (Character.digit would also take fullwidth and other Unicode digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) throw error("unexpected text, expected " + word);
        pos += word.length();
        return v;
    }

    private Object pythonSpecial(String word, double v) {
        if (!pythonSpecials) throw error(word + " is not JSON (Python writes it; read such text with parsePython)");
        return literal(word, v);
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("Json: " + what + " at offset " + pos);
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : String.valueOf(c);
    }

    // ---- writing ------------------------------------------------------------------------------

    private static void write(StringBuilder b, Object v, int indent, int level) {
        if (level > MAX_DEPTH) {
            throw new IllegalArgumentException("Json.write: a value nested deeper than " + MAX_DEPTH
                    + " levels (does a map or list hold itself?)");
        }
        switch (v) {
            case null -> b.append("null");
            case String str -> quote(b, str);
            case Boolean bool -> b.append(bool);
            case Double d -> number(b, d);
            case Float f -> number(b, f.doubleValue());
            case Long l -> b.append(l);
            case Integer i -> b.append(i);
            case Short sh -> b.append(sh);
            case Byte by -> b.append(by);
            case Number n -> number(b, n.doubleValue());
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("Json.write: object keys must be strings, got " + e.getKey());
                    }
                    if (!first) b.append(',');
                    first = false;
                    newline(b, indent, level + 1);
                    quote(b, key);
                    b.append(indent < 0 ? ":" : ": ");
                    write(b, e.getValue(), indent, level + 1);
                }
                if (!m.isEmpty()) newline(b, indent, level);
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(',');
                    newline(b, indent, level + 1);
                    write(b, l.get(i), indent, level + 1);
                }
                if (!l.isEmpty()) newline(b, indent, level);
                b.append(']');
            }
            default -> throw new IllegalArgumentException("Json.write: cannot write a " + v.getClass().getName()
                    + " (expected Map, List, String, Number, Boolean or null)");
        }
    }

    private static void number(StringBuilder b, double d) {
        if (!Double.isFinite(d)) throw new IllegalArgumentException("Json.write: " + d + " is not a JSON number");
        b.append(d);
    }

    private static void newline(StringBuilder b, int indent, int level) {
        if (indent < 0) return;
        b.append('\n');
        b.append(" ".repeat(indent * level));
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
