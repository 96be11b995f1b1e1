package dev.javelin.perf.javelin;

import dev.javelin.autodiff.GradientTape;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The MNIST convnet's convolution and pooling ops one by one (eager, NHWC): forward, input
 * gradient and filter gradient of conv1 (28x28x1 to 26x26x32) and conv2 (13x13x32 to 11x11x64),
 * and 2x2 max pooling with its gradient, at the median of repetitions. At one thread the time is
 * the calling thread's CPU time (the kernels run on the caller), so a loaded host moves it less;
 * at more threads it is wall time.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.javelin.ConvOpTiming [batch] [threads] [reps] [name filter]</pre>
 */
public final class ConvOpTiming {
    private ConvOpTiming() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 21;
        only = args.length > 3 ? args[3] : "";
        CpuThreads.setThreads(threads);
        System.out.printf(Locale.ROOT, "# MNIST convnet ops, batch %d, %d thread(s), %s ms at the median of %d%n",
                n, threads, threads == 1 ? "CPU" : "wall", reps);
        OpAttrs.Conv valid = new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1);
        double total = 0;
        for (int[] l : new int[][] {{28, 1, 32}, {13, 32, 64}}) {
            int h = l[0], cin = l[1], cout = l[2], oh = h - 2;
            Tensor x = Tensors.normal(Shape.of(n, h, h, cin), 1);
            Tensor f = Tensors.normal(Shape.of(3, 3, cin, cout), 2);
            Tensor dy = Tensors.normal(Shape.of(n, oh, oh, cout), 3);
            double flop = 2.0 * n * oh * oh * cout * 9 * cin;
            String name = h + "x" + h + "x" + cin + "->" + oh + "x" + oh + "x" + cout;
            total += time(name + " forward", flop, reps, threads, () -> Ops.conv2d(x, f, valid));
            total += time(name + " backward-input", flop, reps, threads, () -> Ops.conv2dBackwardInput(dy, f, x.shape(), valid));
            total += time(name + " backward-filter", flop, reps, threads, () -> Ops.conv2dBackwardFilter(x, dy, f.shape(), valid));
            Tensor p = Tensors.normal(Shape.of(n, oh, oh, cout), 4);
            total += time(oh + "x" + oh + "x" + cout + " max-pool 2 forward+backward", 0, reps, threads, () -> {
                try (GradientTape tape = GradientTape.record()) {
                    tape.watch(p);
                    Tensor y = NN.maxPool2d(p, new int[] {2, 2}, null, "valid");
                    return tape.gradient(y.sum(), p)[0];
                }
            });
        }
        System.out.printf(Locale.ROOT, "total %.2f ms%n", total);
    }

    /** Times only the ops whose name contains this (the fourth argument; all when empty). */
    private static String only = "";

    private static double time(String what, double flop, int reps, int threads, Supplier<Tensor> op) {
        if (!what.contains(only)) return 0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] ms = new double[reps];
        for (int i = -5; i < reps; i++) {
            long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            op.get();
            long t = threads == 1 ? mx.getCurrentThreadCpuTime() - c0 : System.nanoTime() - w0;
            if (i >= 0) ms[i] = t / 1e6;
        }
        Arrays.sort(ms);
        double med = ms[reps / 2];
        System.out.printf(Locale.ROOT, "%-48s %8.3f ms (fastest %7.3f)%s%n", what, med, ms[0],
                flop > 0 ? String.format(Locale.ROOT, "  %6.1f GFLOP/s", flop / med / 1e6) : "");
        return med;
    }
}
