package dev.javelin.highlevel.models;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.KvCache;
import dev.javelin.highlevel.layers.LayerNormalization;
import dev.javelin.highlevel.layers.PositionEmbedding;
import dev.javelin.highlevel.layers.TransformerDecoder;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer language model (GPT-2's shape): token and learned position embeddings,
 * {@code num_layers} pre-LN {@link TransformerDecoder} blocks (causal self-attention and a GELU MLP
 * of width {@code 4·hidden}), a final layer norm and a linear head to the vocabulary's logits
 * [B, T, vocab]. Train it with {@code compile}/{@code fit} on next-token targets; {@link #generate}
 * continues a prompt with a KV cache.
 *
 * <pre>{@code
 * GptModel gpt = new GptModel(65, 128, 4, 4, 128, 0.0);   // vocab, context, layers, heads, width, dropout
 * gpt.compile(new AdamW(...), new SparseCategoricalCrossentropy(true));
 * gpt.fit(x, y, 32, 1);                                  // x, y: int32 [N, 128], y = x shifted by one
 * int[] text = gpt.generate(prompt, 200, Sampling.topK(40, 0.8, 7L));
 * }</pre>
 */
public class GptModel extends Model {
    private final int vocabSize, sequenceLength, numLayers, numHeads, hiddenDim;
    private final double dropout;
    private final Embedding tokenEmbedding;
    private final PositionEmbedding positionEmbedding;
    private final List<TransformerDecoder> blocks = new ArrayList<>();
    private final LayerNormalization finalNorm;
    private final Dense head;
    private DecodeStep decodeStep;
    /** Prompts (and restarted windows) of at most this many tokens fill the caches through the decode step; see {@link #prefill}. */
    static final int PREFILL_BY_STEPS = 4;

    /** @param name null for an automatic name */
    public GptModel(int vocabSize, int sequenceLength, int numLayers, int numHeads, int hiddenDim, double dropout, String name) {
        super(name);
        if (vocabSize < 1 || sequenceLength < 1 || numLayers < 1 || numHeads < 1 || hiddenDim < 1 || hiddenDim % numHeads != 0) {
            throw new IllegalArgumentException("GptModel: expected positive sizes with hidden_dim divisible by num_heads, got vocab_size="
                    + vocabSize + " sequence_length=" + sequenceLength + " num_layers=" + numLayers + " num_heads=" + numHeads
                    + " hidden_dim=" + hiddenDim);
        }
        this.vocabSize = vocabSize;
        this.sequenceLength = sequenceLength;
        this.numLayers = numLayers;
        this.numHeads = numHeads;
        this.hiddenDim = hiddenDim;
        this.dropout = dropout;
        tokenEmbedding = new Embedding(vocabSize, hiddenDim);
        positionEmbedding = new PositionEmbedding(sequenceLength);
        for (int i = 0; i < numLayers; i++) blocks.add(new TransformerDecoder(4 * hiddenDim, numHeads, dropout, "gelu", 1e-5, true, null));
        finalNorm = new LayerNormalization(1e-5, true, true, null);
        head = new Dense(vocabSize);
    }

    public GptModel(int vocabSize, int sequenceLength, int numLayers, int numHeads, int hiddenDim, double dropout) {
        this(vocabSize, sequenceLength, numLayers, numHeads, hiddenDim, dropout, null);
    }

    /** Token ids [B, T] (T at most sequence_length) to next-token logits [B, T, vocab]. */
    @Override
    public Tensor call(Tensor ids, boolean training) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException(name() + " (GptModel): expected token ids [batch, T], got " + ids.dtype() + ids.shape());
        }
        Tensor x = tokenEmbedding.apply(ids, training);
        x = x.add(positionEmbedding.apply(x, training));
        for (TransformerDecoder b : blocks) x = b.apply(x, training);
        return head.apply(finalNorm.apply(x, training), training);
    }

    /** {@link #generate(int[], int, Sampling, boolean)} with the KV cache. */
    public int[] generate(int[] prompt, int maxNewTokens, Sampling sampling) {
        return generate(prompt, maxNewTokens, sampling, true);
    }

    /**
     * Continues {@code prompt} by {@code maxNewTokens} tokens; returns the prompt followed by them. With
     * {@code useCache} the prompt fills the KV cache, then each new token runs one position through the
     * model against the cached keys and values (O(T) per token) as one compiled program
     * ({@link DecodeStep}); without, the whole window is recomputed each step (O(T²) per token), the
     * reference the cache is tested against. When the text outgrows sequence_length the window restarts
     * from the last {@code sequence_length / 2} tokens, the same way on both paths.
     */
    public int[] generate(int[] prompt, int maxNewTokens, Sampling sampling, boolean useCache) {
        if (prompt.length == 0) throw new IllegalArgumentException(name() + " (GptModel): the prompt is empty; expected at least one token");
        if (prompt.length > sequenceLength) {
            throw new IllegalArgumentException(name() + " (GptModel): the prompt has " + prompt.length + " tokens, more than the context"
                    + " sequence_length=" + sequenceLength + "; expected at most " + sequenceLength);
        }
        for (int t : prompt) {
            if (t < 0 || t >= vocabSize) {
                throw new IllegalArgumentException(name() + " (GptModel): prompt token " + t + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        if (maxNewTokens < 0) throw new IllegalArgumentException(name() + " (GptModel): maxNewTokens must be >= 0, got " + maxNewTokens);
        ensureBuilt(List.of(dev.javelin.tensor.Shape.of(1, prompt.length)));
        int[] seq = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        Sampling.Picker picker = sampling.newPicker();
        List<KvCache> caches = null;
        int windowStart = 0;
        for (int len = prompt.length; len < seq.length; len++) {
            boolean restart = len - windowStart > sequenceLength;
            if (restart) windowStart = len - Math.max(1, sequenceLength / 2);
            float[] logits;
            if (!useCache) {
                logits = lastRow(call(ids(seq, windowStart, len), false));
            } else if (caches == null || restart) {
                caches = new ArrayList<>();
                for (TransformerDecoder b : blocks) caches.add(b.newCache(1, sequenceLength));
                logits = prefill(seq, windowStart, len, caches);
            } else {
                logits = decodeStep().next(seq[len - 1], caches);
            }
            seq[len] = picker.pick(logits);
        }
        return seq;
    }

    /**
     * Fills the empty caches with tokens [from, to) of seq; returns the last one's logits. A window of
     * at most {@link #PREFILL_BY_STEPS} tokens runs token by token through the compiled decode step (a
     * fraction of a millisecond each), a longer one through the eager batched forward (a millisecond or
     * more for even one token, its cost growing slowly with the length).
     */
    private float[] prefill(int[] seq, int from, int to, List<KvCache> caches) {
        if (to - from > PREFILL_BY_STEPS) return forwardCached(ids(seq, from, to), caches);
        float[] logits = null;
        for (int i = from; i < to; i++) logits = decodeStep().next(seq[i], caches);
        return logits;
    }

    /** New positions [1, n] through the model against the caches; the last position's logits. */
    private float[] forwardCached(Tensor ids, List<KvCache> caches) {
        Tensor x = tokenEmbedding.apply(ids, false);
        x = x.add(positionEmbedding.call(x, caches.get(0).length()));
        for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).callCached(x, caches.get(i));
        return lastRow(head.apply(finalNorm.apply(x, false), false));
    }

    /** The compiled one-token step (see {@link DecodeStep}); the prompt itself goes through {@link #forwardCached}. */
    private DecodeStep decodeStep() {
        if (decodeStep == null) decodeStep = new DecodeStep(blocks.size(), this::decodeTrace);
        return decodeStep;
    }

    /** Decode-step programs compiled so far (one per bucket of cache slots used). */
    long decodeCompilations() {
        return decodeStep == null ? 0 : decodeStep.compilations();
    }

    /** What {@link DecodeStep} compiles: one token at a tensor position against caches passed as tensors. */
    private Tensor[] decodeTrace(Tensor[] a) {
        Tensor x = tokenEmbedding.apply(a[0], false);
        x = x.add(positionEmbedding.call(x, a[1]));
        Tensor[] out = new Tensor[1 + 2 * blocks.size()];
        for (int i = 0; i < blocks.size(); i++) {
            int slots = a[2].dim(-1);
            Tensor keys = KvCache.keySlots(a[3 + 2 * i], slots), values = KvCache.valueSlots(a[4 + 2 * i], slots);
            Tensor[] r = blocks.get(i).stepCached(x, keys, values, a[2]);
            x = r[0];
            out[1 + 2 * i] = r[1];
            out[2 + 2 * i] = r[2];
        }
        out[0] = head.apply(finalNorm.apply(x, false), false).reshape(vocabSize);
        return out;
    }

    private static Tensor ids(int[] seq, int from, int to) {
        return Tensors.of(Arrays.copyOfRange(seq, from, to)).reshape(1, to - from).cast(DType.INT32);
    }

    private float[] lastRow(Tensor logits) {
        int t = logits.dim(1);
        return logits.slice(1, t - 1, t).reshape(vocabSize).toFloatArray();
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("vocabulary_size", vocabSize);
        c.put("sequence_length", sequenceLength);
        c.put("num_layers", numLayers);
        c.put("num_heads", numHeads);
        c.put("hidden_dim", hiddenDim);
        c.put("dropout", dropout);
        return c;
    }

    public static GptModel fromConfig(Map<String, Object> c) {
        return new GptModel(Config.integer(c, "vocabulary_size", 1), Config.integer(c, "sequence_length", 1),
                Config.integer(c, "num_layers", 1), Config.integer(c, "num_heads", 1), Config.integer(c, "hidden_dim", 1),
                Config.number(c, "dropout", 0.0), Config.string(c, "name", null));
    }
}
