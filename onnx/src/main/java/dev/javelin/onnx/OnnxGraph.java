package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A loaded ONNX graph, checked: every node's operator is supported, every value is made before it is
 * used, every initializer's data matches its shape. The nodes are in the file's (topological) order.
 * {@link OnnxModel} runs it; a converter to other forms (layers) reads it.
 *
 * <pre>{@code
 * OnnxGraph g = OnnxModel.load(path).graph();
 * Tensor w = g.initializers().get("fc1.weight");
 * }</pre>
 *
 * @param opset        the version of the default (ai.onnx) operator set the file imports
 * @param inputs       the inputs a caller supplies (graph inputs that have no initializer)
 * @param outputs      the graph outputs
 * @param initializers constant tensors by name (weights), inline or from external data files
 * @param nodes        the nodes in execution order
 */
public record OnnxGraph(long opset, List<ValueInfo> inputs, List<ValueInfo> outputs, Map<String, Tensor> initializers,
                        List<OnnxNode> nodes) {}
