package dev.javelin.perf.onnx;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.onnx.OnnxModel;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Javelin's latency on the ONNX benchmark's models (perf/onnx-bench.sh), in the same shape as
 * ONNX Runtime's {@code OrtTiming}: the first inference ({@code OnnxModel.load} + compile + run, in a
 * fresh JVM: the first case is the cold one), then the median of {@code reps} calls after
 * {@link #WARM_NANOS} of warm-up (3 calls at least), the same rule on every side of the benchmark.
 * Also printed: the median of the {@code reps} calls right after the first 3 warm-ups, which is
 * what the benchmark measured before: in a fresh JVM those calls overlap C2's compilation of the
 * kernels (about a second on 2 cores), so for the first case they measure the warm-up, not the
 * steady latency (perf/NOTES.md, "ResNet-18 at batch 1: the timed calls were the JVM's warm-up").
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.onnx.OnnxTiming /tmp/onnx-models 2 [case...]</pre>
 */
public final class OnnxTiming {
    /** The process's CPU time (all threads): on a shared host it moves less than wall time when others run. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Warm-up time before the timed calls (3 s), the same as {@code OrtTiming}'s and the PyTorch side's. */
    static final long WARM_NANOS = 3_000_000_000L;

    private OnnxTiming() {}

    record Case(String name, String file, int[] shape, int reps) {}

    static final Case[] CASES = {
        new Case("resnet18_b1", "resnet18.onnx", new int[] {1, 3, 224, 224}, 30),
        new Case("resnet18_b8", "resnet18.onnx", new int[] {8, 3, 224, 224}, 10),
        new Case("encoder_b8", "encoder.onnx", new int[] {8, 128, 256}, 10),
        new Case("lstm_b8", "lstm.onnx", new int[] {8, 64, 128}, 20),
    };

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        CpuThreads.setThreads(threads);
        System.out.printf(Locale.ROOT, "# javelin OnnxModel.load + call, %d threads, median after 3 s of warm-up (3 calls at least)%n", threads);
        for (Case c : CASES) {
            if (args.length > 2 && Arrays.stream(args, 2, args.length).noneMatch(c.name::equals)) continue;
            Tensor x = Tensors.normal(Shape.of(c.shape), 1);
            long t0 = System.nanoTime();
            OnnxModel model = OnnxModel.load(dir.resolve(c.file));
            double load = (System.nanoTime() - t0) / 1e6;
            model.call(x);
            double first = (System.nanoTime() - t0) / 1e6;
            long warm0 = System.nanoTime();
            for (int i = 0; i < 3; i++) model.call(x);
            int reps = Integer.getInteger("reps", c.reps);
            double early = timed(model, x, reps)[0];
            while (System.nanoTime() - warm0 < WARM_NANOS) model.call(x);
            double[] steady = timed(model, x, reps);
            System.out.printf(Locale.ROOT, "javelin %-12s %9.2f ms  (median of %d; the %d after 3 warm-ups %.2f ms; first inference %.0f ms, of which load %.0f ms; process CPU %.1f ms per call)%n",
                    c.name, steady[0], reps, reps, early, first, load, steady[1]);
        }
    }

    /** {median wall ms, median process CPU ms} of {@code reps} calls. */
    private static double[] timed(OnnxModel model, Tensor x, int reps) {
        double[] ms = new double[reps], cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime(), u = OS.getProcessCpuTime();
            model.call(x);
            ms[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (OS.getProcessCpuTime() - u) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        return new double[] {ms[reps / 2], cpu[reps / 2]};
    }
}
