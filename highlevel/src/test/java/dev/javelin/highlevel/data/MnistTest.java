package dev.javelin.highlevel.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir Path dir;

    @Test
    void loadsTheVendoredSubset() {
        Mnist m = Mnist.load();
        assertEquals(Shape.of(8000, 28, 28, 1), m.train().x().shape());
        assertEquals(Shape.of(2000, 28, 28, 1), m.test().x().shape());
        assertEquals(DType.FLOAT32, m.train().x().dtype());
        assertEquals(DType.INT64, m.test().y().dtype());
        assertEquals(8000, m.train().size());
        float[] px = m.train().x().toFloatArray();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        double sum = 0;
        for (float v : px) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        double mean = sum / px.length;
        assertTrue(mean > 0.08 && mean < 0.18, "mean pixel of MNIST is about 0.13, got " + mean);
        int[] counts = new int[10];
        for (long l : m.test().y().toLongArray()) counts[(int) l]++;
        for (int c = 0; c < 10; c++) assertTrue(counts[c] > 120 && counts[c] < 300, "class " + c + ": " + counts[c]);
    }

    @Test
    void loadsFilesAndChecksTheyAgree() throws IOException {
        Path images = dir.resolve("img.gz");
        Path labels = dir.resolve("lab.gz");
        int[] px = new int[3 * 2 * 2];
        for (int i = 0; i < px.length; i++) px[i] = i * 20;
        IdxWriter.write(images, IdxData.ofUnsignedBytes(px, 3, 2, 2), true);
        IdxWriter.write(labels, IdxData.ofUnsignedBytes(new int[] {4, 0, 9}, 3), true);
        Mnist m = Mnist.load(images, labels, 2);
        assertEquals(Shape.of(2, 2, 2, 1), m.train().x().shape());
        assertEquals(9L, m.test().y().toLongArray()[0]);
        assertEquals(220 / 255f, m.test().x().toFloatArray()[3]);

        IdxWriter.write(labels, IdxData.ofUnsignedBytes(new int[] {4, 0}, 2), true);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(images, labels, 2));
        assertTrue(e.getMessage().contains("to match the images"), e.getMessage());
        IdxWriter.write(labels, IdxData.ofUnsignedBytes(new int[] {4, 0, 12}, 3), true);
        e = assertThrows(IOException.class, () -> Mnist.load(images, labels, 2));
        assertTrue(e.getMessage().contains("not a digit"), e.getMessage());
        Files.delete(labels);
        assertThrows(IOException.class, () -> Mnist.load(images, labels, 2));
    }
}
