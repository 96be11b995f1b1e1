package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * One device as {@link CudaBackend} uses it: memory, kernel launches, copies. {@link CudaDevice}
 * is a real GPU through JCuda; {@link EmulatedDevice} runs the same PTX in an interpreter on the
 * CPU ({@code -Djavelin.cuda.emulate=true}), so the whole backend can be exercised without a GPU.
 */
interface GpuDevice extends DeviceHeap, KernelRunner {
    /** What the device is, e.g. the GPU's name. */
    String name();

    /** Returns scratch memory from {@link #scratch} to the allocator. */
    void freeScratch(long address);

    /** Copies dense host elements to {@code address}; may return before the copy completes. */
    void upload(HeapStorage host, long address);

    /** Copies {@code length} dense elements at {@code address} to the host, after all enqueued work. */
    HeapStorage download(long address, DType dtype, int length);

    /** Waits for all enqueued work. */
    void synchronize();
}
