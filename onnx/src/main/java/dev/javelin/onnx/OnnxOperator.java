package dev.javelin.onnx;

import dev.javelin.tensor.Tensor;

/**
 * How one ONNX operator becomes Javelin ops: reads the node's inputs and attributes from the
 * context and returns its outputs (in the node's output order; trailing optional outputs may be left
 * out). Written with ordinary tensor ops, so the same code runs eagerly, symbolically at load, and
 * traced inside a compiled function.
 */
@FunctionalInterface
interface OnnxOperator {
    Tensor[] apply(NodeContext ctx);
}
