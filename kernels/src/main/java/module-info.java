/**
 * The fast backends. {@code dev.javelin.kernels.cpu}: the Vector API CPU backend and its shared
 * thread pool. The incubator module is optional ({@code requires static}): start java with
 * {@code --add-modules jdk.incubator.vector} for the fast loops; without it the backend runs scalar
 * loops and says so once.
 */
module dev.javelin.kernels {
    requires dev.javelin.tensor;
    requires static jdk.incubator.vector;
    requires org.objectweb.asm; // generated CPU kernels (dev.javelin.kernels.codegen)
    requires org.objectweb.asm.util;
    requires static jcuda; // optional: only GPU users put JCuda on the path (see dev.javelin.kernels.cuda)

    exports dev.javelin.kernels.cpu;
    exports dev.javelin.kernels.cpu.gemm;
    exports dev.javelin.kernels.ir;
    exports dev.javelin.kernels.codegen;
    exports dev.javelin.kernels.cuda;
    exports dev.javelin.kernels.cuda.ptx;

    provides dev.javelin.tensor.spi.Backend with dev.javelin.kernels.cpu.CpuBackend, dev.javelin.kernels.cuda.CudaBackend;
}
