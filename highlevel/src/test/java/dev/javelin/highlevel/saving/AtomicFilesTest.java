package dev.javelin.highlevel.saving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.highlevel.data.IdxData;
import dev.javelin.highlevel.data.IdxReader;
import dev.javelin.highlevel.data.IdxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails part-way leaves the previous file as it was, and no temporary file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsPartWayKeepsThePreviousFile() throws IOException {
        Path f = dir.resolve("data.bin");
        AtomicFiles.write(f, out -> out.write(new byte[] {1, 2, 3}));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1 << 20]); // past the buffer: bytes reach the temporary file
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("data.bin"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            throw new IllegalStateException("a bug in the writer");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    @Test
    void idxFilesAreWrittenThroughIt() throws IOException {
        Path f = dir.resolve("labels-idx1-ubyte.gz");
        IdxWriter.write(f, IdxData.ofUnsignedBytes(new int[] {3, 1, 4}, 3), true);
        IdxWriter.write(f, IdxData.ofUnsignedBytes(new int[] {2, 7}, 2), true);
        assertEquals(2, IdxReader.read(f).size());
        assertEquals(List.of("labels-idx1-ubyte.gz"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }
}
