package dev.javelin.highlevel.saving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    private static LinkedHashMap<String, Tensor> sample() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("dense/kernel", Tensors.of(new float[][] {{1.5f, -2f, 3f}, {4f, 5f, -6.25f}}));
        m.put("dense/bias", Tensors.of(new double[] {0.1, -0.2}));
        m.put("step", Tensors.of(new long[] {Long.MAX_VALUE, -1}));
        m.put("idx", Tensors.of(new int[] {7, -8, 9}));
        m.put("mask", Tensors.of(new boolean[] {true, false, true}));
        m.put("scalar", Tensors.scalar(3.0));
        m.put("empty", Tensors.zeros(0, 4));
        return m;
    }

    private static byte[] bytes(LinkedHashMap<String, Tensor> t, Map<String, String> md) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, t, md);
        return out.toByteArray();
    }

    private static void assertSame(LinkedHashMap<String, Tensor> expected, LinkedHashMap<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            assertEquals(e.dtype(), a.dtype(), k);
            assertEquals(e.shape(), a.shape(), k);
            assertArrayEquals(e.toDoubleArray(), a.toDoubleArray(), k);
            if (e.dtype() == DType.INT64) assertArrayEquals(e.toLongArray(), a.toLongArray(), k);
        }
    }

    @Test
    void roundTripsEveryDtypeBitForBit() throws IOException {
        byte[] b = bytes(sample(), Map.of("format", "pt", "note", "ünïcode"));
        SafeTensors.Contents c = SafeTensors.read(b, SafeTensors.Limits.DEFAULT);
        assertSame(sample(), c.tensors());
        assertEquals(Map.of("format", "pt", "note", "ünïcode"), c.metadata());
        SafeTensors.Contents s = SafeTensors.read(new ByteArrayInputStream(b), SafeTensors.Limits.DEFAULT);
        assertSame(sample(), s.tensors());
        Path f = dir.resolve("w.safetensors");
        Files.write(f, b);
        assertSame(sample(), SafeTensors.read(f, SafeTensors.Limits.DEFAULT).tensors());
        float nan = Float.intBitsToFloat(0x7fc00001);
        LinkedHashMap<String, Tensor> odd = new LinkedHashMap<>();
        odd.put("x", Tensors.of(new float[] {nan, -0f, Float.MIN_VALUE}));
        float[] back = SafeTensors.read(bytes(odd, Map.of()), SafeTensors.Limits.DEFAULT).tensors().get("x").toFloatArray();
        assertEquals(0x7fc00001, Float.floatToRawIntBits(back[0]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[1]));
    }

    @Test
    void writesTheStandardLayout() throws IOException {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensors.of(new float[] {1f, 2f}));
        t.put("b", Tensors.of(new int[] {3}).reshape(1, 1));
        byte[] b = bytes(t, Map.of());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        String table = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[8,12]}";
        // the checksum: CRC-32C of the header without it (compact JSON) followed by the data bytes
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(("{" + table + "}").getBytes(StandardCharsets.UTF_8));
        crc.update(b, (int) (8 + n), 12);
        String checksum = String.format("%08x", crc.getValue());
        assertEquals("{\"__metadata__\":{\"" + SafeTensors.CHECKSUM_KEY + "\":\"" + checksum + "\"}," + table + "}",
                header.stripTrailing());
        assertEquals(8 + n + 12, b.length);
        assertEquals(1f, bb.getFloat((int) (8 + n)));
        assertEquals(2f, bb.getFloat((int) (8 + n + 4)));
        assertEquals(3, bb.getInt((int) (8 + n + 8)));
    }

    @Test
    void writesNonContiguousViews() throws IOException {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("t", Tensors.of(new float[][] {{1, 2, 3}, {4, 5, 6}}).transpose(0, 1));
        Tensor back = SafeTensors.read(bytes(t, Map.of()), SafeTensors.Limits.DEFAULT).tensors().get("t");
        assertEquals(Shape.of(3, 2), back.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.toFloatArray());
    }

    /** A file with this header text and these data bytes. */
    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static String error(byte[] b) {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(b, "t.safetensors", SafeTensors.Limits.DEFAULT));
        assertTrue(e.getMessage().startsWith("t.safetensors: "), e.getMessage());
        IOException s = assertThrows(IOException.class,
                () -> SafeTensors.read(new ByteArrayInputStream(b), "t.safetensors", SafeTensors.Limits.DEFAULT));
        assertTrue(s.getMessage().startsWith("t.safetensors: "), s.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedFilesAreRefusedAtEveryCut() throws IOException {
        byte[] full = bytes(sample(), Map.of("k", "v"));
        for (int cut = 0; cut < full.length; cut += Math.max(1, cut / 3)) {
            String m = error(Arrays.copyOf(full, cut));
            assertTrue(m.contains("truncated") || m.contains("header length"), cut + ": " + m);
        }
        assertTrue(error(Arrays.copyOf(full, full.length - 1)).contains("truncated"));
    }

    @Test
    void hugeOrNegativeHeaderLengthsFailFast() {
        byte[] b = new byte[16];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertTrue(error(b).contains("outside"), error(b));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(-8);
        assertTrue(error(b).contains("18446744073709551608"), error(b));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(50_000_000);
        assertTrue(error(b).contains("exceeds") || error(b).contains("truncated"), error(b));
        assertTrue(error(new byte[5]).contains("fewer than the 8-byte"));
    }

    @Test
    void corruptHeadersAreRefused() {
        assertTrue(error(file("[1,2]   ", 0)).contains("does not start with '{'"));
        assertTrue(error(file("{\"a\":", 0)).contains("not valid JSON"));
        byte[] notUtf8 = file("{\"\u00e9\":1}", 0);
        notUtf8[10] = (byte) 0xff;
        assertTrue(error(notUtf8).contains("UTF-8"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)).contains("unsupported dtype"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)).contains("shape"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)).contains("needs 8 bytes"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4)).contains("not a range"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)).contains("data_offsets"));
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4)).contains("unknown key"));
        assertTrue(error(file("{\"__metadata__\":{\"k\":1}}", 0)).contains("must be a string"));
        assertTrue(error(file("{\"a\":3}", 0)).contains("expected an object"));
        // 2^31 x 2^31 elements: refused from the header, nothing allocated
        assertTrue(error(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,4]}}", 4))
                .contains("more elements"));
    }

    @Test
    void badOffsetsAreRefused() {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]}}";
        assertTrue(error(file(String.format(two, 0, 4, 0, 4), 8)).contains("overlap"));
        assertTrue(error(file(String.format(two, 0, 4, 8, 12), 12)).contains("gap"));
        assertTrue(error(file(String.format(two, 4, 8, 8, 12), 12)).contains("gap"));
        assertTrue(error(file(String.format(two, 0, 4, 4, 8), 12)).contains("holds 12"));
        assertTrue(error(file(String.format(two, 0, 4, 4, 8), 4)).contains("truncated"));
        // the stream reader refuses bytes beyond the described data too
        byte[] extra = file(String.format(two, 0, 4, 4, 8), 9);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(new ByteArrayInputStream(extra), SafeTensors.Limits.DEFAULT));
        assertTrue(e.getMessage().contains("bytes after"), e.getMessage());
    }

    @Test
    void limitsAreEnforced() throws IOException {
        byte[] b = bytes(sample(), Map.of());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(b, new SafeTensors.Limits(100, 1 << 20, 100)));
        assertTrue(e.getMessage().contains("outside [2, 100]"), e.getMessage());
        e = assertThrows(IOException.class, () -> SafeTensors.read(b, new SafeTensors.Limits(1 << 20, 16, 100)));
        assertTrue(e.getMessage().contains("more than the limit 16"), e.getMessage());
        e = assertThrows(IOException.class, () -> SafeTensors.read(b, new SafeTensors.Limits(1 << 20, 1 << 20, 3)));
        assertTrue(e.getMessage().contains("more than 3 tensors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Limits(1L << 40, 1, 1));
    }

    @Test
    void writerRefusesWhatItCannotWrite() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("__metadata__", Tensors.of(new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> bytes(t, Map.of()));
    }
}
