package dev.javelin.kernels.cpu.gemm;

/**
 * A thread's scratch arrays for the GEMM drivers (packed panels, edge strips, edge tiles), one per
 * slot, grown on demand and kept, so that calls do not allocate. Held in a {@code ThreadLocal}: the
 * arrays belong to whichever thread is running a call or a work item.
 *
 * <pre>{@code
 * private static final ThreadLocal<GemmScratch> SCRATCH = ThreadLocal.withInitial(() -> new GemmScratch(2));
 * float[] panel = SCRATCH.get().array(0, MR * kStep);
 * }</pre>
 */
final class GemmScratch {
    private final float[][] arrays;

    GemmScratch(int slots) {
        arrays = new float[slots][0];
    }

    /** Slot {@code slot}'s array, at least {@code size} floats long; its contents are whatever the last user left. */
    float[] array(int slot, int size) {
        if (arrays[slot].length < size) arrays[slot] = new float[size];
        return arrays[slot];
    }
}
