package dev.javelin.highlevel.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.RandomTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorBoard callback's files, read back by {@link EventFileReader}, which shares no code with the writer. */
class TensorBoardTest {
    @TempDir
    Path dir;

    @Test
    void readerChecksumIsCrc32c() {
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, EventFileReader.crc32c(b, 0, b.length));
    }

    @Test
    void scalarsLearningRateAndHistogramsAsTensorBoardReadsThem() throws IOException {
        Tensor x = new RandomTensors(1).uniform(Shape.of(40, 4), DType.FLOAT32, -1, 1);
        Tensor y = new RandomTensors(2).labels(Shape.of(40), 3, DType.INT64);
        Seeds.setGlobal(3);
        Model m = new Sequential(new InputLayer(4), new Dense(5, "relu"), new Dense(3, "softmax"));
        m.compile(SGD.builder().learningRate(0.1).build(), dev.javelin.highlevel.losses.Losses.get("sparse_categorical_crossentropy"),
                "accuracy");
        Path logs = dir.resolve("logs");
        History h = m.fit(x, y, FitOptions.builder().batchSize(8).epochs(3).seed(4).verbose(0).validationData(x, y)
                .callbacks(new TensorBoard(logs, 1, 2)).build());

        List<EventFileReader.Event> train = EventFileReader.events(onlyFile(logs.resolve("train")));
        assertEquals("brain.Event:2", train.get(0).fileVersion());
        for (String metric : List.of("loss", "accuracy")) {
            List<EventFileReader.Event> epochs = withTag(train, "epoch_" + metric);
            assertEquals(3, epochs.size(), metric);
            for (int e = 0; e < 3; e++) {
                assertEquals(e, epochs.get(e).step());
                assertEquals((float) (double) h.history().get(metric).get(e), value(epochs.get(e), "epoch_" + metric).simpleValue());
            }
        }
        for (EventFileReader.Event e : withTag(train, "epoch_learning_rate")) {
            assertEquals(0.1f, value(e, "epoch_learning_rate").simpleValue(), 1e-7f);
        }
        // 5 batches per epoch, every 2nd batch logged, at the optimizer's step count
        List<Long> batchSteps = withTag(train, "batch_loss").stream().map(EventFileReader.Event::step).toList();
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L), batchSteps);
        assertTrue(train.get(1).wallTime() > 1.6e9, "wall time in seconds since 1970");

        for (Variable v : m.weights()) {
            List<EventFileReader.Event> hs = withTag(train, v.name() + "/histogram");
            assertEquals(3, hs.size(), v.name());
            EventFileReader.Histogram last = value(hs.get(2), v.name() + "/histogram").histogram();
            double[] w = v.stored().toDoubleArray();
            assertEquals(w.length, last.num());
            assertEquals(w.length, java.util.Arrays.stream(last.buckets()).sum(), 0.0);
            assertEquals(java.util.Arrays.stream(w).min().orElseThrow(), last.min());
            assertEquals(java.util.Arrays.stream(w).max().orElseThrow(), last.max());
            assertEquals(last.bucketLimits().length, last.buckets().length);
        }

        List<EventFileReader.Event> validation = withTag(EventFileReader.events(onlyFile(logs.resolve("validation"))), "epoch_loss");
        assertEquals(3, validation.size());
        for (int e = 0; e < 3; e++) {
            assertEquals((float) (double) h.history().get("val_loss").get(e), value(validation.get(e), "epoch_loss").simpleValue());
        }
    }

    @Test
    void aCorruptedRecordIsDetected() throws IOException {
        Path events;
        try (EventFileWriter w = new EventFileWriter(dir)) {
            w.scalar("a", 1.5, 7);
            events = w.file();
        }
        assertEquals(1.5f, value(EventFileReader.events(events).get(1), "a").simpleValue());
        byte[] b = Files.readAllBytes(events);
        b[b.length - 6] ^= 1;
        Files.write(events, b);
        IOException e = assertThrows(IOException.class, () -> EventFileReader.records(events));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }

    private static Path onlyFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            assertTrue(files.get(0).getFileName().toString().startsWith("events.out.tfevents."), files.toString());
            return files.get(0);
        }
    }

    private static List<EventFileReader.Event> withTag(List<EventFileReader.Event> events, String tag) {
        List<EventFileReader.Event> out = new ArrayList<>();
        for (EventFileReader.Event e : events) if (e.values().stream().anyMatch(v -> v.tag().equals(tag))) out.add(e);
        return out;
    }

    private static EventFileReader.Value value(EventFileReader.Event e, String tag) {
        EventFileReader.Value v = e.values().stream().filter(x -> x.tag().equals(tag)).findFirst().orElse(null);
        assertNotNull(v, tag);
        return v;
    }
}
