package dev.javelin.kernels.cuda;

import jcuda.driver.JCudaDriver;

/**
 * The first and only place that touches JCuda before the backend knows it can: initializes the
 * driver API and counts devices. Loading this class fails with a {@link LinkageError} when JCuda is
 * not on the class path, and {@code cuInit} fails with an {@link UnsatisfiedLinkError} or a
 * {@code CudaException} when the natives or the driver are missing; {@link CudaBackend} catches
 * all of them and reports itself unavailable.
 */
final class CudaDriver {
    private CudaDriver() {}

    /** Number of CUDA devices; throws where there is no driver. */
    static int deviceCount() {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        int[] count = {0};
        JCudaDriver.cuDeviceGetCount(count);
        return count[0];
    }
}
