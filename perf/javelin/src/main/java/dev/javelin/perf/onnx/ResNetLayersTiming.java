package dev.javelin.perf.onnx;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * ResNet-18 (torchvision's, batch norm already folded into the convolutions as the ONNX export
 * writes it) written with Javelin's NN ops in NHWC and compiled with {@code Jit.compile}: the same
 * work as the exported model, without the ONNX loader, to see where Javelin's time goes. Random
 * weights (timing does not depend on them), median after warm-ups.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.onnx.ResNetLayersTiming 2 [batch...]</pre>
 */
public final class ResNetLayersTiming {
    private ResNetLayersTiming() {}

    /** Weights in order of use: per conv its HWIO filter and bias; the classifier last. */
    private static final List<Tensor> WEIGHTS = new ArrayList<>();
    private static int seed = 10;

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        CpuThreads.setThreads(threads);
        int[] batches = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {1, 8};
        buildWeights();
        CompiledFunction f = Jit.compile(a -> new Tensor[] {forward(a)});
        System.out.printf(Locale.ROOT, "# javelin ResNet-18 from NN ops (Jit.compile), %d threads, median after 3 warm-ups%n", threads);
        for (int n : batches) {
            Tensor[] in = new Tensor[WEIGHTS.size() + 1];
            in[0] = Tensors.normal(Shape.of(n, 224, 224, 3), 1);
            for (int i = 0; i < WEIGHTS.size(); i++) in[i + 1] = WEIGHTS.get(i);
            long t0 = System.nanoTime();
            f.call(in);
            double first = (System.nanoTime() - t0) / 1e6;
            int reps = n == 1 ? 30 : 10;
            for (int i = 0; i < 3; i++) f.call(in);
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t = System.nanoTime();
                f.call(in);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "javelin resnet18_b%-5d %9.2f ms  (median of %d; first call (compile + run) %.0f ms)%n",
                    n, ms[reps / 2], reps, first);
        }
    }

    private static void buildWeights() {
        conv(7, 3, 64);
        int cin = 64;
        for (int stage = 0; stage < 4; stage++) {
            int cout = 64 << stage;
            for (int block = 0; block < 2; block++) {
                boolean down = stage > 0 && block == 0;
                conv(3, cin, cout);
                conv(3, cout, cout);
                if (down) conv(1, cin, cout);
                cin = cout;
            }
        }
        WEIGHTS.add(Tensors.normal(Shape.of(512, 1000), seed++).mul(0.04));
        WEIGHTS.add(Tensors.normal(Shape.of(1000), seed++).mul(0.01));
    }

    private static void conv(int k, int cin, int cout) {
        WEIGHTS.add(Tensors.normal(Shape.of(k, k, cin, cout), seed++).mul(Math.sqrt(2.0 / (k * k * cin))));
        WEIGHTS.add(Tensors.normal(Shape.of(cout), seed++).mul(0.01));
    }

    private static Tensor forward(Tensor[] a) {
        int[] w = {1};
        Tensor x = convBias(a[0], a, w, 2, 3, true);
        x = NN.maxPool2d(Ops.pad(x, new int[] {0, 1, 1, 0}, new int[] {0, 1, 1, 0}, new int[4], Double.NEGATIVE_INFINITY),
                new int[] {3, 3}, new int[] {2, 2}, "valid");
        for (int stage = 0; stage < 4; stage++) {
            for (int block = 0; block < 2; block++) {
                boolean down = stage > 0 && block == 0;
                int stride = down ? 2 : 1;
                Tensor y = convBias(x, a, w, stride, 1, true);
                y = convBias(y, a, w, 1, 1, false);
                Tensor shortcut = down ? convBias(x, a, w, 2, 0, false) : x;
                x = y.add(shortcut).relu();
            }
        }
        Tensor pooled = x.mean(new int[] {1, 2}, false);
        return pooled.matmul(a[w[0]]).add(a[w[0] + 1]);
    }

    private static Tensor convBias(Tensor x, Tensor[] a, int[] w, int stride, int pad, boolean relu) {
        Tensor f = a[w[0]], b = a[w[0] + 1];
        w[0] += 2;
        Tensor y = Ops.conv2d(x, f, new OpAttrs.Conv(stride, stride, pad, pad, pad, pad, 1, 1, 1)).add(b);
        return relu ? y.relu() : y;
    }
}
