package dev.javelin.perf.jit;

import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Times the first call of the compiled MLP train step, meant to be started in a fresh JVM (one
 * measurement per process: trace, optimize, plan, generate and load every kernel, run once), then
 * the next calls, which show how long the JVM takes to reach steady speed. Run it several times
 * and take the median ({@code perf/jit-bench.sh} does); with {@code JAVELIN_DEBUG=1} the compiler
 * prints its phase times.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.JitFirstCall [threads] [later calls]
 * // first call 612.3 ms wall (CPU: 248.1 ms calling thread, 1010.5 ms process), compile 141.0 ms; next calls 110.2 40.3 9.1 ms;
 * // all 4 calls 771.9 ms wall, 1300.2 ms process CPU; loss 2.4365
 * }</pre>
 */
public final class JitFirstCall {
    private JitFirstCall() {}

    public static void main(String[] args) {
        CpuThreads.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 2);
        int later = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Tensor[] batch = MlpTrainStep.batch(128, 1);
        MlpTrainStep model = new MlpTrainStep(2);
        var compiled = Jit.compile(model.function());
        var mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long p0 = os.getProcessCpuTime(), c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        double loss = compiled.call(batch)[0].item();
        long p1 = os.getProcessCpuTime(), c1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime();
        StringBuilder next = new StringBuilder();
        for (int i = 0; i < later; i++) {
            long s = System.nanoTime();
            compiled.call(batch)[0].item();
            next.append(String.format(Locale.ROOT, " %.1f", (System.nanoTime() - s) / 1e6));
        }
        long t2 = System.nanoTime(), p2 = os.getProcessCpuTime();
        // CPU times are steadier than wall clock on a loaded machine: the calling thread's, and the
        // whole process's (pool threads, HotSpot's compiler threads, GC). Wall is the figure that counts.
        System.out.printf(Locale.ROOT, "first call %.1f ms wall (CPU: %.1f ms calling thread, %.1f ms process), compile %.1f ms;"
                        + " next calls%s ms; all %d calls %.1f ms wall, %.1f ms process CPU; loss %.4f%n",
                (t1 - t0) / 1e6, (c1 - c0) / 1e6, (p1 - p0) / 1e6, compiled.lastCompileNanos() / 1e6, next,
                later + 1, (t2 - t0) / 1e6, (p2 - p0) / 1e6, loss);
    }
}
