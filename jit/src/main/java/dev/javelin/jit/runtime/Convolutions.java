package dev.javelin.jit.runtime;

import dev.javelin.jit.graph.Node;
import dev.javelin.kernels.cpu.CpuBackend;
import dev.javelin.kernels.cpu.gemm.GemmEpilogue;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;

/**
 * Float32 CONV2D steps with a fused epilogue: the cpu-vector backend's im2col convolution, which
 * hands each tile of finished output rows to the epilogue while the tile is in cache. Without it
 * (another CPU backend chosen) a convolution runs as a plain backend step.
 */
final class Convolutions {
    private Convolutions() {}

    /** True for the convolutions {@link #run} takes an epilogue for: float32 on the CPU, the cpu-vector backend present. */
    static boolean takeEpilogue(Node n) {
        return n.isOp(Op.CONV2D) && n.dtype() == DType.FLOAT32 && n.device().equals(Device.CPU) && available();
    }

    /** True while the CPU's backend is the cpu-vector one ({@code Backends.prefer} can change it). */
    static boolean available() {
        return Backends.forDevice(Device.CPU) instanceof CpuBackend;
    }

    /** {@code out = conv2d(x, f)} with {@code node}'s attributes, then {@code epilogue} on each finished tile of rows. */
    static void run(Node node, Tensor x, Tensor f, Tensor out, GemmEpilogue epilogue) {
        ((CpuBackend) Backends.forDevice(Device.CPU)).conv2d(x, f, node.attrs(OpAttrs.Conv.class), out, epilogue);
    }
}
