package dev.javelin.perf.jit;

import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * One cold start, meant to run in a fresh JVM ({@code perf/coldstart.sh} starts seven and takes the
 * medians). Every time is measured from the moment the script launched the JVM (the property
 * {@code coldstart.launchNanos}, epoch nanoseconds, written by the shell just before {@code java});
 * without it, from the JVM's own start time.
 *
 * <pre>{@code
 * java -Dcoldstart.launchNanos=$(date +%s%N) ... dev.javelin.perf.jit.ColdStart op
 * // coldstart op: main 41.2 ms, first op 121.9 ms (op alone 80.7 ms); classes 812, process CPU 260.0 ms
 * java -Dcoldstart.launchNanos=$(date +%s%N) ... dev.javelin.perf.jit.ColdStart step
 * // coldstart step: main 40.3 ms, model 62.1 ms, first call 410.2 ms (compile 150.3 ms, run 259.9 ms), done 472.3 ms; ...
 * }</pre>
 *
 * Modes: {@code op}, one eager float32 add of two small tensors and its value read back (a user's
 * first tensor op); {@code step}, the MLP 784-512-512-10 Adam train step ({@link MlpTrainStep}),
 * compiled with {@code Jit.compile} and called once on a batch of 128, at 2 threads.
 */
public final class ColdStart {
    private ColdStart() {}

    public static void main(String[] args) {
        java.time.Instant now = java.time.Instant.now(); // the clock the shell's date reads, in microseconds
        long mainNano = System.nanoTime();
        long main = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String mode = args.length > 0 ? args[0] : "step";
        long launch = launchEpochNanos();
        // Every later time is main + a nanoTime difference.
        double toMain = (main - launch) / 1e6;
        String line = switch (mode) {
            case "op" -> firstOp(toMain, mainNano);
            case "step" -> firstStep(toMain, mainNano);
            case "both" -> firstOp(toMain, mainNano) + "\n" + firstStep(toMain, mainNano); // an AOT cache's training run
            default -> throw new IllegalArgumentException("ColdStart: mode must be op, step or both, got " + mode);
        };
        // Read after the timed part: the management beans load classes of their own.
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "%s; classes %d, process CPU %.1f ms%n", line, classes, os.getProcessCpuTime() / 1e6);
    }

    /** A user's first tensor op: an eager add of two small float32 tensors, read back. */
    private static String firstOp(double toMain, long mainNano) {
        long t0 = System.nanoTime();
        Tensor a = Tensors.of(new float[] {1, 2, 3}, 3);
        float[] sum = a.add(a).toFloatArray();
        long t1 = System.nanoTime();
        if (sum[2] != 6f) throw new AssertionError("1+2+3 doubled: " + java.util.Arrays.toString(sum));
        return String.format(Locale.ROOT, "coldstart op: main %.1f ms, first op %.1f ms (op alone %.1f ms)",
                toMain, toMain + (t1 - mainNano) / 1e6, (t1 - t0) / 1e6);
    }

    /** The compiled MLP train step's first call (compile included), at 2 threads. */
    private static String firstStep(double toMain, long mainNano) {
        CpuThreads.setThreads(2);
        Tensor[] batch = MlpTrainStep.batch(128, 1);
        MlpTrainStep model = new MlpTrainStep(2);
        var compiled = Jit.compile(model.function());
        long t0 = System.nanoTime();
        double loss = compiled.call(batch)[0].item();
        long t1 = System.nanoTime();
        double compile = compiled.lastCompileNanos() / 1e6;
        return String.format(Locale.ROOT, "coldstart step: main %.1f ms, model %.1f ms, first call %.1f ms (compile %.1f ms, run %.1f ms),"
                        + " done %.1f ms; loss %.4f; kernels %d",
                toMain, toMain + (t0 - mainNano) / 1e6, (t1 - t0) / 1e6, compile, (t1 - t0) / 1e6 - compile,
                toMain + (t1 - mainNano) / 1e6, loss, Jit.stats().kernelsGenerated());
    }

    private static long launchEpochNanos() {
        String p = System.getProperty("coldstart.launchNanos");
        if (p != null) return Long.parseLong(p);
        return ManagementFactory.getRuntimeMXBean().getStartTime() * 1_000_000L;
    }
}
