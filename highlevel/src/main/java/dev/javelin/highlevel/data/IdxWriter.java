package dev.javelin.highlevel.data;

import dev.javelin.highlevel.saving.AtomicFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the IDX format read by {@link IdxReader}: magic {@code 0x00 0x00 TYPE NDIMS}, big-endian
 * dimension sizes, then the body.
 *
 * <pre>{@code
 * IdxWriter.write(Path.of("labels-idx1-ubyte.gz"), IdxData.ofUnsignedBytes(new int[] {3, 1, 4}, 3), true);
 * }</pre>
 */
public final class IdxWriter {
    private IdxWriter() {}

    /** Writes {@code data} to {@code out} (not closed), uncompressed. */
    public static void write(OutputStream out, IdxData data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        int[] dims = data.dims();
        d.writeByte(0);
        d.writeByte(0);
        d.writeByte(data.type().code());
        d.writeByte(dims.length);
        for (int n : dims) d.writeInt(n);
        d.write(data.body());
        d.flush();
    }

    /** Writes {@code data} to a file, gzip-compressed when {@code gzip}; a failed write leaves the previous file intact. */
    public static void write(Path file, IdxData data, boolean gzip) throws IOException {
        AtomicFiles.write(file, raw -> {
            if (!gzip) {
                write(raw, data);
                return;
            }
            GZIPOutputStream out = new GZIPOutputStream(raw);
            write(out, data);
            out.finish(); // the trailer; AtomicFiles closes the file
        });
    }
}
