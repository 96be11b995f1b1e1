package dev.javelin.kernels.cuda;

/**
 * How float32 matrix products and convolutions multiply on the GPU. {@link #FP32} (the default) is
 * exact float32 FMA, like PyTorch with {@code allow_tf32=False}. {@link #TF32} rounds the inputs to
 * TensorFloat-32 (10-bit mantissa) and multiplies on tensor cores ({@code mma.sync}, sm_80+):
 * several times faster, about 1e-3 relative error. Set it with {@link CudaBackend#setMatmulPrecision}.
 *
 * <pre>{@code
 * CudaBackend.setMatmulPrecision(MatmulPrecision.TF32);
 * }</pre>
 */
public enum MatmulPrecision {
    FP32, TF32
}
