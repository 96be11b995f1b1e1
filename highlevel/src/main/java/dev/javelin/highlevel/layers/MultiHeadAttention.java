package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Map;

/**
 * Multi-head attention, as Keras 3's {@code MultiHeadAttention}: query, key and value are projected to
 * {@code num_heads} heads of {@code key_dim} (values: {@code value_dim}), attend with
 * {@code softmax(q·kᵀ/sqrt(key_dim) + mask)}, and the heads are projected back to the query's width
 * (or {@code output_shape}). Weights use Keras's layout and names: {@code query/kernel}
 * [dim, heads, key_dim], {@code query/bias} [heads, key_dim], likewise {@code key} and {@code value},
 * and {@code attention_output/kernel} [heads, value_dim, out], {@code attention_output/bias} [out].
 * Attention runs as the fused op ({@link NN#scaledDotProductAttention}) unless the weights are asked
 * for or dropout applies, which need the composed form. A query row with every key masked gives zeros
 * (Keras gives the mean of the values, PyTorch NaN). Padding masks attached to the inputs (by
 * {@code Embedding(maskZero)} or {@code Masking}, see {@link Masks}) are honoured as Keras does: key j
 * is hidden where the value's (or key's) mask is false, query row i where the query's is; the output
 * carries the query's mask.
 *
 * <p>From PyTorch's {@code nn.MultiheadAttention(E, H)} (head size {@code E/H}, batch_first): with
 * {@code Wq, Wk, Wv} the three [E, E] blocks of {@code in_proj_weight} and {@code bq, bk, bv} of
 * {@code in_proj_bias}, {@code query/kernel = Wqᵀ.reshape(E, H, E/H)}, {@code query/bias =
 * bq.reshape(H, E/H)} (likewise key and value), {@code attention_output/kernel =
 * out_proj.weightᵀ.reshape(H, E/H, E)} and {@code attention_output/bias = out_proj.bias}. A PyTorch
 * boolean {@code attn_mask} (true = hidden) is the negation of this layer's {@code attention_mask}.
 *
 * <pre>{@code
 * MultiHeadAttention mha = new MultiHeadAttention(4, 32);
 * Tensor y = mha.apply(x, x);                                       // self-attention [B, T, dim]
 * Tensor z = mha.call(x, x, null, null, true, false);               // causal (use_causal_mask)
 * Tensor c = new MultiHeadAttention(4, 32, null, 0.0, true, null, new GlorotUniform(), new Zeros(), null, null, true).apply(x); // causal in a functional model
 * MultiHeadAttention.Result r = mha.callWithScores(x, x, null, mask, false, false); // r.scores() [B, heads, T, T]
 * }</pre>
 */
public final class MultiHeadAttention extends Layer implements MaskMerging {
    private final int numHeads, keyDim, valueDim;
    private final double dropout;
    private final boolean useBias;
    /** Whether a call that does not say ({@code apply(x)}, a functional model's call) hides later keys. */
    private final boolean useCausalMask;
    private final Integer outputDim;
    private final Initializer kernelInitializer, biasInitializer;
    private final Dropout dropoutLayer;
    private Variable queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias;

    /** The output and the attention weights [B, heads, Tq, Tk] (Keras's {@code return_attention_scores=True}). */
    public record Result(Tensor output, Tensor scores) {}

    public MultiHeadAttention(int numHeads, int keyDim) {
        this(numHeads, keyDim, null, 0.0, true, null, new GlorotUniform(), new Zeros(), null, null);
    }

    /**
     * Every Keras argument this layer supports.
     *
     * @param valueDim    null means {@code keyDim}
     * @param outputDim   Keras's {@code output_shape} (one int); null means the query's last dimension
     * @param seed        for the dropout on the attention weights; null draws one
     * @param name        null for an automatic name
     */
    public MultiHeadAttention(int numHeads, int keyDim, Integer valueDim, double dropout, boolean useBias, Integer outputDim,
                              Initializer kernelInitializer, Initializer biasInitializer, Long seed, String name) {
        this(numHeads, keyDim, valueDim, dropout, useBias, outputDim, kernelInitializer, biasInitializer, seed, name, false);
    }

    /**
     * As the constructor above; with {@code useCausalMask}, calls that do not pass Keras's
     * {@code use_causal_mask} ({@code apply(x)}, {@code apply(query, value)}, a functional model's call,
     * which records no call arguments) hide key j from query i when j > i (config {@code use_causal_mask};
     * Keras passes it at each call instead).
     */
    public MultiHeadAttention(int numHeads, int keyDim, Integer valueDim, double dropout, boolean useBias, Integer outputDim,
                              Initializer kernelInitializer, Initializer biasInitializer, Long seed, String name, boolean useCausalMask) {
        super(name);
        this.useCausalMask = useCausalMask;
        if (numHeads < 1 || keyDim < 1 || (valueDim != null && valueDim < 1) || (outputDim != null && outputDim < 1)) {
            throw new IllegalArgumentException("MultiHeadAttention: num_heads, key_dim, value_dim and output_shape must be >= 1, got "
                    + numHeads + ", " + keyDim + ", " + valueDim + ", " + outputDim);
        }
        this.numHeads = numHeads;
        this.keyDim = keyDim;
        this.valueDim = valueDim != null ? valueDim : keyDim;
        this.dropout = dropout;
        this.useBias = useBias;
        this.outputDim = outputDim;
        this.kernelInitializer = kernelInitializer;
        this.biasInitializer = biasInitializer;
        this.dropoutLayer = new Dropout(dropout, seed, null);
        track(dropoutLayer);
    }

    @Override
    public void build(Shape queryShape) {
        build(List.of(queryShape, queryShape));
    }

    /** Shapes [query, value], [query, value, key], each [B, T, features], or those and an attention mask's. */
    @Override
    public void build(List<Shape> shapes) {
        if (shapes.size() < 2 || shapes.size() > 4) {
            throw new IllegalArgumentException(name() + " (MultiHeadAttention): expected inputs [query, value], [query, value, key] or"
                    + " [query, value, key, attention_mask], got " + shapes.size() + " inputs " + shapes);
        }
        for (Shape s : shapes.subList(0, Math.min(3, shapes.size()))) {
            if (s.rank() != 3) {
                throw new IllegalArgumentException(name() + " (MultiHeadAttention): expected inputs [batch, T, features], got " + shapes);
            }
        }
        int dq = shapes.get(0).dim(-1), dv = shapes.get(1).dim(-1), dk = shapes.size() >= 3 ? shapes.get(2).dim(-1) : dv;
        int out = outputDim != null ? outputDim : dq;
        queryKernel = addWeight("query/kernel", Shape.of(dq, numHeads, keyDim), kernelInitializer, null, true);
        if (useBias) queryBias = addWeight("query/bias", Shape.of(numHeads, keyDim), biasInitializer, null, true);
        keyKernel = addWeight("key/kernel", Shape.of(dk, numHeads, keyDim), kernelInitializer, null, true);
        if (useBias) keyBias = addWeight("key/bias", Shape.of(numHeads, keyDim), biasInitializer, null, true);
        valueKernel = addWeight("value/kernel", Shape.of(dv, numHeads, valueDim), kernelInitializer, null, true);
        if (useBias) valueBias = addWeight("value/bias", Shape.of(numHeads, valueDim), biasInitializer, null, true);
        outputKernel = addWeight("attention_output/kernel", Shape.of(numHeads, valueDim, out), kernelInitializer, null, true);
        if (useBias) outputBias = addWeight("attention_output/bias", Shape.of(out), biasInitializer, null, true);
    }

    /** Self-attention: {@code apply(x)} is {@code apply(x, x)}. */
    @Override
    public Tensor call(Tensor query, boolean training) {
        return call(query, training, Masks.of(query));
    }

    /** Self-attention under the padding mask of {@code query} ([batch, T], true = a real step). */
    @Override
    public Tensor call(Tensor query, boolean training, Tensor mask) {
        return attend(query, query, null, null, useCausalMask, training, false, mask, mask).output();
    }

    @Override
    public boolean supportsMasking() {
        return true;
    }

    /** Called on [query, value, ...]: the output carries the query's mask, as Keras's (the mask of the first input). */
    @Override
    public Tensor computeMask(List<Tensor> inputs, List<Tensor> masks) {
        return masks.get(0);
    }

    /**
     * [query, value], [query, value, key], or [query, value, key, attention_mask]: Keras's {@code mha(query, value, key,
     * attention_mask=m)}, the mask as an input so that a functional model records it (bool [B, Tq, Tk] or broadcasting to it,
     * true where query i may attend to key j).
     */
    @Override
    public Tensor call(List<Tensor> inputs, boolean training) {
        if (inputs.size() < 2 || inputs.size() > 4) {
            throw new IllegalArgumentException(name() + " (MultiHeadAttention): expected inputs [query, value], [query, value, key] or"
                    + " [query, value, key, attention_mask], got " + inputs.size());
        }
        return call(inputs.get(0), inputs.get(1), inputs.size() >= 3 ? inputs.get(2) : null, inputs.size() == 4 ? inputs.get(3) : null,
                useCausalMask, training);
    }

    /**
     * Keras's {@code call(query, value, key, attention_mask, use_causal_mask, training)}.
     *
     * @param key           null means {@code value}
     * @param attentionMask null, or bool (or 0/1) [B, Tq, Tk]: true where query i may attend to key j
     * @param useCausalMask also hide key j from query i when j > i (always, when the layer was made with {@code use_causal_mask})
     */
    public Tensor call(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean useCausalMask, boolean training) {
        return attend(query, value, key, attentionMask, useCausalMask || this.useCausalMask, training, false, Masks.of(query),
                Masks.of(key != null ? key : value)).output();
    }

    /** As {@link #call(Tensor, Tensor, Tensor, Tensor, boolean, boolean)}, also returning the attention weights. */
    public Result callWithScores(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean useCausalMask, boolean training) {
        return attend(query, value, key, attentionMask, useCausalMask || this.useCausalMask, training, true, Masks.of(query),
                Masks.of(key != null ? key : value));
    }

    /**
     * The attention itself; {@code queryMask} and {@code keyMask} are [batch, T] padding masks (or null)
     * combined with {@code attentionMask} as Keras does.
     */
    Result attend(Tensor query, Tensor value, Tensor key, Tensor attentionMask, boolean causal, boolean training,
                  boolean wantScores, Tensor queryMask, Tensor keyMask) {
        List<Tensor> cast = autocast(java.util.Arrays.asList(query, value, key)); // the direct calls cast as apply does
        query = cast.get(0);
        value = cast.get(1);
        key = cast.get(2);
        Tensor keyIn = key != null ? key : value;
        ensureBuilt(key != null ? List.of(query.shape(), value.shape(), key.shape()) : List.of(query.shape(), value.shape()));
        Tensor q = heads("query", query, queryKernel, queryBias);
        Tensor k = heads("key", keyIn, keyKernel, keyBias);
        Tensor v = heads("value", value, valueKernel, valueBias);
        if (keyIn.dim(0) != query.dim(0) || value.dim(0) != query.dim(0) || keyIn.dim(1) != value.dim(1)) {
            throw new IllegalArgumentException(name() + " (MultiHeadAttention): query " + query.shape() + ", value " + value.shape()
                    + " and key " + keyIn.shape() + " do not fit: expected one batch size for all three and one length S for"
                    + " key and value ([batch, Tq, *], [batch, S, *], [batch, S, *])");
        }
        Tensor mask = mask(attentionMask, query, keyIn, queryMask, keyMask);
        double scale = 1 / Math.sqrt(keyDim);
        Tensor scores = null, attended;
        if (wantScores || (training && dropout > 0)) {
            scores = NN.attentionWeights(q, k, mask, causal, scale);
            attended = dropoutLayer.apply(scores, training).matmul(v);
        } else {
            attended = NN.scaledDotProductAttention(q, k, v, mask, causal, scale);
        }
        return new Result(output(attended), scores);
    }

    /**
     * Causal self-attention of new positions {@code x} [B, n, features] during generation: their keys
     * and values are appended to {@code cache}, and each new position attends to every cached position
     * up to its own. With the cache this costs O(T) per token instead of O(T²) for the whole sequence.
     */
    public Tensor callCached(Tensor x, KvCache cache) {
        ensureBuilt(List.of(x.shape(), x.shape()));
        int start = cache.length(), n = x.dim(1);
        Tensor q = heads("query", x, queryKernel, queryBias);
        cache.append(heads("key", x, keyKernel, keyBias), heads("value", x, valueKernel, valueBias));
        Tensor mask = null;
        if (n > 1 && start > 0) { // new position i sees cached positions j <= start + i
            boolean[] m = new boolean[n * (start + n)];
            for (int i = 0; i < n; i++) for (int j = 0; j <= start + i; j++) m[i * (start + n) + j] = true;
            mask = Tensors.of(m).reshape(n, start + n);
        }
        Tensor attended = NN.scaledDotProductAttention(q, cache.keys(), cache.values(), mask, n > 1 && start == 0, 1 / Math.sqrt(keyDim));
        return output(attended);
    }

    /**
     * One decode step against a cache passed as tensors, the form a compiled decode step traces (its
     * shapes fixed per cache bucket, the position a tensor too): x [B, 1, features]; {@code keys} and
     * {@code values} [B, heads, L, size], the first L cache slots; {@code hidden} float [1, 1, 1, L], 0 for
     * the slots before the new position and -inf from it on. The query attends over the cached slots with
     * the fused kernel, whose logsumexp then merges in the new position's own key and value (the two
     * partial softmaxes of a split key range), so the cache is read once and never copied. Returns the
     * output [B, 1, out] and the new key and value [B, heads, 1, size], for the caller to append to its
     * {@link KvCache}.
     */
    public Tensor[] stepCached(Tensor x, Tensor keys, Tensor values, Tensor hidden) {
        ensureBuilt(List.of(x.shape(), x.shape()));
        double scale = 1 / Math.sqrt(keyDim);
        Tensor q = heads("query", x, queryKernel, queryBias);
        Tensor k = heads("key", x, keyKernel, keyBias), v = heads("value", x, valueKernel, valueBias);
        Tensor packed = SequenceOps.attention(q, keys, values, hidden, new OpAttrs.Attention(scale, false));
        Tensor cached = packed.slice(-1, 0, valueDim), cachedLse = packed.slice(-1, valueDim, valueDim + 1);
        Tensor own = q.mul(k).sum(new int[] {-1}, true).mul(scale);
        Tensor top = cachedLse.maximum(own); // finite: the own score is
        Tensor wCached = cachedLse.sub(top).exp(), wOwn = own.sub(top).exp();
        Tensor attended = cached.mul(wCached).add(v.mul(wOwn)).div(wCached.add(wOwn));
        return new Tensor[] {output(attended), k, v};
    }

    /** [B, T, features] projected to [B, heads, T, size] (the einsum {@code btd,dhk->bhtk}). */
    private Tensor heads(String which, Tensor x, Variable kernel, Variable bias) {
        int in = kernel.shape().dim(0), size = kernel.shape().dim(2);
        if (x.rank() != 3 || x.dim(-1) != in) {
            throw new IllegalArgumentException(name() + " (MultiHeadAttention): expected " + which + " [batch, T, " + in + "], got "
                    + x.shape());
        }
        int b = x.dim(0), t = x.dim(1);
        Tensor y = x.reshape(b * t, in).matmul(kernel.value().reshape(in, numHeads * size));
        if (bias != null) y = y.add(bias.value().reshape(numHeads * size));
        return y.reshape(b, t, numHeads, size).permute(0, 2, 1, 3);
    }

    /** [B, heads, Tq, value_dim] back to [B, Tq, out] through the output projection. */
    private Tensor output(Tensor attended) {
        int b = attended.dim(0), t = attended.dim(2), out = outputKernel.shape().dim(2);
        Tensor merged = attended.permute(0, 2, 1, 3).reshape(b * t, numHeads * valueDim);
        Tensor y = merged.matmul(outputKernel.value().reshape(numHeads * valueDim, out));
        if (outputBias != null) y = y.add(outputBias.value());
        return y.reshape(b, t, out);
    }

    /**
     * Keras's attention_mask [B, Tq, Tk] (or broadcasting to it) and the padding masks (query rows,
     * keys) as one bool mask over heads [B, 1, Tq, Tk]; null when there is none.
     */
    private Tensor mask(Tensor attentionMask, Tensor query, Tensor key, Tensor queryMask, Tensor keyMask) {
        Tensor m = attentionMask == null ? null : attentionMask(attentionMask, query, key);
        String who = name() + " (MultiHeadAttention)";
        if (queryMask != null) m = and(m, Masks.check(who, query, queryMask).reshape(query.dim(0), query.dim(1), 1));
        if (keyMask != null) m = and(m, Masks.check(who, key, keyMask).reshape(key.dim(0), 1, key.dim(1)));
        return m == null ? null : m.unsqueeze(1);
    }

    private static Tensor and(Tensor a, Tensor b) {
        return a == null ? b : dev.javelin.tensor.MathOps.logicalAnd(a, b);
    }

    private Tensor attentionMask(Tensor attentionMask, Tensor query, Tensor key) {
        Shape expected = Shape.of(query.dim(0), query.dim(1), key.dim(1));
        if (attentionMask.rank() > 3 || !attentionMask.shape().broadcastsTo(expected)) {
            throw new IllegalArgumentException(name() + " (MultiHeadAttention): attention_mask " + attentionMask.dtype() + attentionMask.shape()
                    + " does not match query " + query.shape() + " and key " + key.shape() + ": expected [batch, Tq, Tk] = " + expected);
        }
        Tensor m = attentionMask.dtype() == DType.BOOL ? attentionMask : attentionMask.cast(DType.BOOL);
        int[] d = {1, 1, 1};
        System.arraycopy(m.shape().toArray(), 0, d, 3 - m.rank(), m.rank());
        return m.reshape(d);
    }

    @Override
    public Shape computeOutputShape(Shape queryShape) {
        return queryShape.with(-1, outputDim != null ? outputDim : queryShape.dim(-1));
    }

    public int numHeads() { return numHeads; }

    public int keyDim() { return keyDim; }

    public int valueDim() { return valueDim; }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("num_heads", numHeads);
        c.put("key_dim", keyDim);
        c.put("value_dim", valueDim);
        c.put("dropout", dropout);
        c.put("use_bias", useBias);
        c.put("output_shape", outputDim);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("seed", dropoutLayer.seedGenerator().seed());
        if (useCausalMask) c.put("use_causal_mask", true);
        return c;
    }

    public static MultiHeadAttention fromConfig(Map<String, Object> c) {
        // strictly, as every layer's config: a value_dim of "x" or an output_shape of [null] used to read as absent (or fail with
        // a ClassCastException), and a seed of 3.5 as 3
        Integer valueDim = c.get("value_dim") == null ? null : Config.integerIn(c, "value_dim", 1, 1, Integer.MAX_VALUE);
        Integer outputDim = c.get("output_shape") == null ? null : Config.ints(c, "output_shape", 1, null, 1)[0];
        // Keras 3 writes these too: attention over the sequence axis (what Keras fills in once built on [batch, T, dim]), no gate
        int[] axes = Config.ints(c, "attention_axes", 0, new int[] {1});
        if (axes.length != 1 || (axes[0] != 1 && axes[0] != -2)) {
            throw new IllegalArgumentException("config key 'attention_axes' is " + Config.list(axes) + ", expected [1] (the sequence axis of [batch, T, dim])");
        }
        if (Config.bool(c, "use_gate", false)) throw new IllegalArgumentException("config key 'use_gate' is true: gated attention is not supported");
        return new MultiHeadAttention(Config.requiredInteger(c, "num_heads", 1, Integer.MAX_VALUE),
                Config.requiredInteger(c, "key_dim", 1, Integer.MAX_VALUE), valueDim, Config.number(c, "dropout", 0.0),
                Config.bool(c, "use_bias", true), outputDim,
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.optionalLong(c, "seed"), Config.string(c, "name", null), Config.bool(c, "use_causal_mask", false));
    }
}
