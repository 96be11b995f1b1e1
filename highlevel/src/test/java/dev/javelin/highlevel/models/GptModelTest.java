package dev.javelin.highlevel.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder-only model: KV-cached greedy decoding equals recomputing the window each step (also
 * across a window restart), sampling is reproducible by seed, save/load keeps the generation, and
 * bad prompts and over-long sequences are errors that name the model or layer.
 */
class GptModelTest {
    private static GptModel model(int context) {
        Seeds.setGlobal(11);
        GptModel m = new GptModel(13, context, 2, 2, 16, 0.0);
        m.ensureBuilt(java.util.List.of(Shape.of(1, context)));
        return m;
    }

    @Test
    void cachedGreedyDecodingEqualsFullRecomputation() {
        GptModel m = model(12);
        int[] prompt = {1, 5, 7};
        // 30 new tokens outgrow the context of 12 twice, so the window restarts (re-prefills) on both paths
        int[] cached = m.generate(prompt, 30, Sampling.greedy(), true);
        int[] full = m.generate(prompt, 30, Sampling.greedy(), false);
        assertArrayEquals(full, cached);
        assertArrayEquals(prompt, Arrays.copyOf(cached, 3));
    }

    @Test
    void compiledDecodeStepsEqualRecomputationAcrossCacheBuckets() {
        GptModel m = model(40);
        int[] prompt = {2, 7};
        // 60 new tokens: buckets of 8, 16, 32 and 40 slots, then a restart at 20 cached positions
        int[] cached = m.generate(prompt, 60, Sampling.greedy(), true);
        assertArrayEquals(m.generate(prompt, 60, Sampling.greedy(), false), cached);
        assertEquals(4, m.decodeCompilations(), "one program per bucket of cache slots");
        assertArrayEquals(cached, m.generate(prompt, 60, Sampling.greedy(), true));
        assertEquals(4, m.decodeCompilations(), "a second generation compiles nothing");
    }

    @Test
    void shortPromptsAndWindowsFilledThroughTheDecodeStepEqualRecomputation() {
        GptModel m = model(8);
        // a one-token prompt and windows restarted from 4 tokens fill the caches token by token through the
        // compiled step (GptModel.PREFILL_BY_STEPS); a 5-token prompt through the batched forward
        for (int[] prompt : new int[][] {{4}, {1, 2, 3, 4}, {6, 1, 8, 0, 2}}) {
            assertArrayEquals(m.generate(prompt, 21, Sampling.greedy(), false), m.generate(prompt, 21, Sampling.greedy(), true),
                    "prompt " + Arrays.toString(prompt));
        }
        assertEquals(4, GptModel.PREFILL_BY_STEPS, "the prompts above straddle the threshold");
    }

    @Test
    void cachedLogitsMatchTheFullForward() {
        GptModel m = model(16);
        int[] seq = {3, 1, 4, 1, 5, 9, 2, 6};
        Tensor full = m.call(Tensors.of(seq).reshape(1, seq.length).cast(DType.INT32), false);
        // greedy from a prefix picks the full forward's argmax at that position
        for (int n = 1; n < seq.length; n++) {
            int[] next = m.generate(Arrays.copyOf(seq, n), 1, Sampling.greedy(), true);
            int argmax = (int) full.slice(1, n - 1, n).reshape(13).argmax(0).item();
            assertEquals(argmax, next[n]);
        }
    }

    @Test
    void samplingIsReproducibleBySeed() {
        GptModel m = model(12);
        int[] prompt = {2};
        int[] a = m.generate(prompt, 20, Sampling.topK(5, 1.5, 7L));
        int[] b = m.generate(prompt, 20, Sampling.topK(5, 1.5, 7L));
        int[] c = m.generate(prompt, 20, Sampling.temperature(1.5, 8L));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertArrayEquals(m.generate(prompt, 20, Sampling.temperature(1.5, 8L), false), c);
    }

    @Test
    void saveAndLoadKeepTheGeneration(@TempDir Path dir) throws Exception {
        GptModel m = model(12);
        Path file = dir.resolve("gpt.safetensors");
        m.save(file);
        Model loaded = Model.load(file);
        assertTrue(loaded instanceof GptModel);
        int[] prompt = {4, 4};
        assertArrayEquals(m.generate(prompt, 10, Sampling.greedy()), ((GptModel) loaded).generate(prompt, 10, Sampling.greedy()));
        assertTrue(m.summaryText().contains("TransformerDecoder"), m.summaryText());
    }

    @Test
    void badPromptsAndLongSequencesAreClearErrors() {
        GptModel m = model(8);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> m.generate(new int[9], 1, Sampling.greedy()));
        assertTrue(tooLong.getMessage().contains("9 tokens") && tooLong.getMessage().contains("sequence_length=8"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.generate(new int[0], 1, Sampling.greedy()));
        IllegalArgumentException positions = assertThrows(IllegalArgumentException.class,
                () -> m.call(Tensors.zeros(Shape.of(1, 10), DType.INT32), false));
        assertTrue(positions.getMessage().contains("PositionEmbedding") && positions.getMessage().contains("sequence_length=8"),
                positions.getMessage());
    }
}
