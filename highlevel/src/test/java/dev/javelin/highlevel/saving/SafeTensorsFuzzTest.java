package dev.javelin.highlevel.saving;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random corruption of a valid file (byte changes, mostly in the length and header, and cuts):
 * each read either succeeds or fails with an IOException; never another exception, a hang or an
 * out-of-memory.
 */
class SafeTensorsFuzzTest {
    @Test
    void corruptFilesFailOnlyWithIOException() throws IOException {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensors.of(new float[][] {{1, 2}, {3, 4}}));
        t.put("b", Tensors.of(new long[] {5, 6, 7}));
        t.put("c", Tensors.of(new boolean[] {true}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, t, Map.of("k", "v"));
        byte[] valid = out.toByteArray();
        int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(valid).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Random r = new Random(2026);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = valid.clone();
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(headerEnd);
                b[at] = r.nextBoolean() ? (byte) r.nextInt(256) : (byte) "{}[]\",:0123456789-eE \\".charAt(r.nextInt(22));
            }
            if (r.nextInt(5) == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            for (int how = 0; how < 2; how++) {
                try {
                    if (how == 0) SafeTensors.read(b, SafeTensors.Limits.DEFAULT);
                    else SafeTensors.read(new ByteArrayInputStream(b), SafeTensors.Limits.DEFAULT);
                } catch (IOException expected) {
                    failures++;
                } catch (RuntimeException | Error other) {
                    fail("trial " + trial + ": " + other + " instead of an IOException", other);
                }
            }
        }
        assertTrue(failures > 3000, "most corruptions are detected: " + failures + " of 6000 reads failed");
    }
}
