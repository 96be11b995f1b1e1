package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * A learned position embedding, as KerasHub's {@code PositionEmbedding}: a trainable
 * [sequence_length, features] table whose first T rows are returned, broadcast to the input's
 * shape [B, T, features], for the caller to add to the token embeddings. {@link #call(Tensor, int)}
 * starts at a later position (a decode step with a KV cache).
 *
 * <pre>{@code
 * Tensor tokens = new Embedding(vocab, 128).apply(ids);               // [B, T, 128]
 * Tensor x = tokens.add(new PositionEmbedding(128).apply(tokens));    // positions 0..T-1, on data
 * Tensor in = Input.of(new int[] {128}, DType.INT64, null);           // in a functional model, a layer adds them
 * Tensor e = new Embedding(vocab, 128).apply(in);
 * Tensor s = new Add().apply(e, new PositionEmbedding(128).apply(e));
 * }</pre>
 */
public final class PositionEmbedding extends Layer {
    private final int sequenceLength;
    private final Initializer initializer;
    private Variable embeddings;

    public PositionEmbedding(int sequenceLength) {
        this(sequenceLength, new GlorotUniform(), null);
    }

    /** @param name null for an automatic name */
    public PositionEmbedding(int sequenceLength, Initializer initializer, String name) {
        super(name);
        if (sequenceLength < 1) throw new IllegalArgumentException("PositionEmbedding: sequence_length must be >= 1, got " + sequenceLength);
        this.sequenceLength = sequenceLength;
        this.initializer = initializer;
    }

    @Override
    public void build(Shape in) {
        if (in.rank() < 2) {
            throw new IllegalArgumentException(name() + " (PositionEmbedding): expected inputs [batch, T, features], got " + in);
        }
        embeddings = addWeight("embeddings", Shape.of(sequenceLength, in.dim(-1)), initializer, null, true);
    }

    @Override
    public Tensor call(Tensor inputs, boolean training) {
        return call(inputs, 0);
    }

    /**
     * The embeddings at the int32 {@code positions} [T] (a tensor, so one compiled decode step serves every
     * position), broadcast to {@code inputs} [batch, T, features]. A position outside the table fails
     * when the gather runs.
     */
    public Tensor call(Tensor inputs, Tensor positions) {
        ensureBuilt(java.util.List.of(inputs.shape()));
        int t = inputs.dim(-2), features = embeddings.shape().dim(1);
        if (inputs.dim(-1) != features || positions.rank() != 1 || positions.dim(0) != t || !positions.dtype().isInteger()) {
            throw new IllegalArgumentException(name() + " (PositionEmbedding): expected inputs [batch, T, " + features
                    + "] and integer positions [T], got " + inputs.shape() + " and " + positions.dtype() + positions.shape());
        }
        Tensor rows = positions.reshape(t, 1).expand(t, features);
        return dev.javelin.tensor.IndexingOps.gather(embeddings.value(), 0, rows).expand(inputs.shape().toArray());
    }

    /** The embeddings of positions {@code start .. start + T - 1}, broadcast to {@code inputs}' shape. */
    public Tensor call(Tensor inputs, int start) {
        ensureBuilt(java.util.List.of(inputs.shape()));
        int t = inputs.dim(-2), features = embeddings.shape().dim(1);
        if (inputs.dim(-1) != features) {
            throw new IllegalArgumentException(name() + " (PositionEmbedding): expected inputs [batch, T, " + features + "], got "
                    + inputs.shape());
        }
        if (start < 0 || start + t > sequenceLength) {
            throw new IllegalArgumentException(name() + " (PositionEmbedding): positions " + start + ".." + (start + t - 1)
                    + " of inputs " + inputs.shape() + " do not fit sequence_length=" + sequenceLength
                    + "; expected at most " + sequenceLength + " positions");
        }
        return embeddings.value().slice(0, start, start + t).expand(inputs.shape().toArray());
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return in;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("sequence_length", sequenceLength);
        c.put("initializer", Config.of(initializer));
        return c;
    }

    public static PositionEmbedding fromConfig(Map<String, Object> c) {
        return new PositionEmbedding(Config.integer(c, "sequence_length", 1), Config.initializer(c, "initializer", new GlorotUniform()),
                Config.string(c, "name", null));
    }
}
