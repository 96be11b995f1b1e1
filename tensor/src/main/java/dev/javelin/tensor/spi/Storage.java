package dev.javelin.tensor.spi;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;

/**
 * A dense buffer of elements of one dtype on one device. Tensors are views into storage through an
 * offset and strides; several tensors may share one storage. Device storage is released
 * deterministically by {@link #close()}; heap storage ignores it.
 */
public interface Storage extends AutoCloseable {
    /** Where the buffer lives. */
    Device device();

    /** The element type. */
    DType dtype();

    /** Number of elements. */
    int length();

    /** Releases device memory now; using the storage afterwards is an error. Heap storage: no-op. */
    @Override
    default void close() {}
}
