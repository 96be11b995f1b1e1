package dev.javelin.perf.seq;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.callbacks.Callback;
import dev.javelin.highlevel.callbacks.LambdaCallback;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.models.GptModel;
import dev.javelin.highlevel.models.Sampling;
import dev.javelin.highlevel.optimizers.AdamW;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The char-GPT's compiled train step (batch 32 × 128 tokens, AdamW; the model of CharLmMain) and its
 * generation of 256 tokens with and without the KV cache. The step is timed over {@code steps} steps
 * of one fit after a warm-up fit of 3 steps (the compile is in the warm-up): the median step, PyTorch's
 * measure in {@code perf/charlm_pytorch.py}, and the mean (the figure printed before 2026-12-06 15:40 UTC,
 * after 2 warm-up steps, so it held the JVM's warm-up of the next few steps); generation is the median of 5 (after 2
 * warm-ups) following eleven warm-up generations each way (the cached path's first call compiles its decode
 * programs and is printed; its kernels reach C2 over the next few).
 * {@code steps} 0 times the generation only.
 * {@code perf/charlm_pytorch.py --time-steps=N} times PyTorch eager's step on the same model.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.seq.CharGptTiming 2 20   # threads, steps
 * </pre>
 */
public final class CharGptTiming {
    /** Untimed steps before the timed ones (the first compiles), as {@code charlm_pytorch.py --time-steps} runs 3 untimed. */
    static final int WARM_UP_STEPS = 3;
    /** Untimed generations each way after the first cached one, before the timed ones. */
    static final int WARM_UP_GENERATIONS = 10;

    private CharGptTiming() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        CpuThreads.setThreads(threads);
        Seeds.setGlobal(42);
        GptModel model = new GptModel(62, 128, 4, 4, 128, 0.0);
        model.ensureBuilt(List.of(Shape.of(32, 128)));
        model.compile(new AdamW(1e-3, 0.1), new SparseCategoricalCrossentropy(true));
        if (steps > 0) {
            Tensor x = Tensors.randint(Shape.of(32 * steps, 128), 0, 62, 1).cast(DType.INT32);
            Tensor y = Tensors.randint(Shape.of(32 * steps, 128), 0, 62, 2).cast(DType.INT32);
            FitOptions quiet = FitOptions.builder().batchSize(32).epochs(1).shuffle(false).verbose(0).build();
            model.fit(x.slice(0, 0, 32 * WARM_UP_STEPS), y.slice(0, 0, 32 * WARM_UP_STEPS), quiet); // compile and warm up
            double[] stepMs = new double[steps];
            long[] begin = {0};
            int[] done = {0};
            Callback clock = LambdaCallback.builder()
                    .onBatchBegin((batch, logs) -> begin[0] = System.nanoTime())
                    .onBatchEnd((batch, logs) -> stepMs[done[0]++] = (System.nanoTime() - begin[0]) / 1e6)
                    .build();
            long t0 = System.nanoTime();
            model.fit(x, y, FitOptions.builder().batchSize(32).epochs(1).shuffle(false).verbose(0).callbacks(clock).build());
            double meanMs = (System.nanoTime() - t0) / 1e6 / steps;
            double[] sorted = stepMs.clone();
            Arrays.sort(sorted);
            double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
            System.out.printf(Locale.ROOT, "char-GPT compiled train step (batch 32x128, AdamW), %d threads: median %.1f ms/step over %d steps"
                    + " after %d warm-up steps (charlm_pytorch.py's measure); mean %.1f ms/step%n", threads, median, steps, WARM_UP_STEPS, meanMs);
        }
        int[] prompt = {1};
        long c0 = System.nanoTime();
        model.generate(prompt, 256, Sampling.greedy(), true); // compiles the decode step's programs (one per cache bucket)
        System.out.printf(Locale.ROOT, "generate 256 tokens, first call with KV cache (compiles the decode programs): %.0f ms%n",
                (System.nanoTime() - c0) / 1e6);
        // HotSpot compiles each generated kernel class on its own: more generations before timing. On a busy
        // 2-core host a cached generation's main-thread CPU fell over ten of them (1,308, 394, 200, ... 54, 43, 40 ms:
        // perf/NOTES.md, decode4), so four left the timed ones partly in C1 code.
        for (int i = 0; i < WARM_UP_GENERATIONS; i++) {
            model.generate(prompt, 256, Sampling.greedy(), true);
            model.generate(prompt, 256, Sampling.greedy(), false);
        }
        double cached = AttentionTiming.medianMs(5, () -> model.generate(prompt, 256, Sampling.greedy(), true));
        double full = AttentionTiming.medianMs(5, () -> model.generate(prompt, 256, Sampling.greedy(), false));
        System.out.printf(Locale.ROOT, "generate 256 tokens: with KV cache %.0f ms, recomputing the window %.0f ms, ratio %.1fx%n",
                cached, full, full / cached);
    }
}
