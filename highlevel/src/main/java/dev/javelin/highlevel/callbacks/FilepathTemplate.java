package dev.javelin.highlevel.callbacks;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
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
        String text;
        if (value instanceof Integer && (type == null || type.isEmpty() || type.equals("d"))) text = value.toString();
        else if ("d".equals(type)) text = Long.toString(Math.round(value.doubleValue())); // (Python refuses d for a float)
        else text = python(value.doubleValue(), precision == null ? -1 : Integer.parseInt(precision), type == null ? "" : type);
        return pad(text, width == null || width.isEmpty() ? 0 : Integer.parseInt(width), zero != null && !zero.isEmpty());
    }

    /**
     * A float as Python's {@code format} writes it with this precision (-1: none) and type ({@code ""} for
     * none, as {@code str()}, or {@code f e E g G %}): the double's exact value rounded half to even.
     */
    private static String python(double v, int precision, String type) {
        if (!Double.isFinite(v)) {
            String s = Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
            return (type.equals("E") || type.equals("G") ? s.toUpperCase(Locale.ROOT) : s) + (type.equals("%") ? "%" : "");
        }
        String sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : "";
        BigDecimal exact = new BigDecimal(Math.abs(v));
        int p = precision < 0 ? 6 : precision;
        return sign + switch (type) {
            case "f" -> exact.setScale(p, RoundingMode.HALF_EVEN).toPlainString();
            case "%" -> new BigDecimal(Math.abs(v) * 100).setScale(p, RoundingMode.HALF_EVEN).toPlainString() + "%"; // scaled as a double, as Python does
            case "e", "E" -> scientific(exact, p, type.equals("E"));
            case "g", "G" -> general(exact, Math.max(1, p), false, type.equals("G"));
            // no type: str() (the shortest digits that read back), or 'g' keeping a digit after the point
            default -> precision < 0 ? general(new BigDecimal(Double.toString(Math.abs(v))), -1, true, false)
                    : general(exact, Math.max(1, precision), true, false);
        };
    }

    /** {@code d.ddde+XX} with {@code decimals} digits after the point. */
    private static String scientific(BigDecimal x, int decimals, boolean upper) {
        BigDecimal r = x.round(new MathContext(decimals + 1, RoundingMode.HALF_EVEN));
        String digits = r.signum() == 0 ? "0" : r.unscaledValue().toString();
        int e = r.signum() == 0 ? 0 : digits.length() - r.scale() - 1;
        digits = digits + "0".repeat(Math.max(0, decimals + 1 - digits.length()));
        return digits.charAt(0) + (decimals > 0 ? "." + digits.substring(1, decimals + 1) : "") + exponent(e, upper);
    }

    /**
     * Python's general form of {@code x >= 0}: {@code precision} significant digits (-1: all of {@code x}'s,
     * as {@code str()}), trailing zeros dropped, in exponent form below 1e-4 and from 10^precision (1e16 for
     * {@code str()}); {@code dotZero}: a whole number keeps ".0" and the exponent form starts at 10^(precision-1).
     */
    private static String general(BigDecimal x, int precision, boolean dotZero, boolean upper) {
        BigDecimal d = (precision < 0 ? x : x.round(new MathContext(precision, RoundingMode.HALF_EVEN))).stripTrailingZeros();
        String digits = d.signum() == 0 ? "0" : d.unscaledValue().toString();
        int point = d.signum() == 0 ? 1 : digits.length() - d.scale(); // the decimal point's place after the first digit
        if (point <= -4 || point > (precision < 0 ? 16 : dotZero ? precision - 1 : precision)) {
            return digits.charAt(0) + (digits.length() > 1 ? "." + digits.substring(1) : "") + exponent(point - 1, upper);
        }
        if (point <= 0) return "0." + "0".repeat(-point) + digits;
        if (point < digits.length()) return digits.substring(0, point) + "." + digits.substring(point);
        return digits + "0".repeat(point - digits.length()) + (dotZero ? ".0" : "");
    }

    private static String exponent(int e, boolean upper) {
        return (upper ? "E" : "e") + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
    }

    /** Right-aligned to {@code width}; with {@code zero}, zeros after the sign, as Python's {@code 0} flag pads. */
    private static String pad(String text, int width, boolean zero) {
        if (text.length() >= width) return text;
        if (!zero) return " ".repeat(width - text.length()) + text;
        int signs = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        return text.substring(0, signs) + "0".repeat(width - text.length()) + text.substring(signs);
    }
}
