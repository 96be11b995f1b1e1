package dev.javelin.spark;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures {@link RingAllReduce} on loopback (not a test: run by hand, see spark/README.md):
 * {@code workers} threads in one ring, vectors of 4 bytes (the latency) and 1 to 64 MB; for each
 * size the median of several sums, as time, algorithm bandwidth (bytes / time) and bus bandwidth
 * (what each link carries: 2 (N-1)/N bytes / time, comparable with a NIC's rate).
 *
 * <pre>{@code
 * java -cp spark/target/classes:spark/target/test-classes dev.javelin.spark.AllReduceThroughput 2
 * }</pre>
 */
public final class AllReduceThroughput {
    private AllReduceThroughput() {}

    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] sizesBytes = {4, 1 << 20, 4 << 20, 16 << 20, 64 << 20};
        ServerSocket[] servers = new ServerSocket[workers];
        String[] addresses = new String[workers];
        for (int r = 0; r < workers; r++) {
            servers[r] = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            addresses[r] = "127.0.0.1:" + servers[r].getLocalPort();
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<double[]>> results = new ArrayList<>();
        for (int r = 0; r < workers; r++) {
            int rank = r;
            results.add(pool.submit(() -> {
                try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, servers[rank], 60_000)) {
                    double[] medians = new double[sizesBytes.length];
                    for (int s = 0; s < sizesBytes.length; s++) {
                        float[] v = new float[sizesBytes[s] / 4];
                        Arrays.fill(v, rank + 1);
                        int repeats = sizesBytes[s] <= 4 ? 2000 : Math.max(5, (64 << 20) / sizesBytes[s] * 3);
                        for (int i = 0; i < Math.min(repeats, 20); i++) ring.sum(v); // warm-up: JIT, socket buffers
                        double[] times = new double[repeats];
                        for (int i = 0; i < repeats; i++) {
                            long t0 = System.nanoTime();
                            ring.sum(v);
                            times[i] = (System.nanoTime() - t0) / 1e9;
                        }
                        Arrays.sort(times);
                        medians[s] = times[repeats / 2];
                    }
                    return medians;
                }
            }));
        }
        double[] t = results.get(0).get();
        pool.shutdown();
        for (ServerSocket s : servers) s.close();
        System.out.printf(Locale.ROOT, "ring all-reduce on loopback, %d workers (threads of one JVM), %d cores%n", workers,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%10s %12s %14s %14s%n", "bytes", "median ms", "algo GB/s", "bus GB/s");
        for (int s = 0; s < sizesBytes.length; s++) {
            double algo = sizesBytes[s] / t[s] / 1e9;
            System.out.printf(Locale.ROOT, "%10d %12.3f %14.3f %14.3f%n", sizesBytes[s], t[s] * 1e3, algo,
                    algo * 2.0 * (workers - 1) / workers);
        }
    }
}
