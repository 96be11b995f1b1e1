package dev.javelin.perf.jit;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JIT benchmarks' workloads timed by the CPU time of the calling thread, one thread, variants
 * interleaved round by round, best of the rounds. On a shared machine whose load swamps wall-clock
 * JMH runs, this still compares the variants' own work (memory-bandwidth contention remains).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.JitCpuTime
 * </pre>
 */
public final class JitCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private JitCpuTime() {}

    public static void main(String[] args) {
        CpuThreads.setThreads(1);
        JitElementwiseBench ew = new JitElementwiseBench();
        ew.threads = 1;
        ew.setup();
        JitSoftmaxBench sm = new JitSoftmaxBench();
        sm.threads = 1;
        sm.setup();
        JitTrainStepBench ts = new JitTrainStepBench();
        ts.threads = 1;
        ts.setup();
        CpuThreads.setThreads(1);
        Map<String, Runnable> cases = new LinkedHashMap<>();
        cases.put("elementwise eager", ew::eager);
        cases.put("elementwise compiled", ew::compiled);
        cases.put("elementwise hand-fused", ew::handFused);
        cases.put("softmax eager", sm::eager);
        cases.put("softmax compiled", sm::compiled);
        cases.put("softmax hand-fused", sm::handFused);
        cases.put("train step eager", ts::eager);
        cases.put("train step compiled", ts::compiled);
        Map<String, Long> best = new LinkedHashMap<>();
        // warm up every variant first: long enough for C2 to settle on the GEMM micro-kernel too
        for (Runnable r : cases.values()) for (int i = 0; i < 60; i++) r.run();
        for (int round = 0; round < 15; round++) {
            for (var e : cases.entrySet()) {
                long t = MX.getCurrentThreadCpuTime();
                e.getValue().run();
                best.merge(e.getKey(), MX.getCurrentThreadCpuTime() - t, Math::min);
            }
        }
        best.forEach((k, v) -> System.out.printf("%-26s %8.2f ms CPU%n", k, v / 1e6));
        // compile cost in this (warm) JVM, the kernel cache emptied so every kernel is generated again
        dev.javelin.jit.cpu.KernelCache.clear();
        CompiledFunction fresh = Jit.compile(new MlpTrainStep(7).function());
        long t = System.nanoTime();
        fresh.call(ts.batch);
        System.out.printf("train step first call (warm JVM, empty kernel cache): %.1f ms, of which compile %.1f ms%n",
                (System.nanoTime() - t) / 1e6, fresh.lastCompileNanos() / 1e6);
    }
}
