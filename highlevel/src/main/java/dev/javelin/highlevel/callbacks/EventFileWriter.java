package dev.javelin.highlevel.callbacks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}): a TFRecord stream
 * of {@code tensorflow.Event} protocol buffers, encoded here by hand (the messages are small and
 * fixed). Each record is the data's length (uint64, little endian), the masked CRC32C of those 8
 * bytes, the data, and the masked CRC32C of the data. The first event names the file version
 * ({@code brain.Event:2}); the others carry a {@code Summary} of scalars or a histogram.
 *
 * <pre>{@code
 * try (EventFileWriter w = new EventFileWriter(Path.of("logs/train"))) {
 *     w.scalar("epoch_loss", 0.42f, 3);
 * }
 * }</pre>
 */
public final class EventFileWriter implements AutoCloseable {
    // Field numbers of the messages written (tensorflow/core/util/event.proto, framework/summary.proto).
    private static final int EVENT_WALL_TIME = 1, EVENT_STEP = 2, EVENT_FILE_VERSION = 3, EVENT_SUMMARY = 5;
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1, VALUE_SIMPLE_VALUE = 2, VALUE_HISTO = 5;
    private static final int HISTO_MIN = 1, HISTO_MAX = 2, HISTO_NUM = 3, HISTO_SUM = 4, HISTO_SUM_SQUARES = 5,
            HISTO_BUCKET_LIMIT = 6, HISTO_BUCKET = 7;
    private static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    private final Path file;
    private final OutputStream out;

    /** Creates {@code dir} if needed and a new event file in it, starting with the file-version event. */
    public EventFileWriter(Path dir) throws IOException {
        Files.createDirectories(dir);
        long seconds = System.currentTimeMillis() / 1000;
        Path candidate = dir.resolve("events.out.tfevents." + seconds + "." + host());
        for (int n = 1; Files.exists(candidate); n++) candidate = dir.resolve("events.out.tfevents." + seconds + "." + host() + "." + n);
        this.file = candidate;
        this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
        Proto event = new Proto().fixed64(EVENT_WALL_TIME, wallTime()).string(EVENT_FILE_VERSION, "brain.Event:2");
        writeRecord(event.bytes());
        flush();
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** One scalar at {@code step} (a {@code simple_value}, which TensorBoard's scalar dashboard shows). */
    public void scalar(String tag, double value, long step) {
        Proto v = new Proto().string(VALUE_TAG, tag).fixed32(VALUE_SIMPLE_VALUE, (float) value);
        writeSummary(v, step);
    }

    /**
     * A histogram of {@code values} at {@code step}, in {@code buckets} equal-width buckets between
     * their minimum and maximum (TensorBoard's histogram and distribution dashboards).
     */
    public void histogram(String tag, double[] values, int buckets, long step) {
        if (buckets < 1) throw new IllegalArgumentException("EventFileWriter.histogram: buckets must be >= 1, got " + buckets);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSquares = 0;
        for (double d : values) {
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
            sumSquares += d * d;
        }
        if (values.length == 0) min = max = 0;
        double[] limits = new double[buckets];
        double[] counts = new double[buckets];
        double width = (max - min) / buckets;
        for (int b = 0; b < buckets; b++) limits[b] = b == buckets - 1 || width == 0 ? max : min + width * (b + 1);
        for (double d : values) {
            int b = width == 0 ? buckets - 1 : (int) Math.min(buckets - 1, Math.floor((d - min) / width));
            counts[b]++;
        }
        Proto h = new Proto().fixed64(HISTO_MIN, min).fixed64(HISTO_MAX, max).fixed64(HISTO_NUM, values.length)
                .fixed64(HISTO_SUM, sum).fixed64(HISTO_SUM_SQUARES, sumSquares)
                .packedDoubles(HISTO_BUCKET_LIMIT, limits).packedDoubles(HISTO_BUCKET, counts);
        writeSummary(new Proto().string(VALUE_TAG, tag).message(VALUE_HISTO, h), step);
    }

    /** Pushes what was written to the file, so TensorBoard sees it while training runs. */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("EventFileWriter: cannot write " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("EventFileWriter: cannot close " + file, e);
        }
    }

    private void writeSummary(Proto value, long step) {
        Proto summary = new Proto().message(SUMMARY_VALUE, value);
        Proto event = new Proto().fixed64(EVENT_WALL_TIME, wallTime()).varint(EVENT_STEP, step).message(EVENT_SUMMARY, summary);
        writeRecord(event.bytes());
    }

    private void writeRecord(byte[] data) {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc(header.array(), 0, 8));
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, 0, data.length));
        try {
            out.write(header.array());
            out.write(data);
            out.write(footer.array());
        } catch (IOException e) {
            throw new UncheckedIOException("EventFileWriter: cannot write " + file, e);
        }
    }

    /** TFRecord's CRC: CRC32C, rotated right by 15 bits, plus a constant (so a CRC of CRCs is not trivially valid). */
    private static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** A protocol buffer message under construction: fields appended in the order given. */
    private static final class Proto {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, VARINT);
            rawVarint(value);
            return this;
        }

        Proto fixed64(int field, double value) {
            tag(field, FIXED64);
            rawLittleEndian(Double.doubleToLongBits(value), 8);
            return this;
        }

        Proto fixed32(int field, float value) {
            tag(field, FIXED32);
            rawLittleEndian(Float.floatToIntBits(value), 4);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return bytes(field, message.bytes());
        }

        Proto packedDoubles(int field, double[] values) {
            Proto packed = new Proto();
            for (double d : values) packed.rawLittleEndian(Double.doubleToLongBits(d), 8);
            return bytes(field, packed.bytes());
        }

        private Proto bytes(int field, byte[] value) {
            tag(field, LENGTH_DELIMITED);
            rawVarint(value.length);
            buf.writeBytes(value);
            return this;
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            buf.write((int) v);
        }

        private void rawLittleEndian(long bits, int bytes) {
            for (int i = 0; i < bytes; i++) buf.write((int) (bits >>> (8 * i)) & 0xFF);
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
