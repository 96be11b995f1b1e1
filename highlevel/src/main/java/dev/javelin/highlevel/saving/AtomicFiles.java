package dev.javelin.highlevel.saving;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces a file all at once: the bytes go to a temporary file beside it, which is flushed to the
 * disk and then moved over the target. A save that fails (an exception, a full disk, a crash) leaves
 * the previous file as it was and no temporary file behind.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("model.javelin"), out -> SafeTensors.write(out, weights, metadata));
 * }</pre>
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What writes the file's bytes; the stream is closed by {@link #write}. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} through {@code writer}, creating its folder if needed; the target changes only on success. */
    public static void write(Path file, Writer writer) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 OutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                fos.getFD().sync(); // the bytes are on the disk before the name points at them
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
