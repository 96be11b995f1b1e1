package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.RandomPtx;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * RANDOM_UNIFORM on the device, bit for bit as {@code CounterRng}. RANDOM_NORMAL is defined through
 * {@code StrictMath.log} and {@code cos} in double, which the GPU has no instructions for; it runs
 * on the host ({@link #supports} says no), which keeps it exact.
 */
final class CudaRandom {
    private CudaRandom() {}

    static boolean supports(Op op) {
        return op == Op.RANDOM_UNIFORM;
    }

    static void random(KernelRunner r, OpCall call, Tensor out) {
        if (call.op() != Op.RANDOM_UNIFORM) throw new IllegalArgumentException("cuda: " + call.op().label() + " runs on the host");
        Tensor seed = call.input(0);
        String entry = PtxCache.entry(RandomPtx.UNIFORM, RandomPtx::uniform);
        int n = out.shape().sizeAsInt();
        r.launch(new Launch(RandomPtx.UNIFORM, entry, CudaKernels.gridFor(n, RandomPtx.BLOCK), 1, 1, RandomPtx.BLOCK, 0,
                List.of(CudaKernels.address(out, true), n, CudaKernels.address(seed, false), seed.offset())));
    }
}
