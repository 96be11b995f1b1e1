package dev.javelin.highlevel;

import dev.javelin.highlevel.data.Batch;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads batches on a background thread, a few ahead, while the training step runs on the caller's
 * (tf.data's {@code prefetch}). Batches arrive in the source's order; an exception of the source is
 * rethrown by {@link #next()}. Close it to stop the thread early.
 *
 * <pre>{@code
 * try (Prefetcher p = new Prefetcher(dataset.iterator(), 2)) {
 *     while (p.hasNext()) step(p.next());
 * }
 * }</pre>
 */
final class Prefetcher implements Iterator<Batch>, AutoCloseable {
    private sealed interface Item {}
    private record Next(Batch batch) implements Item {}
    private record Failed(Throwable error) implements Item {}
    private record End() implements Item {}

    private final BlockingQueue<Item> queue;
    private final Thread reader;
    private Item head;

    Prefetcher(Iterator<Batch> source, int ahead) {
        queue = new ArrayBlockingQueue<>(Math.max(1, ahead));
        reader = Thread.ofPlatform().daemon().name("javelin-prefetch").start(() -> {
            try {
                try {
                    while (source.hasNext()) queue.put(new Next(source.next()));
                    queue.put(new End());
                } catch (RuntimeException | Error e) {
                    queue.put(new Failed(e));
                }
            } catch (InterruptedException e) {
                // closed early: stop reading
            }
        });
    }

    /**
     * Whether another batch comes; waits for the reader. An interrupt of the waiting thread ends the
     * iteration and leaves the thread's interrupt flag set, for the training loop to act on.
     */
    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                return false;
            }
        }
        if (head instanceof Failed f) {
            if (f.error() instanceof Error e) throw e;
            throw (RuntimeException) f.error();
        }
        return head instanceof Next;
    }

    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("Prefetcher: no more batches");
        Batch b = ((Next) head).batch();
        head = null;
        return b;
    }

    /** Stops the reader thread. */
    @Override
    public void close() {
        reader.interrupt();
    }
}
