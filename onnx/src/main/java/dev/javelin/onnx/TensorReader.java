package dev.javelin.onnx;

import dev.javelin.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * ONNX {@code TensorProto} to a Javelin tensor: the element type mapped (float16 and the small
 * integer types widen to float32 and int32), the data read from whichever field holds it (raw
 * little-endian bytes, a typed repeated field, or an external file in the model's folder), and its
 * length checked against the shape before anything is allocated.
 */
final class TensorReader {
    private TensorReader() {}

    /** ONNX's TensorProto.DataType numbers. */
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9,
            FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, BFLOAT16 = 16;

    /** The Javelin dtype an ONNX element type is read as. */
    static DType dtypeOf(int onnxType, String what) throws OnnxFormatException {
        return switch (onnxType) {
            case FLOAT, FLOAT16, BFLOAT16 -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case INT8, UINT8, INT16, UINT16, INT32 -> DType.INT32;
            case INT64, UINT32 -> DType.INT64;
            case BOOL -> DType.BOOL;
            default -> throw new OnnxFormatException(what + ": element type " + typeName(onnxType)
                    + " is not supported (float, float16, bfloat16, double, int8/16/32/64, uint8/16/32, bool)");
        };
    }

    /** The ONNX element type that holds a Javelin dtype (for Cast's {@code to} and ConstantOfShape). */
    static String typeName(int onnxType) {
        return switch (onnxType) {
            case FLOAT -> "float"; case UINT8 -> "uint8"; case INT8 -> "int8"; case UINT16 -> "uint16"; case INT16 -> "int16";
            case INT32 -> "int32"; case INT64 -> "int64"; case STRING -> "string"; case BOOL -> "bool"; case FLOAT16 -> "float16";
            case DOUBLE -> "double"; case UINT32 -> "uint32"; case UINT64 -> "uint64"; case BFLOAT16 -> "bfloat16";
            default -> "type #" + onnxType;
        };
    }

    private static int byteSize(int onnxType) {
        return switch (onnxType) {
            case BOOL, INT8, UINT8 -> 1;
            case INT16, UINT16, FLOAT16, BFLOAT16 -> 2;
            case FLOAT, INT32, UINT32 -> 4;
            default -> 8;
        };
    }

    /**
     * Reads {@code t}. {@code modelDir} is the folder external data is confined to (null: external
     * data refused, e.g. for a model read from memory).
     */
    static Tensor read(TensorProto t, Path modelDir, String what) throws OnnxFormatException {
        if (t.hasSegment()) throw new OnnxFormatException(what + ": segmented tensors are not supported");
        int type = t.getDataType();
        DType dtype = dtypeOf(type, what);
        int[] dims = new int[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Shape.MAX_ELEMENTS) throw new OnnxFormatException(what + ": dimension " + i + " is " + d);
            dims[i] = (int) d;
            count *= d;
            if (count > Shape.MAX_ELEMENTS) throw new OnnxFormatException(what + ": shape " + t.getDimsList() + " has too many elements");
        }
        int n = (int) count;
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, modelDir, (long) n * byteSize(type), what);
        } else if (t.hasRawData()) {
            raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != (long) n * byteSize(type)) {
                throw new OnnxFormatException(what + ": raw data holds " + raw.remaining() + " bytes, shape " + t.getDimsList()
                        + " of " + typeName(type) + " needs " + (long) n * byteSize(type));
            }
        }
        if (raw != null) return fromBytes(raw, type, dtype, n, dims);
        return fromFields(t, type, dtype, n, dims, what);
    }

    private static Tensor fromBytes(ByteBuffer b, int type, DType dtype, int n, int[] dims) {
        return switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                yield wrap(v, dims);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = halfToFloat(b.getShort(b.position() + 2 * i) & 0xffff, type);
                yield wrap(v, dims);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                yield wrap(v, dims);
            }
            case INT64, UINT32 -> {
                long[] v = new long[n];
                if (type == INT64) b.asLongBuffer().get(v);
                else for (int i = 0; i < n; i++) v[i] = b.getInt(b.position() + 4 * i) & 0xffffffffL;
                yield wrap(v, dims);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = b.get(b.position() + i) != 0;
                yield bools(v, dims);
            }
            default -> { // int32 and the narrower integers
                int[] v = new int[n];
                int p = b.position();
                for (int i = 0; i < n; i++) {
                    v[i] = switch (type) {
                        case INT8 -> b.get(p + i);
                        case UINT8 -> b.get(p + i) & 0xff;
                        case INT16 -> b.getShort(p + 2 * i);
                        case UINT16 -> b.getShort(p + 2 * i) & 0xffff;
                        default -> b.getInt(p + 4 * i);
                    };
                }
                yield wrap(v, dims);
            }
        };
    }

    private static Tensor fromFields(TensorProto t, int type, DType dtype, int n, int[] dims, String what) throws OnnxFormatException {
        int have = switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
        if (have != n) {
            throw new OnnxFormatException(what + ": holds " + have + " values, shape " + t.getDimsList() + " needs " + n);
        }
        switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
                return wrap(v, dims);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = t.getDoubleData(i);
                return wrap(v, dims);
            }
            case INT64, UINT32 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = type == INT64 ? t.getInt64Data(i) : t.getUint64Data(i);
                return wrap(v, dims);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = halfToFloat(t.getInt32Data(i) & 0xffff, type);
                return wrap(v, dims);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i) != 0;
                return bools(v, dims);
            }
            default -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
                return wrap(v, dims);
            }
        }
    }

    private static Tensor bools(boolean[] v, int[] dims) {
        return wrap(v, dims);
    }

    /** Wraps the freshly filled array without another copy. */
    private static Tensor wrap(Object array, int[] dims) {
        return Tensor.wrap(HeapStorage.wrap(array), Shape.of(dims));
    }

    /** IEEE half (type FLOAT16) or bfloat16 bits to float. */
    static float halfToFloat(int bits, int type) {
        if (type == BFLOAT16) return Float.intBitsToFloat(bits << 16);
        return Float.float16ToFloat((short) bits);
    }

    /**
     * The bytes of an external-data tensor: {@code location} is a relative path that must stay inside
     * the model's folder (after resolving links), {@code offset} and {@code length} within the file.
     */
    private static ByteBuffer external(TensorProto t, Path modelDir, long expected, String what) throws OnnxFormatException {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), what, "offset");
                case "length" -> length = parseLong(e.getValue(), what, "length");
                default -> { } // "checksum" and unknown keys carry nothing we need
            }
        }
        if (location == null || location.isEmpty()) throw new OnnxFormatException(what + ": external data without a location");
        if (modelDir == null) throw new OnnxFormatException(what + ": external data '" + location + "' needs the model's folder (load from a path)");
        if (length >= 0 && length != expected) {
            throw new OnnxFormatException(what + ": external data length " + length + " bytes, shape " + t.getDimsList() + " needs " + expected);
        }
        Path file;
        try {
            Path dir = modelDir.toRealPath();
            Path candidate = dir.resolve(location).normalize();
            if (Path.of(location).isAbsolute() || !candidate.startsWith(dir)) {
                throw new OnnxFormatException(what + ": external data location '" + location + "' is outside the model's folder " + dir);
            }
            if (!Files.isRegularFile(candidate)) throw new OnnxFormatException(what + ": external data file '" + location + "' not found in " + dir);
            file = candidate.toRealPath();
            if (!file.startsWith(dir)) {
                throw new OnnxFormatException(what + ": external data location '" + location + "' leads outside the model's folder " + dir);
            }
        } catch (java.nio.file.InvalidPathException | IOException e) {
            if (e instanceof OnnxFormatException f) throw f;
            throw new OnnxFormatException(what + ": cannot open external data '" + location + "': " + e.getMessage(), e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset < 0 || offset > size || size - offset < expected) {
                throw new OnnxFormatException(what + ": external data '" + location + "' has " + size + " bytes; offset " + offset
                        + " + " + expected + " bytes needed");
            }
            if (expected > Integer.MAX_VALUE - 8) throw new OnnxFormatException(what + ": external tensor over 2 GB is not supported");
            ByteBuffer buf = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) throw new OnnxFormatException(what + ": external data '" + location + "' ended early");
            }
            return buf.flip();
        } catch (IOException e) {
            if (e instanceof OnnxFormatException f) throw f;
            throw new OnnxFormatException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    private static long parseLong(String s, String what, String key) throws OnnxFormatException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(what + ": external data " + key + " '" + s + "' is not a number");
        }
    }
}
