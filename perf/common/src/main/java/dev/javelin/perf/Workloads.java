package dev.javelin.perf;

import java.util.SplittableRandom;

/**
 * The workloads every benchmark module runs, defined once so Javelin and each peer measure the same
 * thing, with the work each one does (flops or bytes) for turning JMH's times into rates.
 *
 * <pre>{@code
 * int[] mnk = Workloads.gemmShape("128x784x512"); // {128, 784, 512}
 * double flops = Workloads.gemmFlops("1024");     // 2·1024³
 * }</pre>
 */
public final class Workloads {
    /** Square sizes and the MLP layer (batch 128, 784 inputs, 512 outputs) every SGEMM benchmark runs. */
    public static final String[] GEMM_SHAPES = {"256", "512", "1024", "2048", "128x784x512"};
    /** Softmax over the last axis of a {@code SOFTMAX_ROWS × SOFTMAX_COLS} matrix. */
    public static final int SOFTMAX_ROWS = 4096, SOFTMAX_COLS = 4096;
    /** Elements of the elementwise chain and of the copy baseline: 16M floats, 64 MiB, far past L3. */
    public static final int STREAM_LENGTH = 16 << 20;
    /** Batch of the conv benchmarks. */
    public static final int CONV_BATCH = 64;

    private Workloads() {}

    /** "N" is N×N·N×N; "MxKxN" is M×K·K×N. Returns {m, k, n}. */
    public static int[] gemmShape(String shape) {
        String[] parts = shape.split("x");
        if (parts.length == 1) {
            int n = Integer.parseInt(parts[0]);
            return new int[] {n, n, n};
        }
        if (parts.length != 3) throw new IllegalArgumentException("gemm shape: expected N or MxKxN, got " + shape);
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    public static double gemmFlops(String shape) {
        int[] s = gemmShape(shape);
        return 2.0 * s[0] * s[1] * s[2];
    }

    /**
     * A conv layer of the Keras "simple MNIST convnet" (28×28×1 → conv 3×3×32 → maxpool 2 → conv
     * 3×3×64 → ...), NHWC, stride 1, valid padding, at batch {@link #CONV_BATCH}.
     */
    public record ConvLayer(String name, int batch, int height, int width, int inChannels, int outChannels, int kernel) {
        public int outHeight() { return height - kernel + 1; }

        public int outWidth() { return width - kernel + 1; }

        /** Forward, input gradient and filter gradient: three products of the same size. */
        public double trainStepFlops() {
            return 3 * 2.0 * batch * outHeight() * outWidth() * outChannels * kernel * kernel * inChannels;
        }
    }

    public static final String[] CONV_LAYERS = {"conv1", "conv2"};

    public static ConvLayer conv(String name) {
        return switch (name) {
            case "conv1" -> new ConvLayer(name, CONV_BATCH, 28, 28, 1, 32, 3);
            case "conv2" -> new ConvLayer(name, CONV_BATCH, 13, 13, 32, 64, 3);
            default -> throw new IllegalArgumentException("conv layer: expected one of conv1, conv2; got " + name);
        };
    }

    /** Bytes a streaming op over {@code elements} floats must move: one read and one write each. */
    public static double streamBytes(long elements) {
        return 2.0 * 4 * elements;
    }

    /** Uniform values in [-1, 1), the same for a given seed in every module. */
    public static float[] random(int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
