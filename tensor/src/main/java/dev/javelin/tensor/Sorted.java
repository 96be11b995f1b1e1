package dev.javelin.tensor;

/**
 * The result of {@link ArrayOps#sort} and {@link ArrayOps#topk}: the values, and the int64 positions
 * along the axis they came from (PyTorch's {@code (values, indices)}).
 *
 * <pre>{@code
 * Sorted top = ArrayOps.topk(scores, 5, -1, true);
 * Tensor best = top.values(), where = top.indices();
 * }</pre>
 */
public record Sorted(Tensor values, Tensor indices) {}
