package dev.javelin.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A point to resume training from: the model file ({@code Model.save}: weights, optimizer state,
 * seed states) and where the run stood (the global step, the epoch's running loss and the global
 * metric state). Written by worker 0 to a directory on any Hadoop file system ({@code file:},
 * {@code hdfs:}, {@code s3a:}, ...): {@code step-N.javelin}, then {@code LATEST} naming it, so a
 * half-written checkpoint is never the latest.
 *
 * @param step global steps done (the next step to run)
 * @param model the bytes of {@code Model.save}
 * @param lossSum the epoch's summed loss times rows, so far
 * @param lossRows the epoch's rows so far
 * @param metricState the global values of {@code Model.metricVariables()}, flattened
 */
record Checkpoint(long step, byte[] model, double lossSum, double lossRows, float[] metricState) implements Serializable {
    private static final String LATEST = "LATEST";

    /** Writes this checkpoint under {@code dir} and points LATEST at it; the one before the previous is deleted. */
    void write(String dir) throws IOException {
        Path base = new Path(dir);
        FileSystem fs = base.getFileSystem(new Configuration());
        fs.mkdirs(base);
        Path file = new Path(base, "step-" + step + ".javelin");
        try (OutputStream out = fs.create(file, true)) {
            out.write(toBytes());
        }
        Path tmp = new Path(base, LATEST + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(Long.toString(step).getBytes(StandardCharsets.UTF_8));
        }
        Path latest = new Path(base, LATEST);
        fs.delete(latest, false); // a reader that finds LATEST.tmp without LATEST reads again (readLatest)
        if (!fs.rename(tmp, latest)) throw new IOException("SparkTrainer: could not rename " + tmp + " to " + latest);
        // keep this one and the one before it (a reader may still be opening that)
        java.util.TreeMap<Long, Path> older = new java.util.TreeMap<>();
        for (var status : fs.listStatus(base)) {
            String name = status.getPath().getName();
            if (name.startsWith("step-") && name.endsWith(".javelin")) {
                long s = Long.parseLong(name.substring(5, name.length() - 8));
                if (s < step) older.put(s, status.getPath());
            }
        }
        if (!older.isEmpty()) older.pollLastEntry();
        for (Path p : older.values()) fs.delete(p, false);
    }

    /**
     * The checkpoint LATEST names under {@code dir}, or null when there is none. A worker of the failed
     * attempt may still be writing (Spark stops a failed stage's tasks asynchronously): LATEST is replaced by
     * a delete and a rename, and a checksummed file system renames a file and its checksum file one after
     * the other, so a read in between finds no LATEST or fails its checksum. Such a read is tried again
     * for up to two seconds before it is reported.
     */
    static Checkpoint readLatest(String dir) throws IOException {
        Path base = new Path(dir);
        FileSystem fs = base.getFileSystem(new Configuration());
        for (int tries = 1; ; tries++) {
            try {
                return readLatest(fs, base);
            } catch (IOException | NumberFormatException torn) {
                if (tries == 20) throw torn instanceof IOException io ? io : new IOException("SparkTrainer: unreadable " + LATEST, torn);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("SparkTrainer: interrupted while reading the checkpoint");
                }
            }
        }
    }

    private static Checkpoint readLatest(FileSystem fs, Path base) throws IOException {
        Path latest = new Path(base, LATEST);
        if (!fs.exists(latest)) {
            if (fs.exists(new Path(base, LATEST + ".tmp"))) throw new IOException("SparkTrainer: " + LATEST + " is being replaced");
            return null;
        }
        long step;
        try (InputStream in = fs.open(latest)) {
            step = Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        try (InputStream in = fs.open(new Path(base, "step-" + step + ".javelin"))) {
            return fromBytes(in.readAllBytes(), new Path(base, "step-" + step + ".javelin").toString());
        }
    }

    /** Deletes every checkpoint under {@code dir} (a fresh run must not resume an old one). */
    static void clear(String dir) throws IOException {
        Path base = new Path(dir);
        FileSystem fs = base.getFileSystem(new Configuration());
        if (!fs.exists(base)) return;
        for (var status : fs.listStatus(base)) {
            String name = status.getPath().getName();
            if (name.equals(LATEST) || name.equals(LATEST + ".tmp") || name.startsWith("step-")) fs.delete(status.getPath(), false);
        }
    }

    byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(step);
            out.writeDouble(lossSum);
            out.writeDouble(lossRows);
            out.writeInt(metricState.length);
            for (float f : metricState) out.writeFloat(f);
            out.writeInt(model.length);
            out.write(model);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads {@link #toBytes}'s form. A damaged file is an IOException naming {@code source}: a count
     * larger than the bytes left (it was an 8 GB allocation and an OutOfMemoryError, or a
     * NegativeArraySizeException), a file cut short, or bytes after the end.
     */
    static Checkpoint fromBytes(byte[] b, String source) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            long step = in.readLong();
            double lossSum = in.readDouble(), lossRows = in.readDouble();
            float[] metrics = new float[count(in, 4, source, "metric values")];
            for (int i = 0; i < metrics.length; i++) metrics[i] = in.readFloat();
            byte[] model = new byte[count(in, 1, source, "model bytes")];
            in.readFully(model);
            if (in.available() > 0) throw new IOException(source + ": " + in.available() + " bytes after the checkpoint's end (a damaged file)");
            return new Checkpoint(step, model, lossSum, lossRows, metrics);
        } catch (EOFException e) {
            throw new IOException(source + ": the checkpoint is cut short (" + b.length + " bytes; a damaged file)", e);
        }
    }

    /** The next int as a count of {@code bytesEach}-byte values, which must fit in what is left of the file. */
    private static int count(DataInputStream in, int bytesEach, String source, String what) throws IOException {
        int n = in.readInt(), left = in.available();
        if (n < 0 || (long) n * bytesEach > left) {
            throw new IOException(source + ": the checkpoint declares " + n + " " + what + " with " + left + " bytes left (a damaged file)");
        }
        return n;
    }
}
