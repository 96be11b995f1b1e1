package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.RandomUniform;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.IndexingOps;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Map;

/**
 * Maps integer ids to rows of a trainable table: [N, L] ids to [N, L, outputDim], as Keras's
 * Embedding. Ids must lie in {@code [0, inputDim)}. With {@code maskZero} the id 0 is padding:
 * the output carries the mask {@code ids != 0} ({@link Masks}) that recurrent layers, pooling,
 * attention and the losses honour.
 *
 * <pre>{@code
 * Layer e = new Embedding(10_000, 64);
 * Layer padded = new Embedding(10_000, 64, true);   // mask_zero=True
 * }</pre>
 */
public final class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private final Initializer initializer;
    private final boolean maskZero;
    private Variable embeddings;

    public Embedding(int inputDim, int outputDim) {
        this(inputDim, outputDim, new RandomUniform(), false, null);
    }

    /** @param maskZero Keras's {@code mask_zero}: id 0 is padding and masked out downstream */
    public Embedding(int inputDim, int outputDim, boolean maskZero) {
        this(inputDim, outputDim, new RandomUniform(), maskZero, null);
    }

    public Embedding(int inputDim, int outputDim, Initializer initializer, String name) {
        this(inputDim, outputDim, initializer, false, name);
    }

    public Embedding(int inputDim, int outputDim, Initializer initializer, boolean maskZero, String name) {
        super(name);
        this.maskZero = maskZero;
        if (inputDim < 1 || outputDim < 1) {
            throw new IllegalArgumentException("Embedding: inputDim and outputDim must be >= 1, got " + inputDim + ", " + outputDim);
        }
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.initializer = requireInitializer("Embedding", "embeddings_initializer", initializer);
    }

    @Override
    public void build(Shape in) {
        embeddings = addWeight("embeddings", Shape.of(inputDim, outputDim), initializer, null, true);
    }

    @Override
    public Tensor call(Tensor ids, boolean training) {
        Tensor idx = ids.dtype().isInteger() ? ids : ids.cast(DType.INT64);
        int m = (int) idx.size();
        Tensor rows = idx.reshape(m, 1).expand(m, outputDim);
        Tensor out = IndexingOps.gather(embeddings.value(), 0, rows);
        int[] dims = new int[ids.rank() + 1];
        System.arraycopy(ids.shape().toArray(), 0, dims, 0, ids.rank());
        dims[ids.rank()] = outputDim;
        return out.reshape(dims);
    }

    /** Only with {@code maskZero}: the mask is made here rather than passed through. */
    @Override
    public boolean supportsMasking() {
        return maskZero;
    }

    /** {@code ids != 0} with {@code maskZero}, else none. */
    @Override
    public Tensor computeMask(Tensor ids, Tensor previousMask) {
        if (!maskZero) return null;
        return ids.ne(Ops.scalarLike(ids, 0));
    }

    public boolean maskZero() {
        return maskZero;
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        int[] dims = new int[in.rank() + 1];
        System.arraycopy(in.toArray(), 0, dims, 0, in.rank());
        dims[in.rank()] = outputDim;
        return Shape.of(dims);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("input_dim", inputDim);
        c.put("output_dim", outputDim);
        c.put("embeddings_initializer", Config.of(initializer));
        c.put("mask_zero", maskZero);
        return c;
    }

    public static Embedding fromConfig(Map<String, Object> c) {
        return new Embedding(Config.requiredInteger(c, "input_dim", 1, Integer.MAX_VALUE),
                Config.requiredInteger(c, "output_dim", 1, Integer.MAX_VALUE),
                Config.initializer(c, "embeddings_initializer", new RandomUniform()), Config.bool(c, "mask_zero", false),
                Config.string(c, "name", null));
    }
}
