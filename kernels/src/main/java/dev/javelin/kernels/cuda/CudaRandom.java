package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.ptx.RandomPtx;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import java.util.List;

/**
 * RANDOM_UNIFORM and RANDOM_NORMAL on the device, bit for bit as {@code CounterRng}: the normal's
 * {@code StrictMath.log} and {@code cos} are fdlibm's operation sequences in float64 PTX.
 */
final class CudaRandom {
    private CudaRandom() {}

    static boolean supports(Op op) {
        return op == Op.RANDOM_UNIFORM || op == Op.RANDOM_NORMAL;
    }

    static void random(KernelRunner r, OpCall call, Tensor out) {
        boolean normal = call.op() == Op.RANDOM_NORMAL;
        Tensor seed = call.input(0);
        String name = normal ? RandomPtx.NORMAL : RandomPtx.UNIFORM;
        String entry = PtxCache.entry(name, normal ? RandomPtx::normal : RandomPtx::uniform);
        int n = out.shape().sizeAsInt();
        r.launch(new Launch(name, entry, CudaKernels.gridFor(n, RandomPtx.BLOCK), 1, 1, RandomPtx.BLOCK, 0,
                List.of(CudaKernels.address(out, true), n, CudaKernels.address(seed, false), seed.offset())));
    }
}
