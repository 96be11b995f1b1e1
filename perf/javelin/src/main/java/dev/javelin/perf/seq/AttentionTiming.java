package dev.javelin.perf.seq;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Attention forward + backward at batch 4, 8 heads, T = 1024, head size 64 (causal and not): the
 * fused op against the composed matmul-softmax-matmul, eager, median of timed repetitions after
 * warm-up, and the largest single allocation each path makes (the composed path's T×T weights).
 * {@code perf/seq_torch.py} times PyTorch 1.13's math path on the same shapes.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.seq.AttentionTiming 2   # threads
 * </pre>
 */
public final class AttentionTiming {
    private AttentionTiming() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        CpuThreads.setThreads(threads);
        int b = 4, h = 8, t = 1024, d = 64;
        Tensor q = Tensors.normal(Shape.of(b, h, t, d), 1), k = Tensors.normal(Shape.of(b, h, t, d), 2);
        Tensor v = Tensors.normal(Shape.of(b, h, t, d), 3), dy = Tensors.normal(Shape.of(b, h, t, d), 4);
        System.out.printf(Locale.ROOT, "# attention fwd+bwd [%d, %d, %d, %d], %d threads, median of %d%n", b, h, t, d, threads, reps);
        for (boolean causal : new boolean[] {false, true}) {
            double fused = medianMs(reps, () -> step(q, k, v, dy, causal, true));
            double composed = medianMs(reps, () -> step(q, k, v, dy, causal, false));
            System.out.printf(Locale.ROOT, "causal=%-5s fused %8.1f ms   composed %8.1f ms   composed/fused %.2fx%n",
                    causal, fused, composed, composed / fused);
        }
        long scores = (long) b * h * t * t * 4, packed = (long) b * h * t * (d + 1) * 4;
        System.out.printf(Locale.ROOT, "largest allocation: composed %.1f MB (the [B,H,T,T] weights), fused %.1f MB ([B,H,T,D+1] output)%n",
                scores / 1e6, packed / 1e6);
    }

    private static Tensor step(Tensor q, Tensor k, Tensor v, Tensor dy, boolean causal, boolean fused) {
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(q, k, v);
            Tensor y = fused ? NN.scaledDotProductAttention(q, k, v, null, causal)
                    : NN.scaledDotProductAttentionComposed(q, k, v, null, causal, Double.NaN);
            Tensor[] g = tape.gradient(y, new Tensor[] {q, k, v}, dy);
            return g[0];
        }
    }

    static double medianMs(int reps, Supplier<?> work) {
        work.get();
        work.get();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            work.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
