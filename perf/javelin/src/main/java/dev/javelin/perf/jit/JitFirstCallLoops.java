package dev.javelin.perf.jit;

import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a cold elementwise kernel costs in a fresh JVM, written with the Vector API or as a plain
 * Java loop: two of the train step's kernels ({@code max(x + b, 0)} over 128x512 and an Adam update
 * over 784x512), hand-written both ways with the same IEEE operations (so the same bits). Until C2
 * compiles it, a Vector API loop runs the API's boxed fallback; a plain loop is compiled by C1 in
 * milliseconds, and C2's auto-vectorizer makes it nearly as fast as the Vector API one when warm.
 * Start it once per variant, each in a fresh JVM; {@code warm} checks the bits and times both warm.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.jit.JitFirstCallLoops vector|scalar|warm
 * // vector: calls #0 166.6 #1 34.7 #2 3.1 #3 3.3 #4 3.1 ms; 30 calls 268.3 ms
 * // scalar: calls #0 9.7 #1 1.4 #2 0.6 #3 0.4 #4 0.4 ms; 30 calls 20.8 ms
 * }</pre>
 */
public final class JitFirstCallLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int N_RELU = 128 * 512, N_ADAM = 784 * 512;

    private JitFirstCallLoops() {}

    static void reluVector(float[] x, float[] b, float[] out, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, b, i)).max(0f).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = Math.max(x[i] + b[i], 0f);
    }

    static void reluScalar(float[] x, float[] b, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = Math.max(x[i] + b[i], 0f);
    }

    static void adamVector(float[] p, float[] m, float[] v, float[] g, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, i);
            FloatVector mv = FloatVector.fromArray(S, m, i).mul(0.9f).add(gv.mul(0.1f));
            FloatVector vv = FloatVector.fromArray(S, v, i).mul(0.999f).add(gv.mul(gv).mul(0.001f));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            FloatVector.fromArray(S, p, i).sub(mv.mul(1e-3f).div(vv.sqrt().add(1e-7f))).intoArray(p, i);
        }
        adamTail(p, m, v, g, i, n);
    }

    static void adamScalar(float[] p, float[] m, float[] v, float[] g, int n) {
        adamTail(p, m, v, g, 0, n);
    }

    private static void adamTail(float[] p, float[] m, float[] v, float[] g, int from, int n) {
        for (int i = from; i < n; i++) {
            float gi = g[i];
            m[i] = m[i] * 0.9f + gi * 0.1f;
            v[i] = v[i] * 0.999f + gi * gi * 0.001f;
            p[i] = p[i] - m[i] * 1e-3f / ((float) Math.sqrt(v[i]) + 1e-7f);
        }
    }

    /** Runs both variants of both kernels on the same inputs and compares their outputs bit for bit. */
    private static boolean sameBits(float[] x, float[] b, float[] g) {
        float[] o1 = new float[N_RELU], o2 = new float[N_RELU];
        reluVector(x, b, o1, N_RELU);
        reluScalar(x, b, o2, N_RELU);
        float[] p1 = g.clone(), m1 = g.clone(), v1 = g.clone(), p2 = g.clone(), m2 = g.clone(), v2 = g.clone();
        for (int step = 0; step < 3; step++) {
            adamVector(p1, m1, v1, g, N_ADAM);
            adamScalar(p2, m2, v2, g, N_ADAM);
        }
        return java.util.Arrays.equals(o1, o2) && java.util.Arrays.equals(p1, p2)
                && java.util.Arrays.equals(m1, m2) && java.util.Arrays.equals(v1, v2);
    }

    /** Best time of 2500 calls of kernel {@code k} after 500 unmeasured ones; one loop per kernel, so each is compiled on its own. */
    private static long bestOf(int k, float[] x, float[] b, float[] out, float[] p, float[] m, float[] v, float[] g) {
        long best = Long.MAX_VALUE;
        for (int it = 0; it < 3000; it++) {
            long t = System.nanoTime();
            switch (k) {
                case 0 -> reluVector(x, b, out, N_RELU);
                case 1 -> reluScalar(x, b, out, N_RELU);
                case 2 -> adamVector(p, m, v, g, N_ADAM);
                default -> adamScalar(p, m, v, g, N_ADAM);
            }
            if (it >= 500) best = Math.min(best, System.nanoTime() - t);
        }
        return best;
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "vector";
        Random r = new Random(1);
        float[] x = new float[N_RELU], b = new float[N_RELU], out = new float[N_RELU];
        float[] p = new float[N_ADAM], m = new float[N_ADAM], v = new float[N_ADAM], g = new float[N_ADAM];
        for (int i = 0; i < N_RELU; i++) { x[i] = r.nextFloat() - 0.5f; b[i] = r.nextFloat() - 0.5f; }
        for (int i = 0; i < N_ADAM; i++) { g[i] = r.nextFloat() - 0.5f; p[i] = r.nextFloat(); }
        if (mode.equals("warm")) {
            System.out.println("same bits both ways: " + sameBits(x, b, g));
            long[] best = new long[4];
            for (int k = 0; k < 4; k++) best[k] = bestOf(k, x, b, out, p, m, v, g);
            System.out.printf(Locale.ROOT, "warm, best of 2500 (us): relu 128x512 vector %.1f scalar %.1f; adam 784x512 vector %.1f scalar %.1f%n",
                    best[0] / 1e3, best[1] / 1e3, best[2] / 1e3, best[3] / 1e3);
            return;
        }
        boolean vector = mode.equals("vector");
        StringBuilder calls = new StringBuilder();
        long total = 0;
        for (int call = 0; call < 30; call++) {
            long t = System.nanoTime();
            if (vector) {
                reluVector(x, b, out, N_RELU);
                adamVector(p, m, v, g, N_ADAM);
            } else {
                reluScalar(x, b, out, N_RELU);
                adamScalar(p, m, v, g, N_ADAM);
            }
            long d = System.nanoTime() - t;
            total += d;
            if (call < 5) calls.append(String.format(Locale.ROOT, " #%d %.1f", call, d / 1e6));
        }
        System.out.printf(Locale.ROOT, "%s: calls%s ms; 30 calls %.1f ms%n", mode, calls, total / 1e6);
    }
}
