package dev.javelin.highlevel.callbacks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of TensorBoard event files written from the format's definition, independently of
 * {@link EventFileWriter}: TFRecord framing checked with its own table-driven CRC32C (Castagnoli)
 * and mask, and the protocol buffer wire format decoded field by field into the messages
 * TensorBoard reads ({@code Event}, {@code Summary.Value}, {@code HistogramProto}).
 */
final class EventFileReader {
    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            CRC_TABLE[n] = c;
        }
    }

    private EventFileReader() {}

    /** CRC32C of {@code b[from, to)}. */
    static int crc32c(byte[] b, int from, int to) {
        int c = 0xFFFFFFFF;
        for (int i = from; i < to; i++) c = CRC_TABLE[(c ^ b[i]) & 0xFF] ^ (c >>> 8);
        return ~c;
    }

    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** One decoded event: its step and wall time, the file version, and its summary values. */
    record Event(double wallTime, long step, String fileVersion, List<Value> values) {}

    /** A summary value: a scalar ({@code simple_value}) or a histogram. */
    record Value(String tag, Float simpleValue, Histogram histogram) {}

    record Histogram(double min, double max, double num, double sum, double sumSquares, double[] bucketLimits, double[] buckets) {}

    /** Every record of {@code file}, each checked against its two masked CRCs. */
    static List<byte[]> records(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < 12) throw new IOException("truncated record header at " + start);
            long length = in.getLong();
            int lengthCrc = in.getInt();
            if (lengthCrc != masked(crc32c(all, start, start + 8))) throw new IOException("bad length CRC at " + start);
            if (length > in.remaining() - 4) throw new IOException("record of " + length + " bytes overruns the file at " + start);
            byte[] data = new byte[(int) length];
            in.get(data);
            int dataCrc = in.getInt();
            if (dataCrc != masked(crc32c(data, 0, data.length))) throw new IOException("bad data CRC at " + start);
            out.add(data);
        }
        return out;
    }

    /** Every event of {@code file}. */
    static List<Event> events(Path file) throws IOException {
        List<Event> out = new ArrayList<>();
        for (byte[] r : records(file)) out.add(event(r));
        return out;
    }

    static Event event(byte[] bytes) {
        Map<Integer, List<Object>> f = fields(bytes);
        double wall = Double.longBitsToDouble((Long) first(f, 1, 0L));
        long step = (Long) first(f, 2, 0L);
        Object version = first(f, 3, null);
        List<Value> values = new ArrayList<>();
        Object summary = first(f, 5, null);
        if (summary != null) {
            for (Object v : fields((byte[]) summary).getOrDefault(1, List.of())) values.add(value((byte[]) v));
        }
        return new Event(wall, step, version == null ? null : new String((byte[]) version, StandardCharsets.UTF_8), values);
    }

    private static Value value(byte[] bytes) {
        Map<Integer, List<Object>> f = fields(bytes);
        String tag = new String((byte[]) first(f, 1, new byte[0]), StandardCharsets.UTF_8);
        Object simple = first(f, 2, null);
        Object histo = first(f, 5, null);
        return new Value(tag, simple == null ? null : Float.intBitsToFloat((Integer) simple), histo == null ? null : histogram((byte[]) histo));
    }

    private static Histogram histogram(byte[] bytes) {
        Map<Integer, List<Object>> f = fields(bytes);
        return new Histogram(dbl(f, 1), dbl(f, 2), dbl(f, 3), dbl(f, 4), dbl(f, 5), packed(f, 6), packed(f, 7));
    }

    private static double dbl(Map<Integer, List<Object>> f, int field) {
        return Double.longBitsToDouble((Long) first(f, field, 0L));
    }

    private static double[] packed(Map<Integer, List<Object>> f, int field) {
        byte[] b = (byte[]) first(f, field, new byte[0]);
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[b.length / 8];
        for (int i = 0; i < out.length; i++) out[i] = in.getDouble();
        return out;
    }

    private static Object first(Map<Integer, List<Object>> f, int field, Object orElse) {
        List<Object> l = f.get(field);
        return l == null || l.isEmpty() ? orElse : l.get(0);
    }

    /**
     * The wire format: each field is a varint key (number << 3 | wire type) then a varint (type 0,
     * as Long), 8 little-endian bytes (type 1, as Long bits), a varint length and bytes (type 2, as
     * byte[]), or 4 little-endian bytes (type 5, as Integer bits).
     */
    static Map<Integer, List<Object>> fields(byte[] b) {
        Map<Integer, List<Object>> out = new LinkedHashMap<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long key = varint(b, pos);
            int field = (int) (key >>> 3);
            Object v = switch ((int) (key & 7)) {
                case 0 -> varint(b, pos);
                case 1 -> {
                    long bits = ByteBuffer.wrap(b, pos[0], 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    pos[0] += 8;
                    yield bits;
                }
                case 2 -> {
                    int len = (int) varint(b, pos);
                    byte[] sub = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
                    pos[0] += len;
                    yield sub;
                }
                case 5 -> {
                    int bits = ByteBuffer.wrap(b, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    pos[0] += 4;
                    yield bits;
                }
                default -> throw new IllegalArgumentException("wire type " + (key & 7) + " at byte " + pos[0]);
            };
            out.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }
}
