package dev.javelin.highlevel.models;

import dev.javelin.highlevel.layers.KvCache;
import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.function.Function;

/**
 * A decoder's per-token generation step as one compiled program instead of some 380 eager ops: the
 * token, its position, and each layer's cache are arguments, so nothing about the step is baked into
 * the program but the cache bucket, the number of slots it attends over (powers of two from
 * {@link #MIN_SLOTS} up to the capacity: at most five programs for a context of 128). Slots from the
 * new position on are masked out; the new position's key and value join through the attention's
 * logsumexp (see {@code MultiHeadAttention.stepCached}), come back, and are appended to the caches here,
 * on the host.
 */
final class DecodeStep {
    /** The smallest bucket of cache slots a program attends over. */
    static final int MIN_SLOTS = 8;

    private final CompiledFunction program;
    private final int layers;

    /**
     * @param traced the step as tensors: (token [1, 1], position [1], hidden [1, 1, 1, L] (0 before the
     *               position, -inf from it on: its length is the bucket), then each layer's whole key and
     *               value storage ({@link KvCache#keyStorage()}, {@link KvCache#valueStorage()}), from which
     *               it takes the bucket's slots as views) to (logits [vocab], then each layer's new key and
     *               value [1, heads, 1, size])
     */
    DecodeStep(int layers, Function<Tensor[], Tensor[]> traced) {
        this.layers = layers;
        this.program = Jit.compile(traced);
    }

    /** Runs the token at the caches' next position through the program; appends its keys and values; returns its logits. */
    float[] next(int token, List<KvCache> caches) {
        KvCache first = caches.get(0);
        int position = first.length(), slots = slotsFor(position + 1, first.capacity());
        float[] hidden = new float[slots];
        java.util.Arrays.fill(hidden, position, slots, Float.NEGATIVE_INFINITY);
        Tensor[] args = new Tensor[3 + 2 * layers];
        args[0] = Tensors.of(new int[] {token}).reshape(1, 1).cast(DType.INT32);
        args[1] = Tensors.of(new int[] {position}).cast(DType.INT32);
        args[2] = Tensors.of(hidden).reshape(1, 1, 1, slots);
        for (int i = 0; i < layers; i++) {
            args[3 + 2 * i] = caches.get(i).keyStorage();
            args[4 + 2 * i] = caches.get(i).valueStorage();
        }
        Tensor[] out = program.call(args);
        for (int i = 0; i < layers; i++) caches.get(i).append(out[1 + 2 * i], out[2 + 2 * i]);
        return out[0].toFloatArray();
    }

    /** Programs compiled so far (one per bucket used). */
    long compilations() {
        return program.compilations();
    }

    /** The bucket for {@code needed} slots: the next power of two from MIN_SLOTS, at most the capacity. */
    static int slotsFor(int needed, int capacity) {
        int slots = MIN_SLOTS;
        while (slots < needed) slots *= 2;
        return Math.min(slots, capacity);
    }
}
