package dev.javelin.highlevel.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir Path dir;

    private static byte[] bytes(IdxData d) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IdxWriter.write(out, d);
        return out.toByteArray();
    }

    private static IdxData read(byte[] b) throws IOException {
        return IdxReader.read(new ByteArrayInputStream(b), "test.idx", IdxReader.DEFAULT_MAX_ELEMENTS);
    }

    @Test
    void roundTripsPlainAndGzipped() throws IOException {
        IdxData d = IdxData.ofUnsignedBytes(new int[] {0, 1, 127, 128, 255, 7}, 2, 3);
        assertEquals(d, read(bytes(d)));
        Path gz = dir.resolve("x.idx.gz");
        IdxWriter.write(gz, d, true);
        assertEquals(d, IdxReader.read(gz));
        Path plain = dir.resolve("x.idx");
        IdxWriter.write(plain, d, false);
        assertEquals(d, IdxReader.read(plain));
        assertArrayEquals(new int[] {2, 3}, IdxReader.read(plain).dims());
    }

    @Test
    void headerBytesAreTheStandardLayout() throws IOException {
        byte[] b = bytes(IdxData.ofUnsignedBytes(new int[] {5, 9}, 2));
        assertArrayEquals(new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 5, 9}, b);
    }

    @Test
    void convertsToTensorsWithScale() throws IOException {
        IdxData d = IdxData.ofUnsignedBytes(new int[] {0, 51, 255}, 3);
        Tensor f = d.toTensor(DType.FLOAT32, 1 / 255.0);
        assertArrayEquals(new float[] {0f, 0.2f, 1f}, f.toFloatArray());
        Tensor l = d.toTensor(DType.INT64);
        assertEquals(DType.INT64, l.dtype());
        assertArrayEquals(new long[] {0, 51, 255}, l.toLongArray());
    }

    @Test
    void readsOtherElementTypesBigEndian() throws IOException {
        // int32 [2]: 1 and -2, big-endian
        byte[] b = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
        IdxData d = read(b);
        assertEquals(IdxType.INT, d.type());
        assertArrayEquals(new int[] {1, -2}, d.toTensor(DType.INT32).toIntArray());
    }

    @Test
    void rejectsBadMagic() {
        IOException e = assertThrows(IOException.class, () -> read(new byte[] {1, 0, 8, 1, 0, 0, 0, 0}));
        assertTrue(e.getMessage().contains("test.idx") && e.getMessage().contains("magic"), e.getMessage());
        e = assertThrows(IOException.class, () -> read(new byte[] {0, 0, 0x42, 1, 0, 0, 0, 0}));
        assertTrue(e.getMessage().contains("element type"), e.getMessage());
        e = assertThrows(IOException.class, () -> read(new byte[] {0, 0, 8, 0}));
        assertTrue(e.getMessage().contains("0 dimensions"), e.getMessage());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] full = bytes(IdxData.ofUnsignedBytes(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
        for (int cut : new int[] {0, 3, 6, 11, full.length - 1}) {
            IOException e = assertThrows(IOException.class, () -> read(Arrays.copyOf(full, cut)), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        IOException e = assertThrows(IOException.class, () -> read(Arrays.copyOf(full, full.length - 1)));
        assertTrue(e.getMessage().contains("declares 6 bytes of data, found 5"), e.getMessage());
    }

    @Test
    void rejectsTruncatedGzip() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            gz.write(bytes(IdxData.ofUnsignedBytes(new int[1000], 10, 100)));
        }
        byte[] b = raw.toByteArray();
        Path f = dir.resolve("cut.gz");
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("cut.gz"), e.getMessage());
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] full = bytes(IdxData.ofUnsignedBytes(new int[] {1, 2}, 2));
        IOException e = assertThrows(IOException.class, () -> read(Arrays.copyOf(full, full.length + 1)));
        assertTrue(e.getMessage().contains("after"), e.getMessage());
    }

    @Test
    void rejectsBytesAfterTheGzipStream() throws IOException {
        byte[] plain = bytes(IdxData.ofUnsignedBytes(new int[] {1, 2}, 2));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            gz.write(plain);
        }
        byte[] zipped = raw.toByteArray();
        for (byte[] tail : new byte[][] {{0}, "garbage appended by a broken copy".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                new byte[1000]}) {
            byte[] b = Arrays.copyOf(zipped, zipped.length + tail.length);
            System.arraycopy(tail, 0, b, zipped.length, tail.length);
            IOException e = assertThrows(IOException.class, () -> read(b));
            assertTrue(e.getMessage().contains("after"), e.getMessage());
        }
        // two gzip members back to back are one stream (as gunzip reads them)
        byte[] twice = Arrays.copyOf(zipped, 2 * zipped.length);
        System.arraycopy(zipped, 0, twice, zipped.length, zipped.length);
        IOException e = assertThrows(IOException.class, () -> read(twice));
        assertTrue(e.getMessage().contains("after"), e.getMessage()); // the second member's IDX bytes are extra data
    }

    @Test
    void hugeDeclaredSizeFailsWithoutAllocating() {
        // 3 dims of 0x7fffffff: far beyond any limit; must fail fast from the header alone
        byte[] b = {0, 0, 8, 3, 0x7f, -1, -1, -1, 0x7f, -1, -1, -1, 0x7f, -1, -1, -1, 1, 2, 3};
        IOException e = assertThrows(IOException.class, () -> read(b));
        assertTrue(e.getMessage().contains("more than the allowed"), e.getMessage());
        // a dimension above 2^31 - 1 (unsigned read) is refused too
        byte[] big = {0, 0, 8, 1, (byte) 0x80, 0, 0, 0};
        e = assertThrows(IOException.class, () -> read(big));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        // within the element limit but larger than the data: truncated, with memory bounded by what was read
        byte[] claims = {0, 0, 8, 1, 0x01, 0, 0, 0, 1, 2, 3};
        e = assertThrows(IOException.class, () -> read(claims));
        assertTrue(e.getMessage().contains("declares 16777216 bytes of data, found 3"), e.getMessage());
    }

    @Test
    void randomCorruptionFailsOnlyWithIOException() throws IOException {
        byte[] plain = bytes(IdxData.ofUnsignedBytes(new int[60], 3, 4, 5));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            gz.write(plain);
        }
        byte[] zipped = raw.toByteArray();
        java.util.Random r = new java.util.Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] b = (trial % 2 == 0 ? plain : zipped).clone();
            int at = r.nextBoolean() ? r.nextInt(Math.min(b.length, 24)) : r.nextInt(b.length); // header, or anywhere
            b[at] = (byte) r.nextInt(256);
            if (r.nextInt(4) == 0) b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            else if (r.nextInt(8) == 0) b = Arrays.copyOf(b, b.length + 1 + r.nextInt(40)); // bytes appended
            try {
                read(b);
            } catch (IOException expected) {
                // what a corrupt file must give
            } catch (RuntimeException | OutOfMemoryError other) {
                throw new AssertionError("trial " + trial + ": " + other + " instead of an IOException", other);
            }
        }
    }
}
