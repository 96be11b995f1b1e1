package dev.javelin.onnx;

import dev.javelin.tensor.DType;
import java.util.Arrays;

/**
 * A graph input or output as the file declares it: name, element type and dimensions. A dimension
 * the file leaves symbolic ({@code "batch_size"}) or unknown is {@code -1} in {@link #dims()}, with
 * its name (or null) in {@link #dimNames()}; an output whose shape the file does not declare has
 * {@code dims() == null}.
 *
 * <pre>{@code
 * ValueInfo in = model.inputs().get(0);   // input [batch_size, 784] float32
 * }</pre>
 */
public record ValueInfo(String name, DType dtype, int[] dims, String[] dimNames) {
    /** Whether dimension {@code axis} is symbolic or unknown. */
    public boolean isDynamic(int axis) {
        return dims[axis] < 0;
    }

    @Override
    public int[] dims() {
        return dims == null ? null : dims.clone();
    }

    @Override
    public String toString() {
        if (dims == null) return name + " " + dtype + " (shape not declared)";
        StringBuilder sb = new StringBuilder(name).append(" [");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims[i] >= 0 ? String.valueOf(dims[i]) : dimNames[i] != null ? dimNames[i] : "?");
        }
        return sb.append("] ").append(dtype).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueInfo v && name.equals(v.name) && dtype == v.dtype && Arrays.equals(dims, v.dims)
                && Arrays.equals(dimNames, v.dimNames);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }
}
