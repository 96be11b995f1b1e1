package dev.javelin.highlevel.data;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of one IDX file (the format of the MNIST distribution): an element type, the
 * dimension sizes, and the body as the big-endian bytes the file holds.
 *
 * <pre>{@code
 * IdxData labels = IdxReader.read(Path.of("train-labels-idx1-ubyte.gz"));
 * Tensor y = labels.toTensor(DType.INT64);   // int64[60000]
 * }</pre>
 *
 * @param type the element type named by the file's magic number
 * @param dims the dimension sizes, outermost first
 * @param body {@code product(dims) * type.byteSize()} bytes, big-endian, row-major
 */
public record IdxData(IdxType type, int[] dims, byte[] body) {
    /** Checks that the body holds exactly the elements {@code dims} describe. */
    public IdxData {
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("IdxData: negative dimension in " + Arrays.toString(dims));
            n *= d;
        }
        if (n * type.byteSize() != body.length) {
            throw new IllegalArgumentException("IdxData: dims " + Arrays.toString(dims) + " of " + type + " need "
                    + n * type.byteSize() + " bytes, body has " + body.length);
        }
    }

    /** Unsigned bytes as an IDX file of type {@link IdxType#UBYTE} (each value must lie in [0, 255]). */
    public static IdxData ofUnsignedBytes(int[] values, int... dims) {
        byte[] body = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException("IdxData.ofUnsignedBytes: value " + values[i] + " at " + i + " is outside [0, 255]");
            }
            body[i] = (byte) values[i];
        }
        return new IdxData(IdxType.UBYTE, dims, body);
    }

    /** A copy of the dimension sizes. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public int size() {
        return body.length / type.byteSize();
    }

    /** Element {@code i} (row-major) widened to double. */
    public double get(int i) {
        int at = i * type.byteSize();
        return switch (type) {
            case UBYTE -> body[i] & 0xff;
            case BYTE -> body[i];
            // ByteBuffer reads big-endian by default, as IDX is
            case SHORT -> ByteBuffer.wrap(body).getShort(at);
            case INT -> ByteBuffer.wrap(body).getInt(at);
            case FLOAT -> ByteBuffer.wrap(body).getFloat(at);
            case DOUBLE -> ByteBuffer.wrap(body).getDouble(at);
        };
    }

    /**
     * The elements as a host tensor of {@code dtype} with shape {@link #dims()}; floating results
     * are multiplied by {@code scale} (e.g. {@code 1/255.0} to map pixels to [0, 1]).
     */
    public Tensor toTensor(DType dtype, double scale) {
        int n = size();
        HeapStorage h = HeapStorage.allocate(dtype, n);
        if (type == IdxType.UBYTE && dtype == DType.FLOAT32) {
            float[] f = h.floats();
            // in double, then rounded once: equals float(b / 255) as NumPy computes it
            for (int i = 0; i < n; i++) f[i] = (float) ((body[i] & 0xff) * scale);
        } else if (dtype.isFloating()) {
            for (int i = 0; i < n; i++) h.setDouble(i, get(i) * scale);
        } else {
            for (int i = 0; i < n; i++) h.setDouble(i, get(i));
        }
        return Tensor.wrap(h, Shape.of(dims));
    }

    /** The elements as a host tensor of {@code dtype} (no scaling). */
    public Tensor toTensor(DType dtype) {
        return toTensor(dtype, 1.0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxData d && d.type == type && Arrays.equals(d.dims, dims) && Arrays.equals(d.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(dims)) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "IdxData(" + type + ", " + Arrays.toString(dims) + ")";
    }
}
