package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint file is read back as written, and a damaged one is an IOException that names it, never
 * an allocation its counts ask for: a metric count of 2^31 - 1 was an 8 GB float array (OutOfMemoryError
 * in the driver), a negative one a NegativeArraySizeException that the reader's retry did not catch.
 * Found by the oracle7 file-reader fuzzing (every bit flip and cut of a small checkpoint).
 */
class CheckpointBytesTest {
    private static final Checkpoint CHECKPOINT = new Checkpoint(42, new byte[] {1, 2, 3, 4, 5}, 1.5, 16, new float[] {0.25f, -1f, 3f});

    @Test
    void aCheckpointReadsBackAsWritten() throws IOException {
        Checkpoint back = Checkpoint.fromBytes(CHECKPOINT.toBytes(), "step-42.javelin");
        assertEquals(42, back.step());
        assertEquals(1.5, back.lossSum());
        assertEquals(16, back.lossRows());
        assertArrayEquals(CHECKPOINT.model(), back.model());
        assertArrayEquals(CHECKPOINT.metricState(), back.metricState());
    }

    @Test
    void countsPastTheEndOfTheFileAreRefusedByName() throws IOException {
        byte[] b = CHECKPOINT.toBytes();
        int metricCount = 24, modelCount = 24 + 4 + 3 * 4;
        for (int bad : new int[] {Integer.MAX_VALUE, -1, 7}) {
            byte[] damaged = b.clone();
            ByteBuffer.wrap(damaged).putInt(metricCount, bad);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.fromBytes(damaged, "step-42.javelin"));
            assertTrue(e.getMessage().startsWith("step-42.javelin: the checkpoint declares " + bad + " metric values"), e.getMessage());
        }
        byte[] model = b.clone();
        ByteBuffer.wrap(model).putInt(modelCount, Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.fromBytes(model, "c"));
        assertTrue(e.getMessage().contains("model bytes"), e.getMessage());
    }

    @Test
    void everyCutAndEveryFlipIsReadOrAnIOException() throws IOException {
        byte[] b = CHECKPOINT.toBytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.fromBytes(cut, "c"), "cut at " + n);
            assertTrue(e.getMessage().startsWith("c: "), e.getMessage());
        }
        IOException longer = assertThrows(IOException.class, () -> Checkpoint.fromBytes(Arrays.copyOf(b, b.length + 3), "c"));
        assertEquals("c: 3 bytes after the checkpoint's end (a damaged file)", longer.getMessage());
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] flipped = b.clone();
            flipped[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            try {
                Checkpoint.fromBytes(flipped, "c");
            } catch (IOException expected) {
                assertTrue(expected.getMessage().startsWith("c: "), expected.getMessage());
            }
        }
    }
}
