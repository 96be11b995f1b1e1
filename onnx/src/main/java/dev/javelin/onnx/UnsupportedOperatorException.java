package dev.javelin.onnx;

import java.util.List;

/**
 * A node whose operator (or operator domain) Javelin does not implement. The message names the
 * node, the op type, the domain and opset, and lists the supported operators.
 *
 * <pre>{@code
 * catch (UnsupportedOperatorException e) { System.err.println(e.opType() + " at " + e.nodeName()); }
 * }</pre>
 */
public final class UnsupportedOperatorException extends OnnxFormatException {
    private static final long serialVersionUID = 1L;
    private final String nodeName;
    private final String opType;

    UnsupportedOperatorException(String nodeName, String opType, String domain, long opset, List<String> supported) {
        super("ONNX node '" + nodeName + "': operator " + (domain.isEmpty() ? "" : domain + ".") + opType + " (opset " + opset
                + ") is not supported by Javelin; supported operators (domain ai.onnx): " + String.join(", ", supported));
        this.nodeName = nodeName;
        this.opType = opType;
    }

    /** The node's name (or "#index" when the file gives none). */
    public String nodeName() {
        return nodeName;
    }

    /** The unsupported op type, e.g. {@code "NonMaxSuppression"}. */
    public String opType() {
        return opType;
    }
}
