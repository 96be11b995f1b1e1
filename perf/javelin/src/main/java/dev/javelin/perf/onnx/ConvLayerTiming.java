package dev.javelin.perf.onnx;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * ResNet-18's convolution layers (NHWC, eager {@code Ops.conv2d}) at one thread, timed in the
 * calling thread's CPU time (the kernels run on the caller at one thread), so a loaded host moves
 * the figure less than wall time: GFLOP/s at the median of repetitions, per layer and in total.
 *
 * {@code warm} passes over all layers run first, untimed, so every layer's kernels are compiled by C2
 * before any is timed (the first layers timed otherwise include the JIT's warm-up of later paths).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.onnx.ConvLayerTiming [batch] [reps] [warm]</pre>
 */
public final class ConvLayerTiming {
    private ConvLayerTiming() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        CpuThreads.setThreads(1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        // {H, Cin, K, Cout, stride, pad}: each distinct layer of ResNet-18 once, with how often it occurs
        int[][] layers = {{224, 3, 7, 64, 2, 3, 1}, {56, 64, 3, 64, 1, 1, 4}, {56, 64, 3, 128, 2, 1, 1}, {56, 64, 1, 128, 2, 0, 1},
            {28, 128, 3, 128, 1, 1, 3}, {28, 128, 3, 256, 2, 1, 1}, {28, 128, 1, 256, 2, 0, 1}, {14, 256, 3, 256, 1, 1, 3},
            {14, 256, 3, 512, 2, 1, 1}, {14, 256, 1, 512, 2, 0, 1}, {7, 512, 3, 512, 1, 1, 3}};
        for (int pass = 0; pass < warm; pass++) {
            for (int[] l : layers) {
                Ops.conv2d(Tensors.normal(Shape.of(n, l[0], l[0], l[1]), 1), Tensors.normal(Shape.of(l[2], l[2], l[1], l[3]), 2),
                        new OpAttrs.Conv(l[4], l[4], l[5], l[5], l[5], l[5], 1, 1, 1));
            }
        }
        double totalMs = 0, totalFlop = 0;
        System.out.printf(Locale.ROOT, "# conv layers of ResNet-18, batch %d, 1 thread, CPU ms at the median of %d%n", n, reps);
        for (int[] l : layers) {
            Tensor x = Tensors.normal(Shape.of(n, l[0], l[0], l[1]), 1);
            Tensor f = Tensors.normal(Shape.of(l[2], l[2], l[1], l[3]), 2);
            OpAttrs.Conv c = new OpAttrs.Conv(l[4], l[4], l[5], l[5], l[5], l[5], 1, 1, 1);
            double[] ms = new double[reps];
            Tensor y = null;
            for (int i = -2; i < reps; i++) {
                long t0 = mx.getCurrentThreadCpuTime();
                y = Ops.conv2d(x, f, c);
                if (i >= 0) ms[i] = (mx.getCurrentThreadCpuTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double flop = 2.0 * y.size() * l[2] * l[2] * l[1];
            totalMs += ms[reps / 2] * l[6];
            totalFlop += flop * l[6];
            System.out.printf(Locale.ROOT, "%3dx%-3d %3d -> %3d k%d s%d  %8.3f ms  %6.1f GFLOP/s (fastest %6.1f)  x%d%n",
                    l[0], l[0], l[1], l[3], l[2], l[4], ms[reps / 2], flop / ms[reps / 2] / 1e6, flop / ms[0] / 1e6, l[6]);
        }
        System.out.printf(Locale.ROOT, "all 20 convolutions: %.2f ms, %.1f GFLOP/s%n", totalMs, totalFlop / totalMs / 1e6);
    }
}
