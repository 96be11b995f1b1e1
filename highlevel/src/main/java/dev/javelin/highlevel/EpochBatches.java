package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import java.util.Iterator;

/**
 * One epoch of a {@link BatchSource} for the training loops: read on a background thread
 * ({@link Prefetcher}) when the source's batches come from user code. Close it to stop that thread.
 *
 * <pre>{@code
 * try (EpochBatches batches = new EpochBatches(source, epoch)) {
 *     while (batches.hasNext()) step(batches.next());
 * }
 * }</pre>
 */
final class EpochBatches implements Iterator<Batch>, AutoCloseable {
    private final Iterator<Batch> it;

    EpochBatches(BatchSource source, int epoch) {
        Iterator<Batch> plain = source.epoch(epoch);
        this.it = source.prefetch() ? new Prefetcher(plain, 2) : plain;
    }

    @Override
    public boolean hasNext() {
        return it.hasNext();
    }

    @Override
    public Batch next() {
        return it.next();
    }

    @Override
    public void close() {
        if (it instanceof Prefetcher p) p.close();
    }
}
