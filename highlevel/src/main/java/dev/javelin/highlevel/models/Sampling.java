package dev.javelin.highlevel.models;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How {@link GptModel#generate} picks each next token from the logits: greedy (the most likely,
 * the first on a tie), or sampled from {@code softmax(logits / temperature)}, optionally kept to the
 * {@code topK} most likely tokens. Sampling draws from a generator seeded by {@code seed} at the
 * start of each generation, so a seed reproduces its text.
 *
 * <pre>{@code
 * model.generate(prompt, 200, Sampling.greedy());
 * model.generate(prompt, 200, Sampling.topK(40, 0.8, 7L));
 * }</pre>
 *
 * @param temperature 0 for greedy, else > 0
 * @param topK        0 for every token, else how many of the most likely to keep
 * @param seed        the random stream's seed
 */
public record Sampling(double temperature, int topK, long seed) {
    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature) || topK < 0) {
            throw new IllegalArgumentException("Sampling: temperature must be >= 0 and finite, topK >= 0; got temperature="
                    + temperature + ", topK=" + topK);
        }
    }

    /** Always the most likely token. */
    public static Sampling greedy() {
        return new Sampling(0, 0, 0);
    }

    /** From {@code softmax(logits / temperature)} over every token. */
    public static Sampling temperature(double temperature, long seed) {
        return new Sampling(temperature, 0, seed);
    }

    /** From the {@code k} most likely tokens, at {@code temperature}. */
    public static Sampling topK(int k, double temperature, long seed) {
        if (k < 1) throw new IllegalArgumentException("Sampling.topK: k must be >= 1, got " + k);
        return new Sampling(temperature, k, seed);
    }

    /** A picker for one generation: its random stream starts at the seed. */
    Picker newPicker() {
        return new Picker(this, new SplittableRandom(seed));
    }

    /** Picks token ids from logit rows, drawing from one random stream. */
    static final class Picker {
        private final Sampling s;
        private final SplittableRandom random;

        Picker(Sampling s, SplittableRandom random) {
            this.s = s;
            this.random = random;
        }

        int pick(float[] logits) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
            if (s.temperature == 0) return best;
            double[] scaled = new double[logits.length];
            for (int i = 0; i < logits.length; i++) scaled[i] = logits[i] / s.temperature;
            if (s.topK > 0 && s.topK < logits.length) {
                double[] sorted = scaled.clone();
                Arrays.sort(sorted);
                double cut = sorted[sorted.length - s.topK];
                for (int i = 0; i < scaled.length; i++) if (scaled[i] < cut) scaled[i] = Double.NEGATIVE_INFINITY;
            }
            double max = scaled[best], sum = 0;
            for (int i = 0; i < scaled.length; i++) sum += scaled[i] = Math.exp(scaled[i] - max);
            double u = random.nextDouble() * sum;
            for (int i = 0; i < scaled.length; i++) {
                u -= scaled[i];
                if (u < 0) return i;
            }
            return best; // rounding left u >= 0 after the last token
        }
    }
}
