package dev.javelin.perf.jit;

import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;

/**
 * Times the first call of the compiled MLP train step, meant to be started in a fresh JVM (one
 * measurement per process: trace, optimize, plan, generate and load every kernel, run once), then a
 * second call for comparison. Run it several times and take the median; with {@code JAVELIN_DEBUG=1}
 * the compiler prints its phase times.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.JitFirstCall
 * }</pre>
 */
public final class JitFirstCall {
    private JitFirstCall() {}

    public static void main(String[] args) {
        CpuThreads.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 2);
        Tensor[] batch = MlpTrainStep.batch(128, 1);
        MlpTrainStep model = new MlpTrainStep(2);
        var compiled = Jit.compile(model.function());
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        double loss = compiled.call(batch)[0].item();
        long c1 = mx.getCurrentThreadCpuTime(), t1 = System.nanoTime();
        compiled.call(batch);
        long t2 = System.nanoTime();
        // the calling thread's CPU time is steadier than wall clock on a loaded machine
        System.out.printf("first call %.1f ms (%.1f ms CPU of the calling thread; compile %.1f ms), second call %.1f ms, loss %.4f%n",
                (t1 - t0) / 1e6, (c1 - c0) / 1e6, compiled.lastCompileNanos() / 1e6, (t2 - t1) / 1e6, loss);
    }
}
