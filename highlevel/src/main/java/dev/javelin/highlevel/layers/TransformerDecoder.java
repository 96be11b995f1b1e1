package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only transformer block, as KerasHub's {@code TransformerDecoder} without cross-attention:
 * causal multi-head self-attention (heads of {@code hidden / num_heads}) and a two-layer feed-forward
 * network ({@code intermediate_dim}, then back to {@code hidden}), each with dropout and a residual
 * connection, and layer normalization after each (or, with {@code normalize_first}, before each: the
 * pre-LN block of GPT-2).
 *
 * <pre>{@code
 * Layer block = new TransformerDecoder(512, 4, 0.0, "gelu", 1e-5, true, null);   // pre-LN, GELU
 * Tensor y = block.apply(x);                                                 // [B, T, 128] to [B, T, 128]
 * }</pre>
 */
public final class TransformerDecoder extends Layer {
    private final int intermediateDim, numHeads;
    private final double dropout, layerNormEpsilon;
    private final String activation;
    private final boolean normalizeFirst;
    private final Initializer kernelInitializer, biasInitializer;
    private MultiHeadAttention selfAttention;
    private LayerNormalization attentionNorm, feedforwardNorm;
    private Dense intermediate, output;
    private Dropout attentionDropout, feedforwardDropout;

    public TransformerDecoder(int intermediateDim, int numHeads) {
        this(intermediateDim, numHeads, 0.0, "relu", 1e-5, false, null);
    }

    /** KerasHub's arguments (kernel and bias initializers Glorot uniform and zeros); {@code name} null for an automatic one. */
    public TransformerDecoder(int intermediateDim, int numHeads, double dropout, String activation, double layerNormEpsilon,
                              boolean normalizeFirst, String name) {
        super(name);
        if (intermediateDim < 1 || numHeads < 1) {
            throw new IllegalArgumentException("TransformerDecoder: intermediate_dim and num_heads must be >= 1, got " + intermediateDim
                    + ", " + numHeads);
        }
        this.intermediateDim = intermediateDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.activation = activation == null ? "relu" : activation;
        this.layerNormEpsilon = layerNormEpsilon;
        this.normalizeFirst = normalizeFirst;
        this.kernelInitializer = new GlorotUniform();
        this.biasInitializer = new Zeros();
        Activations.get(this.activation); // fails now on an unknown name
    }

    @Override
    public void build(Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(name() + " (TransformerDecoder): expected inputs [batch, T, hidden], got " + in);
        }
        int hidden = in.dim(-1);
        if (hidden % numHeads != 0) {
            throw new IllegalArgumentException(name() + " (TransformerDecoder): hidden size " + hidden + " of inputs " + in
                    + " is not divisible by num_heads=" + numHeads);
        }
        String n = name();
        selfAttention = new MultiHeadAttention(numHeads, hidden / numHeads, null, dropout, true, null, kernelInitializer, biasInitializer,
                null, n + "/self_attention");
        attentionNorm = new LayerNormalization(layerNormEpsilon, true, true, n + "/self_attention_layer_norm");
        attentionDropout = new Dropout(dropout, null, n + "/self_attention_dropout");
        intermediate = new Dense(intermediateDim, activation, true, kernelInitializer, biasInitializer, null, null,
                n + "/feedforward_intermediate_dense");
        output = new Dense(hidden, null, true, kernelInitializer, biasInitializer, null, null, n + "/feedforward_output_dense");
        feedforwardNorm = new LayerNormalization(layerNormEpsilon, true, true, n + "/feedforward_layer_norm");
        feedforwardDropout = new Dropout(dropout, null, n + "/feedforward_dropout");
        for (Layer l : List.of(selfAttention, attentionNorm, attentionDropout, intermediate, output, feedforwardNorm, feedforwardDropout)) {
            track(l);
            l.ensureBuilt(List.of(l == output ? in.with(-1, intermediateDim) : in));
        }
    }

    /** Causal self-attention over the whole sequence [B, T, hidden]. */
    @Override
    public Tensor call(Tensor x, boolean training) {
        return call(x, training, Masks.of(x));
    }

    /** Under a padding mask [B, T] (true = a real step): padded positions are hidden as keys. */
    @Override
    public Tensor call(Tensor x, boolean training, Tensor mask) {
        return block(x, mask, training);
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    /** The new positions x [B, n, hidden] of a generation, attending over {@code cache} (see {@link MultiHeadAttention#callCached}). */
    public Tensor callCached(Tensor x, KvCache cache) {
        ensureBuilt(List.of(x.shape()));
        return block(x, h -> selfAttention.callCached(h, cache), false);
    }

    /**
     * One decode step x [B, 1, hidden] against a cache passed as tensors (see
     * {@link MultiHeadAttention#stepCached}): returns the block's output and the new key and value.
     */
    public Tensor[] stepCached(Tensor x, Tensor keys, Tensor values, Tensor hidden) {
        ensureBuilt(List.of(x.shape()));
        Tensor[] kv = new Tensor[2];
        Tensor y = block(x, h -> {
            Tensor[] r = selfAttention.stepCached(h, keys, values, hidden);
            kv[0] = r[1];
            kv[1] = r[2];
            return r[0];
        }, false);
        return new Tensor[] {y, kv[0], kv[1]};
    }

    private Tensor block(Tensor x, Tensor mask, boolean training) {
        return block(x, h -> selfAttention.attend(h, h, null, null, true, training, false, mask, mask).output(), training);
    }

    /** The block around its self-attention {@code attention} (normalized input to attended output). */
    private Tensor block(Tensor x, java.util.function.UnaryOperator<Tensor> attention, boolean training) {
        Tensor h = normalizeFirst ? attentionNorm.apply(x, training) : x;
        Tensor a = attention.apply(h);
        x = x.add(attentionDropout.apply(a, training));
        if (!normalizeFirst) x = attentionNorm.apply(x, training);
        h = normalizeFirst ? feedforwardNorm.apply(x, training) : x;
        Tensor f = output.apply(intermediate.apply(h, training), training);
        x = x.add(feedforwardDropout.apply(f, training));
        if (!normalizeFirst) x = feedforwardNorm.apply(x, training);
        return x;
    }

    /** A cache sized for this block's attention: {@code batch} sequences of up to {@code capacity} positions. */
    public KvCache newCache(int batch, int capacity) {
        if (selfAttention == null) throw new IllegalStateException(name() + " (TransformerDecoder): build the layer before making a cache");
        return new KvCache(batch, numHeads, selfAttention.keyDim(), selfAttention.valueDim(), capacity);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("intermediate_dim", intermediateDim);
        c.put("num_heads", numHeads);
        c.put("dropout", dropout);
        c.put("activation", activation);
        c.put("layer_norm_epsilon", layerNormEpsilon);
        c.put("normalize_first", normalizeFirst);
        return c;
    }

    public static TransformerDecoder fromConfig(Map<String, Object> c) {
        return new TransformerDecoder(Config.integer(c, "intermediate_dim", 1), Config.integer(c, "num_heads", 1),
                Config.number(c, "dropout", 0.0), Config.string(c, "activation", "relu"), Config.number(c, "layer_norm_epsilon", 1e-5),
                Config.bool(c, "normalize_first", false), Config.string(c, "name", null));
    }
}
