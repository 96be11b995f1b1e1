package dev.javelin.examples;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.models.GptModel;
import dev.javelin.highlevel.models.Sampling;
import dev.javelin.highlevel.optimizers.AdamW;
import dev.javelin.highlevel.optimizers.CosineDecay;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Locale;

/**
 * The second main job: a character-level GPT (4 pre-LN blocks of causal self-attention and a GELU
 * MLP, 4 heads, width 128, context 128) trained with AdamW, a linear warm-up and a cosine decay on
 * the vendored King James text ({@link CharCorpus}), batch 32. Prints the summary, a progress bar,
 * train and validation loss in bits per character, a generated sample, and ends with
 * {@code validation bits per character: X.XXX}. {@code perf/charlm_pytorch.py} trains the same
 * model on the same batches for comparison.
 *
 * <p>Arguments: {@code --steps=N} (default 600), {@code --seed=N} (default 42).
 */
public final class CharLmMain {
    static final int CONTEXT = 128, BATCH = 32, WIDTH = 128, LAYERS = 4, HEADS = 4;
    static final double PEAK_LR = 2e-3, WEIGHT_DECAY = 0.1;
    private static final int VAL_WINDOWS = 128;

    private CharLmMain() {}

    public static void main(String[] args) {
        int steps = 600;
        long seed = 42;
        for (String raw : args) {
            String a = raw.startsWith("--") ? raw.substring(2) : raw;
            if (a.isBlank() || a.equals("charlm")) continue;
            if (a.startsWith("steps=")) steps = Integer.parseInt(a.substring(6));
            else if (a.startsWith("seed=")) seed = Long.parseLong(a.substring(5));
            else throw new IllegalArgumentException("CharLmMain: unknown argument '" + raw + "' (expected --steps=N or --seed=N)");
        }
        CharCorpus corpus = CharCorpus.load();
        System.out.printf(Locale.ROOT, "corpus: %s, %,d characters, vocabulary %d; train %,d, validation %,d%n", CharCorpus.SOURCE,
                corpus.size(), corpus.vocabSize(), corpus.trainSize(), corpus.size() - corpus.trainSize());

        Seeds.setGlobal(seed);
        GptModel model = new GptModel(corpus.vocabSize(), CONTEXT, LAYERS, HEADS, WIDTH, 0.0, "char_gpt");
        model.ensureBuilt(List.of(Shape.of(BATCH, CONTEXT)));
        int warmup = Math.max(1, steps / 20);
        AdamW adamw = AdamW.builder()
                .learningRate(new CosineDecay(0.0, Math.max(1, steps - warmup), 0.1, PEAK_LR, warmup))
                .weightDecay(WEIGHT_DECAY).beta2(0.99).globalClipNorm(1.0)
                .excludeFromWeightDecay("bias", "gamma", "beta").build();
        model.compile(adamw, new SparseCategoricalCrossentropy(true));
        model.summary();

        int[][] val = corpus.windows(false, VAL_WINDOWS, seed ^ 0x5EEDL, 0);
        Tensor valX = tokens(val, 0), valY = tokens(val, 1);
        int chunks = Math.min(5, steps);
        long start = System.nanoTime();
        double trainBits = Double.NaN, valBits = Double.NaN;
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) steps * c / chunks), to = (int) ((long) steps * (c + 1) / chunks);
            int[][] batch = corpus.windows(true, (to - from) * BATCH, seed, (long) from * BATCH);
            var history = model.fit(tokens(batch, 0), tokens(batch, 1),
                    FitOptions.builder().batchSize(BATCH).epochs(1).shuffle(false).build()); // the windows are random already
            trainBits = history.last("loss") / Math.log(2);
            valBits = model.evaluate(valX, valY, BATCH).get("loss") / Math.log(2);
            System.out.printf(Locale.ROOT, "step %d/%d: train loss %.3f bits/char, validation loss %.3f bits/char (%.0f s)%n",
                    to, steps, trainBits, valBits, (System.nanoTime() - start) / 1e9);
        }
        int[] prompt = corpus.encode("And God said");
        int[] text = model.generate(prompt, 300, Sampling.topK(10, 0.8, seed));
        System.out.println("sample:\n" + corpus.decode(text));
        System.out.printf(Locale.ROOT, "validation bits per character: %.3f%n", valBits);
    }

    /** Windows of CONTEXT + 1 ids as int32 [N, CONTEXT]: inputs from offset 0, next-token targets from offset 1. */
    private static Tensor tokens(int[][] windows, int offset) {
        int[] flat = new int[windows.length * CONTEXT];
        for (int i = 0; i < windows.length; i++) System.arraycopy(windows[i], offset, flat, i * CONTEXT, CONTEXT);
        return Tensors.of(flat, windows.length, CONTEXT);
    }
}
