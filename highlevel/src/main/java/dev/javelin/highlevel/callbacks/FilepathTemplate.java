package dev.javelin.highlevel.callbacks;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras's checkpoint file names: {@code {epoch}} and any key of the epoch's logs, each with an
 * optional Python format spec of the common forms ({@code 02d}, {@code .2f}, {@code .3e}, {@code g}),
 * as Python's {@code str.format} fills them. Literal braces are written {@code {{} and {@code }}}.
 *
 * <pre>{@code
 * FilepathTemplate.format("ckpt-{epoch:02d}-{val_loss:.2f}.safetensors", 3, Map.of("val_loss", 0.4567));
 * // "ckpt-03-0.46.safetensors"
 * }</pre>
 */
public final class FilepathTemplate {
    /** A field: its name, then an optional spec of zero-fill, width, precision and type. */
    private static final Pattern FIELD = Pattern.compile("\\{\\{|}}|\\{([A-Za-z_][\\w]*)(?::(0?)(\\d*)(?:\\.(\\d+))?([dfeEgG%]?))?}");

    private FilepathTemplate() {}

    /**
     * The file name for {@code epoch} (numbered from 1, as Keras numbers it) and these logs.
     *
     * @throws IllegalArgumentException naming a field that is neither {@code epoch} nor a key of the logs
     */
    public static String format(String template, int epoch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(template);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(template, last, m.start());
            last = m.end();
            String token = m.group();
            if (token.equals("{{") || token.equals("}}")) {
                out.append(token.charAt(0));
                continue;
            }
            String name = m.group(1);
            Number value; // not a conditional expression: it would unbox the epoch into a double ("3.0")
            if (name.equals("epoch")) value = Integer.valueOf(epoch);
            else value = logs.get(name);
            if (value == null) {
                throw new IllegalArgumentException("ModelCheckpoint: the file name " + template + " asks for '" + name
                        + "', which is neither epoch nor in the logs " + logs.keySet());
            }
            out.append(field(value, m.group(2), m.group(3), m.group(4), m.group(5)));
        }
        return out.append(template.substring(last)).toString();
    }

    private static String field(Number value, String zero, String width, String precision, String type) {
        if (type == null) return value instanceof Integer ? value.toString() : Double.toString(value.doubleValue());
        String flags = (zero.isEmpty() ? "" : "0") + width;
        if (type.equals("d")) return String.format(Locale.ROOT, "%" + flags + "d", Math.round(value.doubleValue()));
        if (type.equals("%")) {
            return String.format(Locale.ROOT, "%" + flags + "." + (precision == null ? "6" : precision) + "f", value.doubleValue() * 100) + "%";
        }
        if (type.isEmpty()) { // a spec without a type: Python's str() padded to the width
            String s = value instanceof Integer ? value.toString() : Double.toString(value.doubleValue());
            String padded = width.isEmpty() ? s : String.format(Locale.ROOT, "%" + width + "s", s);
            return zero.isEmpty() ? padded : padded.replace(' ', '0');
        }
        return String.format(Locale.ROOT, "%" + flags + (precision == null ? ".6" : "." + precision) + type, value.doubleValue());
    }
}
