package dev.javelin.highlevel.saving;

import dev.javelin.json.Json;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Debug;
import dev.javelin.tensor.spi.HeapStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The safetensors format (Hugging Face's), readable by the Python {@code safetensors} library: an
 * 8-byte little-endian header length {@code N}, {@code N} bytes of JSON header (padded with spaces
 * to a multiple of 8) mapping each name to {@code {"dtype", "shape", "data_offsets"}} plus an
 * optional {@code "__metadata__"} of string pairs, then the tensors' bytes, little-endian and
 * row-major, back to back. Dtypes: F32, F64, I32, I64, BOOL; reading also widens the narrower ones Hugging
 * Face files hold (F16 and BF16 to float32, I8, U8, I16 and U16 to int32, U32 to int64), as the ONNX reader does.
 *
 * <p>Reading never trusts the file. The header length is bounded by the file and by
 * {@link Limits}; the header must be UTF-8 JSON with only known dtypes; every shape must match its
 * byte range; the ranges must tile the data exactly (no gap, overlap or trailing byte), as the Python
 * library requires. A truncated or corrupt file gives an {@link IOException} that says what is wrong,
 * before any tensor is built: never a hang, an out-of-memory or a partial result.
 *
 * <p>Integrity: the writer stores a CRC-32C of the header's tensor table, its other metadata and
 * all tensor bytes under {@link #CHECKSUM_KEY} in {@code __metadata__} (a string pair, so other
 * readers read the file as before). The reader verifies it, so a flipped bit anywhere in the weights
 * is an error rather than a different model. A file without one (older, or from another tool) still
 * loads; with {@code JAVELIN_DEBUG=1} the reader says that it was not verified. The checksum finds
 * accidental damage (every error burst up to 32 bits), not deliberate tampering.
 *
 * <pre>{@code
 * var weights = new LinkedHashMap<String, Tensor>();
 * weights.put("dense/kernel", kernel);
 * try (OutputStream out = Files.newOutputStream(path)) {
 *     SafeTensors.write(out, weights, Map.of("format", "pt"));
 * }
 * SafeTensors.Contents back = SafeTensors.read(path, SafeTensors.Limits.DEFAULT);
 * }</pre>
 */
public final class SafeTensors {
    private static final String METADATA = "__metadata__";
    /** The {@code __metadata__} key of the checksum: 8 hex digits of CRC-32C, see the class comment. */
    public static final String CHECKSUM_KEY = "javelin.crc32c";

    private SafeTensors() {}

    /**
     * Bounds on what a reader accepts.
     *
     * @param maxHeaderBytes the largest JSON header (the Python library allows 100 MB)
     * @param maxDataBytes the largest data section
     * @param maxTensors the most tensors in one file (the parser stops at the first one past it)
     * @param maxNameChars the longest tensor name or metadata key
     */
    public record Limits(long maxHeaderBytes, long maxDataBytes, int maxTensors, int maxNameChars) {
        /** 100 MB of header, 2 GiB of data, 100,000 tensors, names of up to 65,536 characters. */
        public static final Limits DEFAULT = new Limits(100_000_000L, Integer.MAX_VALUE - 8L, 100_000, 65_536);

        /** With names of up to 65,536 characters. */
        public Limits(long maxHeaderBytes, long maxDataBytes, int maxTensors) {
            this(maxHeaderBytes, maxDataBytes, maxTensors, 65_536);
        }

        /** Checks that each bound is positive and fits one Java array (the reader holds a file in one). */
        public Limits {
            long array = Integer.MAX_VALUE - 8L;
            if (maxHeaderBytes < 2 || maxHeaderBytes > array || maxDataBytes < 0 || maxDataBytes > array || maxTensors < 0
                    || maxTensors > array || maxNameChars < 1) {
                throw new IllegalArgumentException("SafeTensors.Limits: expected 2 <= maxHeaderBytes <= " + array
                        + ", 0 <= maxDataBytes <= " + array + ", 0 <= maxTensors <= " + array + ", maxNameChars >= 1; got "
                        + maxHeaderBytes + ", " + maxDataBytes + ", " + maxTensors + ", " + maxNameChars);
            }
        }
    }

    /**
     * What a file holds.
     *
     * @param tensors by name, in the order of their data in the file
     * @param metadata the {@code __metadata__} pairs (empty when absent), without the checksum
     * @param verified whether the file carried a checksum (it matched, or reading would have failed)
     */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata, boolean verified) {}

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (in their map order) and {@code metadata} to {@code out} (not closed).
     *
     * @throws IllegalArgumentException for a symbolic tensor, the reserved name {@code __metadata__} or
     *     the reserved metadata key {@link #CHECKSUM_KEY}
     */
    public static void write(OutputStream out, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, String> md = metadata == null ? Map.of() : metadata;
        if (md.containsKey(CHECKSUM_KEY)) {
            throw new IllegalArgumentException("SafeTensors.write: metadata key '" + CHECKSUM_KEY + "' is reserved (the writer adds it)");
        }
        long offset = 0;
        List<Entry> entries = new ArrayList<>();
        List<Tensor> ordered = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Tensor t = Objects.requireNonNull(e.getValue(), name);
            if (name.equals(METADATA)) throw new IllegalArgumentException("SafeTensors.write: '" + METADATA + "' is reserved");
            if (t.isSymbolic()) {
                throw new IllegalArgumentException("SafeTensors.write: tensor '" + name + "' " + t.dtype() + t.shape()
                        + " is symbolic (it has no data)");
            }
            long bytes = t.size() * t.dtype().byteSize();
            entries.add(new Entry(name, code(t.dtype()), t.dtype(), t.shape().toArray(), offset, offset + bytes));
            offset += bytes;
            ordered.add(t);
        }
        // the checksum goes in the header, before the data: one pass over the data to compute it, one to write it
        CRC32C crc = new CRC32C();
        crc.update(canonicalHeader(entries, md));
        for (Tensor t : ordered) writeData(crc::update, t);
        Map<String, String> stored = new LinkedHashMap<>(md);
        stored.put(CHECKSUM_KEY, String.format("%08x", crc.getValue()));
        byte[] json = Json.write(header(entries, stored)).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        for (Tensor t : ordered) writeData(out::write, t);
        out.flush();
    }

    /** The header as JSON values: {@code __metadata__} first (when not empty), then the tensors in data order. */
    private static Map<String, Object> header(List<Entry> entries, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        for (Entry e : entries) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", e.code);
            List<Object> shape = new ArrayList<>();
            for (int d : e.shape) shape.add((long) d);
            info.put("shape", shape);
            info.put("data_offsets", List.of(e.begin, e.end));
            header.put(e.name, info);
        }
        return header;
    }

    /**
     * What the checksum covers besides the data: the header rebuilt from what was parsed, without the
     * checksum, so it does not depend on the writer's spacing, padding or key order.
     */
    private static byte[] canonicalHeader(List<Entry> entriesInDataOrder, Map<String, String> metadata) {
        Map<String, String> md = new LinkedHashMap<>(metadata);
        md.remove(CHECKSUM_KEY);
        return Json.write(header(entriesInDataOrder, md)).getBytes(StandardCharsets.UTF_8);
    }

    /** Where encoded bytes go: the file, or the checksum. */
    private interface ByteSink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    private static void writeData(ByteSink out, Tensor t) throws IOException {
        HeapStorage h = t.toHost();
        int n = t.shape().sizeAsInt();
        int size = t.dtype().byteSize();
        int chunk = Math.max(1, (1 << 16) / size);
        ByteBuffer buf = ByteBuffer.allocate(chunk * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < n; start += chunk) {
            buf.clear();
            int len = Math.min(n, start + chunk) - start;
            switch (t.dtype()) {
                case FLOAT32 -> buf.asFloatBuffer().put(h.floats(), start, len);
                case FLOAT64 -> buf.asDoubleBuffer().put(h.doubles(), start, len);
                case INT32 -> buf.asIntBuffer().put(h.ints(), start, len);
                case INT64 -> buf.asLongBuffer().put(h.longs(), start, len);
                case BOOL -> {
                    for (int i = 0; i < len; i++) buf.put(i, (byte) (h.bools()[start + i] ? 1 : 0));
                }
            }
            out.write(buf.array(), 0, len * size);
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Reads a file; its size bounds every length in it. */
    public static Contents read(Path file, Limits limits) throws IOException {
        // the JDK's own message ("Is a directory") names no file
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not a safetensors file");
        long size = Files.size(file);
        if (size > 8 + limits.maxHeaderBytes() + limits.maxDataBytes()) {
            throw new IOException(file + ": " + size + " bytes is more than the limits allow ("
                    + limits.maxHeaderBytes() + " bytes of header, " + limits.maxDataBytes() + " of data)");
        }
        return read(Files.readAllBytes(file), file.toString(), limits);
    }

    /** Reads a whole stream (not closed); memory grows with the bytes that arrive, not with what the header claims. */
    public static Contents read(InputStream in, Limits limits) throws IOException {
        return read(in, "safetensors stream", limits);
    }

    /** As {@link #read(InputStream, Limits)}; {@code source} names the data in error messages. */
    public static Contents read(InputStream in, String source, Limits limits) throws IOException {
        byte[] lenBytes = in.readNBytes(8);
        long n = headerLength(lenBytes, source, Long.MAX_VALUE, limits);
        byte[] headerBytes = in.readNBytes((int) n);
        if (headerBytes.length < n) {
            throw new IOException(source + ": truncated safetensors file: header declares " + n + " bytes, found "
                    + headerBytes.length);
        }
        Header h = parseHeader(headerBytes, 0, (int) n, source, limits);
        byte[] data = in.readNBytes((int) h.dataLength);
        if (data.length < h.dataLength) {
            throw new IOException(source + ": truncated safetensors file: the header describes " + h.dataLength
                    + " bytes of tensor data, found " + data.length);
        }
        if (in.read() != -1) {
            throw new IOException(source + ": safetensors file has bytes after the " + h.dataLength
                    + " bytes of tensor data its header describes");
        }
        return build(h, data, 0, verifyChecksum(h, data, 0, source));
    }

    /** Reads a file already in memory. */
    public static Contents read(byte[] bytes, Limits limits) throws IOException {
        return read(bytes, "safetensors data", limits);
    }

    /** As {@link #read(byte[], Limits)}; {@code source} names the data in error messages. */
    public static Contents read(byte[] bytes, String source, Limits limits) throws IOException {
        long n = headerLength(bytes.length >= 8 ? java.util.Arrays.copyOf(bytes, 8) : bytes, source, bytes.length - 8L, limits);
        Header h = parseHeader(bytes, 8, (int) n, source, limits);
        long available = bytes.length - 8L - n;
        if (available != h.dataLength) {
            throw new IOException(source + ": " + (available < h.dataLength ? "truncated safetensors file: " : "")
                    + "the header describes " + h.dataLength + " bytes of tensor data, the file holds " + available);
        }
        return build(h, bytes, (int) (8 + n), verifyChecksum(h, bytes, (int) (8 + n), source));
    }

    /** Checks the checksum when there is one; returns whether there was. */
    private static boolean verifyChecksum(Header h, byte[] bytes, int dataStart, String source) throws IOException {
        String stored = h.metadata.get(CHECKSUM_KEY);
        if (stored == null) {
            if (Debug.level() >= 1) {
                System.err.println("javelin: " + Shortened.of(source) + " has no " + CHECKSUM_KEY
                        + " in its metadata (an older or foreign file): its data is not verified");
            }
            return false;
        }
        if (!stored.matches("[0-9a-f]{8}")) {
            throw new IOException(source + ": metadata " + CHECKSUM_KEY + " is '" + Shortened.of(stored)
                    + "', expected 8 lowercase hex digits (corrupt file?)");
        }
        CRC32C crc = new CRC32C();
        crc.update(canonicalHeader(h.entries, h.metadata));
        crc.update(bytes, dataStart, (int) h.dataLength);
        String actual = String.format("%08x", crc.getValue());
        if (!actual.equals(stored)) {
            throw new IOException(source + ": checksum mismatch (" + CHECKSUM_KEY + " stored " + stored + ", computed " + actual
                    + "): the file was damaged or changed after it was written");
        }
        return true;
    }

    private static long headerLength(byte[] lenBytes, String source, long available, Limits limits) throws IOException {
        if (lenBytes.length < 8) {
            throw new IOException(source + ": truncated safetensors file: " + lenBytes.length
                    + " bytes, fewer than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > limits.maxHeaderBytes()) {
            throw new IOException(source + ": safetensors header length " + Long.toUnsignedString(n)
                    + " is outside [2, " + limits.maxHeaderBytes() + "] (corrupt file?)");
        }
        if (n > available) {
            throw new IOException(source + ": truncated or corrupt safetensors file: header length " + n
                    + " exceeds the " + available + " bytes after it");
        }
        return n;
    }

    /** One tensor of the header: {@code code} as the file names its element type, {@code dtype} what it is read as. */
    private record Entry(String name, String code, DType dtype, int[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataLength) {}

    private static Header parseHeader(byte[] bytes, int from, int n, String source, Limits limits) throws IOException {
        // the fast decoder (a copy for ASCII) replaces bad bytes with U+FFFD; only then is the strict one needed
        String text = new String(bytes, from, n, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, n));
            } catch (CharacterCodingException e) {
                throw new IOException(source + ": safetensors header is not valid UTF-8", e);
            }
        }
        if (!text.startsWith("{")) throw new IOException(source + ": safetensors header does not start with '{' (corrupt file?)");
        Map<String, Object> json;
        try {
            // the parser stops at the first member or name past the limits: a million entries fail fast
            json = Json.parseObject(text, Math.max(limits.maxTensors(), 1_000) + 1, limits.maxNameChars());
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new IOException(source + ": " + METADATA + " must be an object");
                for (Map.Entry<?, ?> kv : m.entrySet()) {
                    if (!(kv.getValue() instanceof String v)) {
                        throw new IOException(source + ": " + METADATA + " value for '" + Shortened.of(kv.getKey())
                                + "' must be a string");
                    }
                    metadata.put((String) kv.getKey(), v);
                }
                continue;
            }
            if (entries.size() >= limits.maxTensors()) {
                throw new IOException(source + ": more than " + limits.maxTensors() + " tensors");
            }
            entries.add(entry(e.getKey(), e.getValue(), source));
        }
        // the byte ranges must tile [0, dataLength) in order, as the Python library checks
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry en : sorted) {
            if (en.begin != at) {
                throw new IOException(source + ": tensor '" + Shortened.of(en.name) + "' data_offsets [" + en.begin + ", " + en.end + "] "
                        + (en.begin < at ? "overlap the previous tensor" : "leave a gap") + " (expected to start at " + at + ")");
            }
            at = en.end;
        }
        if (at > limits.maxDataBytes()) {
            throw new IOException(source + ": " + at + " bytes of tensor data is more than the limit " + limits.maxDataBytes());
        }
        return new Header(sorted, metadata, at);
    }

    private static Entry entry(String name, Object value, String source) throws IOException {
        String what = source + ": tensor '" + Shortened.of(name) + "'";
        if (!(value instanceof Map<?, ?> info)) throw new IOException(what + ": expected an object with dtype, shape, data_offsets");
        for (Object k : info.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new IOException(what + ": unknown key '" + Shortened.of(k) + "'");
            }
        }
        DType dtype = dtype(info.get("dtype"), what);
        String code = (String) info.get("dtype");
        if (!(info.get("shape") instanceof List<?> shapeList)) throw new IOException(what + ": shape must be a list of integers");
        int[] shape = new int[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException(what + ": shape " + Shortened.of(shapeList) + " must hold integers in [0, 2^31)");
            }
            shape[i] = (int) (long) d;
            elements *= d; // both factors are below 2^31 here, so the product fits in a long
            if (elements > Integer.MAX_VALUE - 8L) {
                throw new IOException(what + ": shape " + Shortened.of(shapeList) + " has more elements than one array holds");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new IOException(what + ": data_offsets must be two integers [begin, end]");
        }
        if (begin < 0 || end < begin) throw new IOException(what + ": data_offsets [" + begin + ", " + end + "] are not a range");
        long expected = elements * storedBytes(code);
        if (end - begin != expected) {
            throw new IOException(what + ": " + code + " shape " + Shortened.of(shapeList) + " needs " + expected
                    + " bytes, data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, code, dtype, shape, begin, end);
    }

    private static Contents build(Header h, byte[] bytes, int dataStart, boolean verified) {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : h.entries) {
            Shape shape = Shape.of(e.shape);
            int n = shape.sizeAsInt();
            HeapStorage s = HeapStorage.allocate(e.dtype, n);
            ByteBuffer b = ByteBuffer.wrap(bytes, dataStart + (int) e.begin, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
            switch (e.code) {
                case "F32" -> b.asFloatBuffer().get(s.floats());
                case "F64" -> b.asDoubleBuffer().get(s.doubles());
                case "I32" -> b.asIntBuffer().get(s.ints());
                case "I64" -> b.asLongBuffer().get(s.longs());
                case "BOOL" -> {
                    boolean[] z = s.bools();
                    for (int i = 0; i < n; i++) z[i] = b.get() != 0;
                }
                default -> widen(e.code, b, s, n);
            }
            tensors.put(e.name, Tensor.wrap(s, shape));
        }
        Map<String, String> metadata = new LinkedHashMap<>(h.metadata);
        metadata.remove(CHECKSUM_KEY); // verified; a copy written back gets a fresh one
        return new Contents(tensors, java.util.Collections.unmodifiableMap(metadata), verified);
    }

    /** Reads the narrower element types into the wider arrays they are read as (see the class comment). */
    private static void widen(String code, ByteBuffer b, HeapStorage s, int n) {
        switch (code) {
            case "F16" -> { float[] f = s.floats(); for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat(b.getShort()); }
            case "BF16" -> { float[] f = s.floats(); for (int i = 0; i < n; i++) f[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); }
            case "I8" -> { int[] v = s.ints(); for (int i = 0; i < n; i++) v[i] = b.get(); }
            case "U8" -> { int[] v = s.ints(); for (int i = 0; i < n; i++) v[i] = b.get() & 0xff; }
            case "I16" -> { int[] v = s.ints(); for (int i = 0; i < n; i++) v[i] = b.getShort(); }
            case "U16" -> { int[] v = s.ints(); for (int i = 0; i < n; i++) v[i] = b.getShort() & 0xffff; }
            case "U32" -> { long[] v = s.longs(); for (int i = 0; i < n; i++) v[i] = b.getInt() & 0xffffffffL; }
            default -> throw new IllegalStateException("no reader for " + code); // dtype() admits only the codes above
        }
    }

    /** Bytes per element as the file stores it. */
    private static int storedBytes(String code) {
        return switch (code) {
            case "BOOL", "I8", "U8" -> 1;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "F32", "I32", "U32" -> 4;
            default -> 8;
        };
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(Object code, String what) throws IOException {
        if (code instanceof String c) {
            switch (c) {
                case "F32": return DType.FLOAT32;
                case "F64": return DType.FLOAT64;
                case "I32": return DType.INT32;
                case "I64": return DType.INT64;
                case "BOOL": return DType.BOOL;
                case "F16", "BF16": return DType.FLOAT32;
                case "I8", "U8", "I16", "U16": return DType.INT32;
                case "U32": return DType.INT64;
                default: break;
            }
        }
        throw new IOException(what + ": unsupported dtype " + Shortened.of(code)
                + " (Javelin reads F32, F64, I32, I64, BOOL, and F16, BF16, I8, U8, I16, U16, U32 widened)");
    }
}
