package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.javelin.highlevel.callbacks.CSVLogger;
import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.highlevel.losses.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How fit stops: on an interrupt after the current batch, on setStopTraining after the epoch; callbacks always closed. */
class FitInterruptTest {
    @TempDir
    Path dir;

    private static final Toy DATA = Toy.of(40, 7); // batch 8: 5 steps per epoch

    private static Model model() {
        Model m = new Sequential(Input.of(4), new Dense(3, "softmax"));
        m.compile(new SGD(0.1), Losses.get("sparse_categorical_crossentropy"), "accuracy");
        return m;
    }

    private static FitOptions options(int epochs, Callback... callbacks) {
        return FitOptions.builder().batchSize(8).epochs(epochs).verbose(0).shuffle(false).callbacks(callbacks).build();
    }

    /** Counts training batches and runs {@code action} at (epoch, batch). */
    private static final class At extends Callback {
        final AtomicInteger batches = new AtomicInteger();
        final int epoch, batch;
        final Runnable action;
        int currentEpoch;

        At(int epoch, int batch, Runnable action) {
            this.epoch = epoch;
            this.batch = batch;
            this.action = action;
        }

        @Override
        public void onEpochBegin(int e, Map<String, Double> logs) {
            currentEpoch = e;
        }

        @Override
        public void onTrainBatchEnd(int b, Map<String, Double> logs) {
            batches.incrementAndGet();
            if (currentEpoch == epoch && b == batch) action.run();
        }
    }

    @Test
    void interruptStopsAfterTheCurrentBatchAndKeepsOnlyWholeEpochs() {
        At at = new At(1, 2, () -> Thread.currentThread().interrupt());
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                () -> model().fit(DATA.x(), DATA.y(), options(10, at)));
        try {
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set for the caller");
        } finally {
            Thread.interrupted();
        }
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertEquals(5 + 3, at.batches.get(), "stops right after the batch during which the interrupt came");
        assertEquals(1, e.epoch());
        assertEquals(3, e.batchesDone());
        assertEquals(List.of(0), e.history().epoch(), "the partial epoch 1 is not recorded as a whole one");
        assertEquals(1, e.history().history().get("loss").size());
    }

    @Test
    void interruptOnTheLastBatchRecordsThatEpoch() {
        At at = new At(0, 4, () -> Thread.currentThread().interrupt());
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                () -> model().fit(DATA.x(), DATA.y(), options(10, at)));
        Thread.interrupted();
        assertEquals(5, at.batches.get());
        assertEquals(List.of(0), e.history().epoch());
    }

    @Test
    void futureCancelStopsFit() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicInteger afterCancel = new AtomicInteger();
        Callback watch = new Callback() {
            @Override
            public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
                running.countDown();
                if (cancelled.getCount() == 0) afterCancel.incrementAndGet();
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch finished = new CountDownLatch(1);
            Throwable[] thrown = new Throwable[1];
            Future<History> run = pool.submit(() -> {
                try {
                    return model().fit(DATA.x(), DATA.y(), options(100_000, watch));
                } catch (Throwable t) {
                    thrown[0] = t;
                    throw t;
                } finally {
                    finished.countDown();
                }
            });
            assertTrue(running.await(30, TimeUnit.SECONDS));
            assertTrue(run.cancel(true));
            cancelled.countDown();
            assertTrue(finished.await(30, TimeUnit.SECONDS), "fit kept running after Future.cancel(true)");
            assertInstanceOf(TrainingInterruptedException.class, thrown[0]);
            assertTrue(afterCancel.get() <= 1, "batches started after the cancel: " + afterCancel.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void setStopTrainingStopsAfterTheCurrentEpoch() {
        Model m = model();
        At at = new At(0, 1, () -> m.setStopTraining(true));
        History h = m.fit(DATA.x(), DATA.y(), options(10, at));
        assertEquals(5, at.batches.get(), "the epoch runs to its end, as setStopTraining's Javadoc says");
        assertEquals(List.of(0), h.epoch());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void csvLoggerIsClosedWhenFitThrows() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to see open files");
        Path csv = dir.resolve("log.csv");
        Callback failing = new Callback() {
            @Override
            public void onEpochBegin(int epoch, Map<String, Double> logs) {
                if (epoch == 1) throw new IllegalStateException("boom");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model().fit(DATA.x(), DATA.y(), options(3, new CSVLogger(csv), failing)));
        assertEquals("boom", e.getMessage());
        assertEquals(2, Files.readAllLines(csv).size(), "header and epoch 0");
        assertFalse(openFiles().contains(csv.toRealPath()), "CSVLogger's file is still open after fit threw");
    }

    private static List<Path> openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.flatMap(fd -> {
                try {
                    return Stream.of(Files.readSymbolicLink(fd));
                } catch (IOException | UnsupportedOperationException ex) {
                    return Stream.empty();
                }
            }).toList();
        }
    }
}
