package dev.javelin.highlevel.layers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;

/**
 * The keys and values one self-attention layer has computed so far in a generation, so a new token
 * costs one row of projections and one pass over the cache (O(T)) instead of recomputing the whole
 * sequence (O(T²)). Storage is preallocated for {@code capacity} positions on the CPU heap: values as
 * [B, heads, capacity, D], keys transposed as [B, heads, D, capacity], the layout the attention kernel
 * multiplies a query by (so a decode step reads them in place); {@link #keys()} and {@link #values()}
 * are [B, heads, T, D] views of the filled part, so appending copies only the new positions.
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
    public void append(Tensor k, Tensor v) {
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
        float[] kv = k.toFloatArray(), kt = keys.floats();
        for (int bh = 0; bh < batch * heads; bh++) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < keyDim; c++) kt[(bh * keyDim + c) * capacity + length + i] = kv[(bh * n + i) * keyDim + c];
            }
        }
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
        return keySlots(length);
    }

    /** The cached values [B, heads, length, valueDim]. */
    public Tensor values() {
        return valueSlots(length);
    }

    /** The whole key storage [B, heads, keyDim, capacity] (keys transposed), filled or not: a compiled decode step's argument. */
    public Tensor keyStorage() {
        return Tensor.wrap(keys, Shape.of(batch, heads, keyDim, capacity), new int[] {heads * keyDim * capacity, keyDim * capacity, capacity, 1}, 0);
    }

    /** The whole value storage [B, heads, capacity, valueDim], filled or not. */
    public Tensor valueStorage() {
        return Tensor.wrap(values, Shape.of(batch, heads, capacity, valueDim), new int[] {heads * capacity * valueDim, capacity * valueDim, valueDim, 1}, 0);
    }

    /**
     * The first {@code slots} positions [B, heads, slots, keyDim] of a {@link #keyStorage()}, a view (so a
     * compiled step that takes them from its argument reads the cache in place).
     */
    public static Tensor keySlots(Tensor keyStorage, int slots) {
        return keyStorage.slice(3, 0, slots).permute(0, 1, 3, 2);
    }

    /** The first {@code slots} positions [B, heads, slots, valueDim] of a {@link #valueStorage()}, a view. */
    public static Tensor valueSlots(Tensor valueStorage, int slots) {
        return valueStorage.slice(2, 0, slots);
    }

    /** The first {@code slots} positions of the keys [B, heads, slots, keyDim], filled or not (see {@link #keySlots(Tensor, int)}). */
    public Tensor keySlots(int slots) {
        checkSlots(slots);
        return keySlots(keyStorage(), slots);
    }

    /** The first {@code slots} positions of the values [B, heads, slots, valueDim], filled or not. */
    public Tensor valueSlots(int slots) {
        checkSlots(slots);
        return valueSlots(valueStorage(), slots);
    }

    private void checkSlots(int slots) {
        if (slots < 0 || slots > capacity) {
            throw new IllegalArgumentException("KvCache: " + slots + " slots requested of a capacity of " + capacity);
        }
    }
}
