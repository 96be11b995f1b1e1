package dev.javelin.spark;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Sums a float vector over {@code size} workers in a ring (the bandwidth-optimal all-reduce of
 * Baidu's ring and Horovod): each worker sends only to the next and receives only from the
 * previous, over one TCP connection each way. The vector is cut into {@code size} segments;
 * {@code size - 1} reduce-scatter steps leave worker {@code r} with the whole sum of segment
 * {@code r + 1}, then {@code size - 1} all-gather steps hand every finished segment round. Each
 * worker sends {@code 2 (size - 1) / size} of the vector, whatever {@code size} is.
 *
 * <p>Pipelined: segments travel in chunks, and a sender thread forwards a chunk as soon as it has
 * been added, while the calling thread reads the next one.
 *
 * <p>Reproducible: segment {@code j} is summed in one fixed order, starting with worker {@code j}'s
 * values and adding workers {@code j+1, j+2, ...} (mod size) one at a time, so every run with the
 * same inputs gives the same bits, on every worker; {@link #referenceSum} computes the same order
 * sequentially.
 *
 * <pre>{@code
 * try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, server, 60_000)) {
 *     ring.sum(gradients);   // in place; afterwards every worker holds the same sums
 * }
 * }</pre>
 */
public final class RingAllReduce implements Closeable {
    /** Floats per chunk: 256 KB, large enough to keep the socket busy, small enough to overlap. */
    static final int DEFAULT_CHUNK_FLOATS = 1 << 16;
    private static final long[] STOP = new long[0];

    private final int rank;
    private final int size;
    private final int chunkFloats;
    private final Socket toNext;
    private final Socket fromPrevious;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] receiveBytes;
    private final FloatBuffer receiveFloats;
    private final float[] received;
    private final BlockingQueue<long[]> sendQueue = new ArrayBlockingQueue<>(1024);
    private final Thread sender;
    private volatile float[] sending;
    private volatile Throwable sendFailure;

    private RingAllReduce(int rank, int size, Socket toNext, Socket fromPrevious, int chunkFloats) throws IOException {
        this.rank = rank;
        this.size = size;
        this.chunkFloats = chunkFloats;
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        if (size > 1) {
            in = new DataInputStream(fromPrevious.getInputStream());
            out = new BufferedOutputStream(toNext.getOutputStream(), 1 << 16);
            receiveBytes = new byte[chunkFloats * Float.BYTES];
            receiveFloats = ByteBuffer.wrap(receiveBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            received = new float[chunkFloats];
            sender = Thread.ofPlatform().daemon().name("javelin-ring-send-" + rank).start(this::sendLoop);
        } else {
            in = null;
            out = null;
            receiveBytes = null;
            receiveFloats = null;
            received = null;
            sender = null;
        }
    }

    /**
     * Joins the ring: worker {@code rank} of {@code addresses.length} connects to the next worker's
     * address ({@code host:port}) and accepts the previous one's connection on {@code server}, which
     * must be listening at {@code addresses[rank]}. Every worker calls it with the same addresses.
     *
     * @param timeoutMillis how long a connection or a read may wait before the ring fails (a dead peer)
     */
    public static RingAllReduce connect(int rank, String[] addresses, ServerSocket server, int timeoutMillis) throws IOException {
        return connect(rank, addresses, server, timeoutMillis, DEFAULT_CHUNK_FLOATS);
    }

    static RingAllReduce connect(int rank, String[] addresses, ServerSocket server, int timeoutMillis, int chunkFloats)
            throws IOException {
        int n = addresses.length;
        if (rank < 0 || rank >= n) throw new IllegalArgumentException("RingAllReduce: rank " + rank + " of " + n + " workers");
        if (n == 1) return new RingAllReduce(0, 1, null, null, chunkFloats);
        Socket next = new Socket();
        Socket previous = null;
        try {
            next.setTcpNoDelay(true);
            next.connect(parse(addresses[(rank + 1) % n]), timeoutMillis); // completes against the listen backlog
            new DataOutputStream(next.getOutputStream()).writeInt(rank);
            server.setSoTimeout(timeoutMillis);
            previous = server.accept();
            previous.setSoTimeout(timeoutMillis);
            previous.setTcpNoDelay(true);
            int from = new DataInputStream(previous.getInputStream()).readInt();
            int expected = (rank - 1 + n) % n;
            if (from != expected) {
                throw new IOException("RingAllReduce: worker " + rank + " expected worker " + expected + " to connect, got " + from);
            }
            return new RingAllReduce(rank, n, next, previous, chunkFloats);
        } catch (IOException | RuntimeException e) {
            next.close();
            if (previous != null) previous.close();
            throw e;
        }
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("RingAllReduce: expected host:port, got '" + hostPort + "'");
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** This worker's place in the ring. */
    public int rank() {
        return rank;
    }

    /** The number of workers. */
    public int size() {
        return size;
    }

    /**
     * Replaces {@code data} with the element-wise sum of every worker's {@code data} (each worker
     * passes a vector of the same length). Blocks until this worker holds the whole sum.
     *
     * @throws UncheckedIOException when a peer is gone or too slow (the ring's timeout)
     */
    public void sum(float[] data) {
        if (size == 1) return;
        sending = data;
        try {
            int n = size;
            // reduce-scatter: step t sends segment (rank - t) and receives segment (rank - t - 1), adding this worker's
            // values; each segment received is forwarded at the next step (after the last step: the all-gather's first)
            enqueueSegment(data.length, mod(rank));
            for (int t = 0; t < n - 1; t++) receiveSegment(data, mod(rank - t - 1), true, true);
            // all-gather: step t receives the finished segment (rank - t) and, but at the last step, forwards it
            for (int t = 0; t < n - 1; t++) receiveSegment(data, mod(rank - t), false, t < n - 2);
            awaitSent();
        } catch (IOException e) {
            throw new UncheckedIOException("RingAllReduce: worker " + rank + " of " + size + ": " + e.getMessage(), e);
        }
    }

    /** Reads one segment chunk by chunk, adds it to (or stores it in) {@code data}, and queues each chunk for forwarding. */
    private void receiveSegment(float[] data, int segment, boolean add, boolean forward) throws IOException {
        int from = start(data.length, segment), to = start(data.length, segment + 1);
        for (int off = from; off < to; off += chunkFloats) {
            int len = Math.min(chunkFloats, to - off);
            checkSender();
            in.readFully(receiveBytes, 0, len * Float.BYTES);
            if (add) {
                receiveFloats.get(0, received, 0, len);
                // the sum so far (from the previous worker) plus this worker's values: received + own
                for (int i = 0; i < len; i++) data[off + i] = received[i] + data[off + i];
            } else {
                receiveFloats.get(0, data, off, len);
            }
            if (forward) enqueue(off, len);
        }
    }

    private void enqueueSegment(int length, int segment) {
        int from = start(length, segment), to = start(length, segment + 1);
        for (int off = from; off < to; off += chunkFloats) enqueue(off, Math.min(chunkFloats, to - off));
    }

    private void enqueue(int offset, int length) {
        try {
            sendQueue.put(new long[] {offset, length});
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("RingAllReduce: interrupted", e));
        }
    }

    /** Waits until every queued chunk is on the wire, so the caller may change {@code data} again. */
    private void awaitSent() throws IOException {
        enqueue(-1, 0); // the marker: the sender flushes and sets `flushed`
        synchronized (this) {
            while (!flushed) {
                checkSender();
                if (!sender.isAlive()) throw new IOException("the sender thread stopped");
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            flushed = false;
        }
    }

    /** Set by the sender when it has flushed up to the marker; guarded by this. */
    private boolean flushed;

    private void sendLoop() {
        byte[] bytes = new byte[chunkFloats * Float.BYTES];
        FloatBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        try {
            while (true) {
                long[] range = sendQueue.poll();
                if (range == null) { // nothing more to send right now: what is buffered goes out before waiting
                    out.flush();
                    range = sendQueue.take();
                }
                if (range == STOP) return;
                if (range[0] < 0) { // the end of one sum: flush and tell the caller
                    out.flush();
                    synchronized (this) {
                        flushed = true;
                        notifyAll();
                    }
                    continue;
                }
                int off = (int) range[0], len = (int) range[1];
                view.put(0, sending, off, len);
                out.write(bytes, 0, len * Float.BYTES);
            }
        } catch (IOException | RuntimeException e) {
            sendFailure = e;
            synchronized (this) {
                notifyAll();
            }
        } catch (InterruptedException e) {
            sendFailure = e;
        }
    }

    private void checkSender() throws IOException {
        Throwable f = sendFailure;
        if (f != null) throw new IOException("sending to worker " + mod(rank + 1) + " failed: " + f.getMessage(), f);
    }

    private int mod(int i) {
        return Math.floorMod(i, size);
    }

    /** Where segment {@code s} of {@code length} floats starts: segments differ in length by at most one. */
    private int start(int length, int s) {
        return (int) ((long) length * s / size);
    }

    /**
     * The sum that {@link #sum} computes, worked out in one process: segment {@code j} (of
     * {@code vectors.length} segments) starts with {@code vectors[j]} and adds the following
     * workers' values in ring order. For tests and for anyone checking the order.
     */
    public static float[] referenceSum(float[][] vectors) {
        int n = vectors.length, length = vectors[0].length;
        float[] out = new float[length];
        for (int j = 0; j < n; j++) {
            int from = (int) ((long) length * j / n), to = (int) ((long) length * (j + 1) / n);
            for (int i = from; i < to; i++) {
                float acc = vectors[j][i];
                for (int k = 1; k < n; k++) acc = acc + vectors[(j + k) % n][i];
                out[i] = acc;
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (sender != null) {
            sendQueue.offer(STOP);
            sender.interrupt();
        }
        IOException first = null;
        for (Socket s : new Socket[] {toNext, fromPrevious}) {
            if (s == null) continue;
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
