package dev.javelin.perf.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's latency on the ONNX benchmark's models (perf/onnx-bench.sh), in the same shape as
 * Javelin's {@code OnnxTiming}: first inference (session creation + one run), then the median of
 * {@code reps} runs after {@link #WARM_NANOS} of warm-up (3 runs at least; the same rule as
 * {@code OnnxTiming} and the PyTorch side, perf/onnx-bench.sh). Intra-op threads as given, inter-op 1,
 * all graph optimisations.
 *
 * <pre>{@code java -cp ... dev.javelin.perf.ort.OrtTiming /tmp/onnx-models 2 [case...]}</pre>
 */
public final class OrtTiming {
    /** Warm-up time before the timed runs (3 s), the same on every side of the benchmark. */
    static final long WARM_NANOS = 3_000_000_000L;

    private OrtTiming() {}

    record Case(String name, String file, long[] shape, int reps) {}

    static final Case[] CASES = {
        new Case("resnet18_b1", "resnet18.onnx", new long[] {1, 3, 224, 224}, 30),
        new Case("resnet18_b8", "resnet18.onnx", new long[] {8, 3, 224, 224}, 10),
        new Case("encoder_b8", "encoder.onnx", new long[] {8, 128, 256}, 10),
        new Case("lstm_b8", "lstm.onnx", new long[] {8, 64, 128}, 20),
    };

    public static void main(String[] args) throws OrtException {
        String dir = args[0];
        int threads = Integer.parseInt(args[1]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("# onnxruntime " + env.getVersion() + " (Java API), intra-op threads " + threads
                + ", median after 3 s of warm-up (3 runs at least)");
        for (Case c : CASES) {
            if (args.length > 2 && Arrays.stream(args, 2, args.length).noneMatch(c.name::equals)) continue;
            float[] data = new float[(int) Arrays.stream(c.shape).reduce(1, (a, b) -> a * b)];
            Random r = new Random(1);
            for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
            long t0 = System.nanoTime();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s = env.createSession(dir + "/" + c.file, o);
                     OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), c.shape)) {
                    String input = s.getInputNames().iterator().next();
                    run(s, input, x);
                    double first = (System.nanoTime() - t0) / 1e6;
                    long warm0 = System.nanoTime();
                    for (int i = 0; i < 3 || System.nanoTime() - warm0 < WARM_NANOS; i++) run(s, input, x);
                    double[] ms = new double[c.reps];
                    for (int i = 0; i < c.reps; i++) {
                        long t = System.nanoTime();
                        run(s, input, x);
                        ms[i] = (System.nanoTime() - t) / 1e6;
                    }
                    Arrays.sort(ms);
                    System.out.printf("ort     %-12s %9.2f ms  (median of %d; first inference incl. session %.0f ms)%n",
                            c.name, ms[ms.length / 2], c.reps, first);
                }
            }
        }
    }

    private static void run(OrtSession s, String input, OnnxTensor x) throws OrtException {
        try (OrtSession.Result r = s.run(Map.of(input, x))) {
            if (r.size() == 0) throw new IllegalStateException("no output");
        }
    }
}
