package dev.javelin.tensor;

/**
 * Where a tensor's storage lives: the CPU, or one CUDA device.
 *
 * <pre>{@code
 * Tensor g = x.to(Device.cuda(0));
 * }</pre>
 */
public record Device(Type type, int index) {
    /** The kinds of device. */
    public enum Type {
        /** The host processor. */
        CPU,
        /** An NVIDIA GPU driven through CUDA. */
        CUDA
    }

    /** The host CPU. */
    public static final Device CPU = new Device(Type.CPU, 0);

    /** Validates the index. */
    public Device {
        if (index < 0) throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
    }

    /** CUDA device number {@code index}. */
    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
