package dev.javelin.perf.jit;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fused recurrent loop alone: one RECURRENCE and one RECURRENCE_BACKWARD per call, eagerly on
 * the CPU backend, float32, median and minimum of {@code calls} after one warm-up call. The check
 * sum of the gradients lets two builds be compared for equal results. Meant for a fresh JVM per
 * measurement, alternating the builds under comparison.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.RecurrenceOpTiming cell=LSTM T=64 units=256 batch=64 threads=2 calls=25
 * // LSTM T=64 units=256 batch=64 threads=2: forward median 17.2 ms (min 16.5), backward median 38.3 ms (min 35.8); check -15512.1246
 * }</pre>
 */
public final class RecurrenceOpTiming {
    private RecurrenceOpTiming() {}

    public static void main(String[] args) {
        int steps = 64, units = 256, batch = 64, threads = 2, calls = 25;
        Cell cell = Cell.LSTM;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "cell" -> cell = Cell.valueOf(kv[1]);
                case "T" -> steps = Integer.parseInt(kv[1]);
                case "units" -> units = Integer.parseInt(kv[1]);
                case "batch" -> batch = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "calls" -> calls = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("RecurrenceOpTiming: unknown argument '" + a
                        + "' (expected cell=LSTM|GRU|RNN, T=, units=, batch=, threads=, calls=)");
            }
        }
        CpuThreads.setThreads(threads);
        int width = cell.gates() * units;
        Tensor x = Tensors.normal(Shape.of(batch, steps, width), 1);
        Tensor w = Tensors.normal(Shape.of(units, width), 2).mul(0.05);
        List<Tensor> operands = new java.util.ArrayList<>();
        for (int p = 0; p < cell.parameters(); p++) operands.add(Tensors.normal(Shape.of(width), 3 + p));
        for (int s = 0; s < cell.states(); s++) operands.add(Tensors.zeros(batch, units));
        Tensor g = Tensors.normal(Shape.of(batch, steps, cell.outputWidth() * units), 9);
        OpAttrs.Recurrence attrs = new OpAttrs.Recurrence(cell, false, false);
        double[] forward = new double[calls], backward = new double[calls];
        double check = 0;
        for (int i = -1; i < calls; i++) { // call -1 warms up
            long t0 = System.nanoTime();
            Tensor out = SequenceOps.recurrence(x, w, operands, null, attrs);
            long t1 = System.nanoTime();
            Tensor grads = SequenceOps.recurrenceBackward(w, operands, null, out, g, attrs);
            long t2 = System.nanoTime();
            double sum = grads.sum().item();
            if (i < 0) continue;
            forward[i] = (t1 - t0) / 1e6;
            backward[i] = (t2 - t1) / 1e6;
            check = sum;
        }
        Arrays.sort(forward);
        Arrays.sort(backward);
        System.out.printf(Locale.ROOT, "%s T=%d units=%d batch=%d threads=%d: forward median %.1f ms (min %.1f), backward median %.1f ms (min %.1f); check %.4f%n",
                cell, steps, units, batch, threads, forward[calls / 2], forward[0], backward[calls / 2], backward[0], check);
    }
}
