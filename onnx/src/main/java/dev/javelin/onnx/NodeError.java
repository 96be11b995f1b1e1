package dev.javelin.onnx;

/** A bad node met while running the graph; the message already names the node, op type and opset. */
final class NodeError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    NodeError(String message, Throwable cause) {
        super(message, cause);
    }
}
