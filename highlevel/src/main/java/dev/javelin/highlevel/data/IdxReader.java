package dev.javelin.highlevel.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the IDX format of the MNIST distribution, gzip-compressed or not (detected from the first
 * bytes; decompressed by {@link StrictGzipInputStream}, which refuses bytes after the gzip stream). The file is not trusted: the magic number, the dimension count, every dimension and the
 * body length are checked, and a truncated or corrupt file gives an {@link IOException} that names
 * the file and what was wrong. Memory grows with the bytes actually read, never with what a header
 * claims, so a corrupt header cannot trigger a huge allocation.
 *
 * <pre>{@code
 * IdxData images = IdxReader.read(Path.of("train-images-idx3-ubyte.gz"));   // UBYTE [60000, 28, 28]
 * }</pre>
 */
public final class IdxReader {
    /** At most this many elements unless a caller allows more: every IDX file of MNIST fits. */
    public static final long DEFAULT_MAX_ELEMENTS = 1L << 28;
    private static final int MAX_DIMS = 16;

    private IdxReader() {}

    /** Reads a file, with {@link #DEFAULT_MAX_ELEMENTS}. */
    public static IdxData read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), DEFAULT_MAX_ELEMENTS);
        }
    }

    /**
     * Reads one IDX file from {@code in} (which is read to its end, not closed).
     *
     * @param source names the file in error messages
     * @param maxElements the largest element count accepted
     * @throws IOException when the data is not a well-formed IDX file
     */
    public static IdxData read(InputStream in, String source, long maxElements) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        InputStream body = buffered;
        if (b0 == 0x1f && b1 == 0x8b) body = new StrictGzipInputStream(buffered, source);
        try {
            return parse(body, source, maxElements);
        } finally {
            if (body instanceof StrictGzipInputStream gz) gz.close(); // frees the inflater; the caller's stream stays open
        }
    }

    private static IdxData parse(InputStream in, String source, long maxElements) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IOException(source + ": truncated IDX header (" + magic.length + " of 4 magic bytes)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException(source + ": not an IDX file (magic number " + hex(magic)
                    + " does not start with two zero bytes)");
        }
        IdxType type = IdxType.fromCode(magic[2] & 0xff);
        if (type == null) {
            throw new IOException(source + ": unknown IDX element type 0x" + Integer.toHexString(magic[2] & 0xff)
                    + " in magic number " + hex(magic) + " (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)");
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMS) {
            throw new IOException(source + ": IDX header declares " + rank + " dimensions (expected 1 to " + MAX_DIMS + ")");
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new IOException(source + ": truncated IDX header (" + dimBytes.length + " of " + 4 * rank
                    + " bytes of dimension sizes)");
        }
        int[] dims = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            long v = ((dimBytes[4 * d] & 0xffL) << 24) | ((dimBytes[4 * d + 1] & 0xffL) << 16)
                    | ((dimBytes[4 * d + 2] & 0xffL) << 8) | (dimBytes[4 * d + 3] & 0xffL);
            if (v > Integer.MAX_VALUE) {
                throw new IOException(source + ": IDX dimension " + d + " is " + v + ", too large");
            }
            dims[d] = (int) v;
            elements *= v;
            if (elements > maxElements) {
                throw new IOException(source + ": IDX header declares dims " + Arrays.toString(Arrays.copyOf(dims, d + 1))
                        + "..., more than the allowed " + maxElements + " elements");
            }
        }
        long expected = elements * type.byteSize();
        if (expected > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": IDX body of " + expected + " bytes is larger than one array holds");
        }
        byte[] body = readUpTo(in, (int) expected);
        if (body.length < expected) {
            throw new IOException(source + ": truncated IDX file: header " + type + " " + Arrays.toString(dims)
                    + " declares " + expected + " bytes of data, found " + body.length);
        }
        if (in.read() != -1) {
            throw new IOException(source + ": IDX file has bytes after the " + expected + " bytes its header "
                    + Arrays.toString(dims) + " declares");
        }
        return new IdxData(type, dims, body);
    }

    /** Reads up to {@code n} bytes, growing the buffer with what arrives rather than allocating {@code n} up front. */
    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 16));
        byte[] chunk = new byte[1 << 16];
        int remaining = n;
        while (remaining > 0) {
            int r = in.read(chunk, 0, Math.min(chunk.length, remaining));
            if (r < 0) break;
            out.write(chunk, 0, r);
            remaining -= r;
        }
        return out.toByteArray();
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder("0x");
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }
}
