package dev.javelin.kernels.cuda;

/**
 * Where planned kernels run: a CUDA device, or a recorder in tests. Scratch memory lives until the
 * op that asked for it has been enqueued; the runner frees it then (stream order keeps it valid).
 *
 * <pre>{@code
 * long tmp = runner.scratch(1024);
 * runner.launch(launch);
 * }</pre>
 */
public interface KernelRunner {
    /** Compute capability as major*10+minor, e.g. 80; picks the PTX target and which kernels apply. */
    int sm();

    /** Enqueues a kernel. */
    void launch(Launch launch);

    /** Device memory for the current op's temporaries. */
    long scratch(long bytes);

    /** Reads one int at a device address, after all enqueued work (a synchronizing read). */
    int readInt(long address);
}
