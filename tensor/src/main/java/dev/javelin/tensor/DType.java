package dev.javelin.tensor;

/**
 * Element types. float32 is the working type; float64 serves gradient checks and references;
 * int32/int64 hold indices and labels; bool holds masks.
 *
 * <pre>{@code
 * Tensor x = Tensors.of(new float[] {1, 2}).cast(DType.FLOAT64);
 * }</pre>
 */
public enum DType {
    /** true/false masks, stored one per byte. */
    BOOL(1),
    /** 32-bit signed integers (indices, labels). */
    INT32(4),
    /** 64-bit signed integers (indices, arange, argmax). */
    INT64(8),
    /** IEEE single precision: the working type. */
    FLOAT32(4),
    /** IEEE double precision: for gradient checks and references. */
    FLOAT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element in dense storage. */
    public int byteSize() {
        return byteSize;
    }

    /** float32 or float64. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** int32 or int64. */
    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    /** The type both operands of a binary op are cast to, by NumPy's order bool &lt; int32 &lt; int64 &lt; float32 &lt; float64. */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** Lower-case name as NumPy and PyTorch print it, e.g. {@code float32}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
