package dev.javelin.perf.seq;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The fused attention at the char-GPT train step's shape (batch 32, 4 heads, T = 128, head size 32,
 * causal; q, k, v and the output's gradient head-split views of [B,T,H*D], as the model's projections
 * give them): forward alone, forward + backward and the backward alone, eager, min and median wall time and the calling
 * thread's CPU time of timed calls after warm-up, and a hash of the result bits (the same for a change
 * that keeps every float). {@code perf/attention_step_torch.py} times PyTorch's math path on the same shapes.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.seq.AttentionStepTiming 2 40   # threads, reps
 * </pre>
 */
public final class AttentionStepTiming {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private AttentionStepTiming() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        CpuThreads.setThreads(threads);
        int b = 32, h = 4, t = 128, d = 32;
        Tensor q = headSplit(b, t, h, d, 1), k = headSplit(b, t, h, d, 2), v = headSplit(b, t, h, d, 3), dy = headSplit(b, t, h, d, 4);
        Tensor[] last = new Tensor[4];
        System.out.printf(Locale.ROOT, "# fused attention [%d, %d, %d, %d] causal, %d threads, %d timed calls after %d warm-ups%n",
                b, h, t, d, threads, reps, reps);
        report("forward", reps, () -> last[0] = NN.scaledDotProductAttention(q, k, v, null, true));
        report("forward+backward", reps, () -> {
            Tensor[] g = step(q, k, v, dy);
            System.arraycopy(g, 0, last, 0, 4);
            return g;
        });
        backwardOnly(q, k, v, dy, reps);
        long hash = 17;
        for (Tensor x : last) for (float f : x.toFloatArray()) hash = hash * 31 + Float.floatToRawIntBits(f);
        System.out.printf(Locale.ROOT, "bits hash %016x%n", hash);
    }

    private static Tensor headSplit(int b, int t, int h, int d, long seed) {
        return Tensors.normal(Shape.of(b, t, h, d), seed).permute(0, 2, 1, 3);
    }

    private static Tensor[] step(Tensor q, Tensor k, Tensor v, Tensor dy) {
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(q, k, v);
            Tensor y = NN.scaledDotProductAttention(q, k, v, null, true);
            Tensor[] g = tape.gradient(y, new Tensor[] {q, k, v}, dy);
            return new Tensor[] {y, g[0], g[1], g[2]};
        }
    }

    /** The backward alone: the forward recorded untimed, then the tape's gradient timed. */
    private static void backwardOnly(Tensor q, Tensor k, Tensor v, Tensor dy, int reps) {
        double[] wall = new double[reps], cpu = new double[reps];
        for (int i = -reps; i < reps; i++) {
            try (GradientTape tape = GradientTape.record()) {
                tape.watch(q, k, v);
                Tensor y = NN.scaledDotProductAttention(q, k, v, null, true);
                long c0 = CPU.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                tape.gradient(y, new Tensor[] {q, k, v}, dy);
                if (i >= 0) {
                    wall[i] = (System.nanoTime() - t0) / 1e6;
                    cpu[i] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
        }
        print("backward", wall, cpu);
    }

    private static void print(String what, double[] wall, double[] cpu) {
        Arrays.sort(wall);
        Arrays.sort(cpu);
        int reps = wall.length;
        System.out.printf(Locale.ROOT, "%-17s wall min %6.2f median %6.2f ms   calling thread's CPU min %6.2f median %6.2f ms%n",
                what, wall[0], wall[reps / 2], cpu[0], cpu[reps / 2]);
    }

    private static void report(String what, int reps, Supplier<?> work) {
        for (int i = 0; i < reps; i++) work.get();
        double[] wall = new double[reps], cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = CPU.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            work.get();
            wall[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (CPU.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        print(what, wall, cpu);
    }
}
