package dev.javelin.onnx;

import java.io.IOException;

/**
 * An ONNX file that cannot be loaded: it is not a well-formed model (bad protobuf, a tensor whose
 * data does not match its shape, a value used before it is made, an external data file outside the
 * model's folder), or it asks for something Javelin does not support (an opset outside 13 to 17, an
 * operator not in the table: then the subclass {@link UnsupportedOperatorException}).
 *
 * <pre>{@code
 * try { OnnxModel.load(path); } catch (OnnxFormatException e) { System.err.println(e.getMessage()); }
 * }</pre>
 */
public class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public OnnxFormatException(String message) {
        super(message);
    }

    /** An error with its message and the exception that revealed it. */
    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
