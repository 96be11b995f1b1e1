package dev.javelin.tensor;

/**
 * Where a tensor's storage lives: the CPU, or one CUDA device.
 *
 * <pre>{@code
 * Tensor g = x.to(Device.cuda(0));
 * }</pre>
 */
public record Device(Type type, int index) {
    public enum Type { CPU, CUDA }

    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        if (index < 0) throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
