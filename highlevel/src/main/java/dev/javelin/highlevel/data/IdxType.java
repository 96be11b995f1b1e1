package dev.javelin.highlevel.data;

/**
 * The element types of the IDX format, by the type byte of the magic number
 * ({@code 0x00 0x00 TYPE NDIMS}).
 *
 * <pre>{@code
 * IdxType t = IdxType.fromCode(0x08); // UBYTE, as in MNIST
 * }</pre>
 */
public enum IdxType {
    /** Unsigned 8-bit (MNIST's pixels and labels). */
    UBYTE(0x08, 1),
    /** Signed 8-bit. */
    BYTE(0x09, 1),
    /** Signed 16-bit, big-endian. */
    SHORT(0x0B, 2),
    /** Signed 32-bit, big-endian. */
    INT(0x0C, 4),
    /** IEEE float32, big-endian. */
    FLOAT(0x0D, 4),
    /** IEEE float64, big-endian. */
    DOUBLE(0x0E, 8);

    private final int code;
    private final int byteSize;

    IdxType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The type byte of the magic number. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The type for a magic number's type byte, or null when the byte names no IDX type. */
    public static IdxType fromCode(int code) {
        for (IdxType t : values()) if (t.code == code) return t;
        return null;
    }
}
