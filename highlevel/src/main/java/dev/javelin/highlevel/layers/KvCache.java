package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The keys and values one self-attention layer has computed so far in a generation, so a new token
 * costs one row of projections and one pass over the cache (O(T)) instead of recomputing the whole
 * sequence (O(T²)). Storage is preallocated for {@code capacity} positions as [B, heads, capacity, D]
 * on the CPU heap; {@link #keys()} and {@link #values()} are views of the filled part, so appending
 * copies only the new rows.
 *
 * <pre>{@code
 * KvCache cache = new KvCache(1, 4, 32, 32, 128);
 * Tensor y = attention.callCached(x, cache);   // appends x's keys and values, attends over the cache
 * }</pre>
 */
public final class KvCache {
    private final int batch, heads, keyDim, valueDim, capacity;
    private final HeapStorage keys, values;
    private int length;

    public KvCache(int batch, int heads, int keyDim, int valueDim, int capacity) {
        if (batch < 1 || heads < 1 || keyDim < 1 || valueDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("KvCache: every size must be >= 1, got batch=" + batch + " heads=" + heads
                    + " keyDim=" + keyDim + " valueDim=" + valueDim + " capacity=" + capacity);
        }
        this.batch = batch;
        this.heads = heads;
        this.keyDim = keyDim;
        this.valueDim = valueDim;
        this.capacity = capacity;
        this.keys = HeapStorage.allocate(DType.FLOAT32, batch * heads * capacity * keyDim);
        this.values = HeapStorage.allocate(DType.FLOAT32, batch * heads * capacity * valueDim);
    }

    /** Positions filled so far: the position of the next token. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets every position (the storage is reused). */
    public void clear() {
        length = 0;
    }

    /** Appends k [B, heads, n, keyDim] and v [B, heads, n, valueDim] at positions length .. length + n - 1. */
    void append(Tensor k, Tensor v) {
        int n = k.dim(2);
        Shape ek = Shape.of(batch, heads, n, keyDim), ev = Shape.of(batch, heads, n, valueDim);
        if (!k.shape().equals(ek) || !v.shape().equals(ev)) {
            throw new IllegalArgumentException("KvCache: expected keys " + ek + " and values " + ev + ", got " + k.shape() + " and "
                    + v.shape());
        }
        if (length + n > capacity) {
            throw new IllegalArgumentException("KvCache: " + n + " new positions after " + length + " exceed the capacity " + capacity
                    + " (the model's sequence_length)");
        }
        copyIn(k.toFloatArray(), keys.floats(), n, keyDim);
        copyIn(v.toFloatArray(), values.floats(), n, valueDim);
        length += n;
    }

    private void copyIn(float[] src, float[] dst, int n, int d) {
        for (int bh = 0; bh < batch * heads; bh++) {
            System.arraycopy(src, bh * n * d, dst, (bh * capacity + length) * d, n * d);
        }
    }

    /** The cached keys [B, heads, length, keyDim], a view of the storage. */
    public Tensor keys() {
        return view(keys, keyDim);
    }

    /** The cached values [B, heads, length, valueDim]. */
    public Tensor values() {
        return view(values, valueDim);
    }

    private Tensor view(HeapStorage s, int d) {
        return Tensor.wrap(s, Shape.of(batch, heads, length, d), new int[] {heads * capacity * d, capacity * d, d, 1}, 0);
    }
}
