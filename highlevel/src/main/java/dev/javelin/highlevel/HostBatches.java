package dev.javelin.highlevel;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.List;
import java.util.SplittableRandom;

/** Host-side batching for {@code fit}/{@code evaluate}/{@code predict}: rows by index, and joining results. */
final class HostBatches {
    private HostBatches() {}

    /** Dense host copies, so that row copies are plain array copies. */
    static List<Tensor> dense(List<Tensor> ts, String what) {
        return ts.stream().map(t -> {
            if (t.isSymbolic()) throw new IllegalArgumentException(what + ": " + t.dtype() + t.shape() + " is symbolic; expected data");
            if (t.rank() == 0) throw new IllegalArgumentException(what + ": expected tensors with the batch first, got a scalar");
            return Tensor.wrap(t.toHost(), t.shape());
        }).toList();
    }

    /** Rows {@code idx[from..to)} of a dense host tensor, copied into a new dense tensor. */
    static Tensor rows(Tensor t, int[] idx, int from, int to) {
        HeapStorage src = (HeapStorage) t.storage();
        int[] dims = t.shape().toArray();
        int row = dims[0] == 0 ? 0 : src.length() / dims[0];
        HeapStorage dst = HeapStorage.allocate(t.dtype(), (to - from) * row);
        Object a = src.array();
        Object b = dst.array();
        for (int k = from; k < to; k++) System.arraycopy(a, idx[k] * row, b, (k - from) * row, row);
        dims[0] = to - from;
        return Tensor.wrap(dst, Shape.of(dims));
    }

    /**
     * Joins predict's per-batch values of output {@code output} along the batch axis. They must agree after it,
     * as Keras's concatenation requires: a scalar per batch, or other dimensions that change from batch to batch
     * (a length padded per batch), are refused naming the output; they were copied row by row into a wrong layout.
     */
    static Tensor concat(List<Tensor> parts, int output) {
        Tensor first = parts.get(0);
        if (first.rank() == 0) {
            throw new IllegalArgumentException("predict: output " + output + " is a scalar " + first.dtype() + first.shape()
                    + " per batch, with no batch axis to join batches along (call the model, or predictOnBatch, instead)");
        }
        int n = 0;
        for (int b = 0; b < parts.size(); b++) {
            Shape s = parts.get(b).shape();
            if (s.rank() != first.rank() || !s.sub(1, s.rank()).equals(first.shape().sub(1, first.rank()))) {
                throw new IllegalArgumentException("predict: output " + output + " is " + s + " in batch " + b + " but "
                        + first.shape() + " in batch 0; batches join only when they agree after the batch axis "
                        + "(pad every batch to one length, or predict each batch with predictOnBatch)");
            }
            n += s.dim(0);
        }
        int[] dims = first.shape().toArray();
        int row = dims[0] == 0 ? 0 : (int) (first.size() / dims[0]);
        HeapStorage dst = HeapStorage.allocate(first.dtype(), n * row);
        int at = 0;
        for (Tensor p : parts) {
            HeapStorage h = p.toHost();
            System.arraycopy(h.array(), 0, dst.array(), at, h.length());
            at += h.length();
        }
        dims[0] = n;
        return Tensor.wrap(dst, Shape.of(dims));
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** Fisher-Yates from a generator keyed by seed and epoch: the same order for the same pair. */
    static int[] permutation(int n, long seed, int epoch) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed + 0x9E3779B97F4A7C15L * (epoch + 1L)));
        int[] p = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
