package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.spi.Storage;

/**
 * A view of scratch device memory as storage, so planners can describe a temporary (a transposed
 * filter, an im2col matrix) as a strided {@link dev.javelin.tensor.Tensor} and reuse the kernels
 * that take tensors. Owns nothing: the op that asked for the scratch frees it.
 */
record RawStorage(Device device, DType dtype, int length, long address) implements Storage {}
