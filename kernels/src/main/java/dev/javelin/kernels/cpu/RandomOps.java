package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.CounterRng;

/**
 * RANDOM_UNIFORM and RANDOM_NORMAL: element i of the output is {@link CounterRng}'s value at index
 * i of the stream keyed by the seed, so every backend and thread count gives the same bits.
 */
final class RandomOps {
    private RandomOps() {}

    static void fill(Op op, Tensor seedTensor, Tensor out) {
        long seed = Elementwise.heap(seedTensor).getLong(seedTensor.offset());
        float[] o = Elementwise.heap(out).floats();
        boolean normal = op == Op.RANDOM_NORMAL;
        CpuThreads.parallelFor(o.length, StridedLoop.CHUNK / 4, (from, to) -> {
            if (normal) {
                for (int i = from; i < to; i++) o[i] = CounterRng.normal(seed, i);
            } else {
                for (int i = from; i < to; i++) o[i] = CounterRng.uniform(seed, i);
            }
        });
    }
}
