package dev.javelin.kernels.cpu.gemm;

/** The SPI's {@link dev.javelin.tensor.spi.BlockEpilogue} under its old name, for the convolution files that still name it. */
@FunctionalInterface
public interface GemmEpilogue extends dev.javelin.tensor.spi.BlockEpilogue {}
