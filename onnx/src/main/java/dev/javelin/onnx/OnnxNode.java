package dev.javelin.onnx;

import java.util.List;
import java.util.Map;

/**
 * One node of an ONNX graph: its name (or {@code "#index"} when the file gives none), operator type,
 * input and output value names (an empty name is an omitted optional input) and attributes.
 *
 * <pre>{@code
 * for (OnnxNode n : model.graph().nodes()) System.out.println(n.opType() + " " + n.inputs() + " -> " + n.outputs());
 * }</pre>
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs, Map<String, OnnxAttribute> attributes) {
    /** A short description for error messages: {@code node 'name' (OpType)}. */
    public String describe() {
        return "node '" + name + "' (" + opType + ")";
    }
}
