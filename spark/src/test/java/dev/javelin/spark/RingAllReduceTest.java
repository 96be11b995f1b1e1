package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The ring all-reduce alone, workers as threads over loopback sockets: exact sums in the documented order. */
class RingAllReduceTest {
    /** Runs {@code work} on {@code n} workers joined in a ring; returns each worker's vector afterwards. */
    static float[][] onRing(float[][] vectors, int chunkFloats, int repeats) throws Exception {
        int n = vectors.length;
        ServerSocket[] servers = new ServerSocket[n];
        String[] addresses = new String[n];
        for (int r = 0; r < n; r++) {
            servers[r] = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            addresses[r] = "127.0.0.1:" + servers[r].getLocalPort();
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                results.add(pool.submit(() -> {
                    try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, servers[rank], 20_000, chunkFloats)) {
                        float[] v = null;
                        for (int k = 0; k < repeats; k++) { // the same ring sums several vectors in a row
                            v = vectors[rank].clone();
                            ring.sum(v);
                        }
                        return v;
                    }
                }));
            }
            float[][] out = new float[n][];
            for (int r = 0; r < n; r++) out[r] = results.get(r).get();
            return out;
        } finally {
            pool.shutdownNow();
            for (ServerSocket s : servers) s.close();
        }
    }

    private static float[][] random(int workers, int length, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] v = new float[workers][length];
        for (float[] w : v) for (int i = 0; i < length; i++) w[i] = (float) (rnd.nextDouble(-1, 1) * Math.pow(10, rnd.nextInt(-3, 4)));
        return v;
    }

    @Test
    void oddLengthsIncludingShorterThanTheRingSumExactlyInRingOrder() throws Exception {
        int[] lengths = {0, 1, 2, 3, 5, 7, 31, 1001, 4099};
        for (int workers : new int[] {1, 2, 3, 4}) {
            for (int length : lengths) {
                float[][] v = random(workers, length, 31L * workers + length);
                float[] expected = RingAllReduce.referenceSum(v);
                float[][] got = onRing(v, 16, 2); // 16-float chunks: many chunks per segment, so the pipeline is exercised
                for (int r = 0; r < workers; r++) {
                    assertArrayEquals(expected, got[r], 0f, workers + " workers, length " + length + ", worker " + r);
                }
            }
        }
    }

    @Test
    void eachSegmentIsSummedFromItsOwnerOnward() throws Exception {
        // 3 workers, 3 elements: element j is segment j, summed from worker j on; worker 2 owns element 2, whose
        // sum from worker 2 is (1 + 1e8) - 1e8 = 0 in float, while the sum from worker 0 would be (1e8 - 1e8) + 1 = 1
        float[][] v = {{0f, 0f, 1e8f}, {0f, 0f, -1e8f}, {0f, 0f, 1f}};
        float[] expected = {0f, 0f, (1f + 1e8f) + -1e8f};
        assertArrayEquals(expected, RingAllReduce.referenceSum(v), 0f);
        for (float[] w : onRing(v, 1, 1)) assertArrayEquals(expected, w, 0f);
    }

    @Test
    void aPeerThatLeavesFailsTheOthersInsteadOfHangingThem() throws Exception {
        ServerSocket s0 = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        ServerSocket s1 = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        String[] addresses = {"127.0.0.1:" + s0.getLocalPort(), "127.0.0.1:" + s1.getLocalPort()};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RingAllReduce> peer = pool.submit(() -> RingAllReduce.connect(1, addresses, s1, 20_000));
            try (RingAllReduce ring = RingAllReduce.connect(0, addresses, s0, 20_000)) {
                peer.get().close(); // worker 1 fails before its first sum
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ring.sum(new float[100]));
                assertTrue(e.getMessage().startsWith("RingAllReduce: worker 0 of 2: "), e.getMessage());
            }
        } finally {
            pool.shutdownNow();
            s0.close();
            s1.close();
        }
    }

    @Test
    void rejectsABadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RingAllReduce.connect(0, new String[] {"127.0.0.1:" + s.getLocalPort(), "nohost"}, s, 1000));
            assertTrue(e.getMessage().contains("expected host:port, got 'nohost'"), e.getMessage());
        }
    }
}
