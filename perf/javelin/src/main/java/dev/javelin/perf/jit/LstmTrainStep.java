package dev.javelin.perf.jit;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The 2-layer LSTM train step (issue 13): {@code LSTM(units, return_sequences) -> LSTM(units) ->
 * Dense(10)}, sparse cross-entropy from logits, Adam, one {@code trainOnBatch} per call, compiled by
 * the JIT (or eager with {@code eager}). Prints the first call (trace + compile + run) and the median
 * of the next calls, with the process CPU time of each (steadier than the wall clock on a loaded host).
 * Meant for a fresh JVM per measurement; {@code perf/lstm_torch.py} times PyTorch eager on the same model.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.LstmTrainStep T=128 units=256 batch=64 threads=2 calls=5
 * // lstm T=128 units=256 batch=64 features=32 jit threads=2: first call ... ms (process CPU ... ms); next calls median ... ms
 * }</pre>
 */
public final class LstmTrainStep {
    private LstmTrainStep() {}

    public static void main(String[] args) {
        int steps = 64, units = 256, batch = 64, features = 32, threads = 2, calls = 5;
        boolean jit = true;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "T" -> steps = Integer.parseInt(kv[1]);
                case "units" -> units = Integer.parseInt(kv[1]);
                case "batch" -> batch = Integer.parseInt(kv[1]);
                case "features" -> features = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "calls" -> calls = Integer.parseInt(kv[1]);
                case "eager" -> jit = false;
                case "jit" -> jit = true;
                default -> throw new IllegalArgumentException("LstmTrainStep: unknown argument '" + a
                        + "' (expected T=, units=, batch=, features=, threads=, calls=, jit or eager)");
            }
        }
        CpuThreads.setThreads(threads);
        Seeds.setGlobal(1);
        Model model = new Sequential(new InputLayer(steps, features), new LSTM(units, RecurrentOptions.defaults().returnSequences(true)),
                new LSTM(units), new Dense(10));
        model.compile(CompileOptions.builder().optimizer(Adam.builder().learningRate(1e-3).build())
                .loss(new SparseCategoricalCrossentropy(true)).jitCompile(jit).build());
        Tensor x = Tensors.normal(Shape.of(batch, steps, features), 2);
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = i % 10;
        Tensor y = Tensors.of(labels);
        // process CPU time too: on a loaded host it is steadier than the wall clock
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        double loss = model.trainOnBatch(x, y).get("loss");
        double first = (System.nanoTime() - t0) / 1e6;
        double firstCpu = (os.getProcessCpuTime() - cpu0) / 1e6;
        double[] next = new double[calls];
        long cpuNext = os.getProcessCpuTime();
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            loss = model.trainOnBatch(x, y).get("loss");
            next[i] = (System.nanoTime() - s) / 1e6;
        }
        double nextCpu = (os.getProcessCpuTime() - cpuNext) / 1e6 / Math.max(1, calls);
        double[] sorted = next.clone();
        Arrays.sort(sorted);
        double median = calls == 0 ? Double.NaN : sorted[calls / 2];
        StringBuilder all = new StringBuilder();
        for (double v : next) all.append(String.format(Locale.ROOT, " %.1f", v));
        System.out.printf(Locale.ROOT, "lstm T=%d units=%d batch=%d features=%d %s threads=%d: first call %.1f ms (process CPU %.1f ms); next calls median %.1f ms (%s; process CPU %.1f ms per call); loss %.4f%n",
                steps, units, batch, features, jit ? "jit" : "eager", threads, first, firstCpu, median, all.toString().trim(), nextCpu, loss);
    }
}
