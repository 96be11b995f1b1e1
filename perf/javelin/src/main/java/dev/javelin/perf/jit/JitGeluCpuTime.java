package dev.javelin.perf.jit;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Issue 12's GELU bar: the compiled GELU {@code x * 0.5 * (1 + erf(x / sqrt 2))}, its tanh form, the
 * {@code tanh(x*a+b) * sigmoid(x)} chain and pow, each over 16M floats, by the CPU time of the calling
 * thread, one thread, best of 15 interleaved rounds after 20 warm-up calls. Only public API, so the
 * same source compiles against the old code (fe3eceb) for an old-vs-new run.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp ... dev.javelin.perf.jit.JitGeluCpuTime
 * </pre>
 */
public final class JitGeluCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private JitGeluCpuTime() {}

    public static void main(String[] args) {
        int n = Integer.getInteger("n", 1 << 24);
        CpuThreads.setThreads(1);
        Tensor x = Tensors.of(values(n, 1, 3f), n), a = Tensors.of(values(n, 2, 1f), n), b = Tensors.of(values(n, 3, 1f), n);
        Tensor base = Tensors.of(values(n, 4, 1f), n).add(1.001f), exponent = Tensors.of(values(n, 5, 3f), n);
        float sqrt2 = (float) Math.sqrt(2), sqrt2OverPi = (float) Math.sqrt(2 / Math.PI);
        Map<String, Function<Tensor[], Tensor[]>> fns = new LinkedHashMap<>();
        fns.put("GELU erf", t -> new Tensor[] {t[0].mul(0.5f).mul(t[0].div(sqrt2).erf().add(1f))});
        fns.put("GELU tanh", t -> new Tensor[] {t[0].mul(0.5f).mul(t[0].mul(t[0]).mul(t[0]).mul(0.044715f).add(t[0]).mul(sqrt2OverPi).tanh().add(1f))});
        fns.put("tanh*sigmoid chain", t -> new Tensor[] {t[0].mul(t[1]).add(t[2]).tanh().mul(t[0].sigmoid())});
        fns.put("pow", t -> new Tensor[] {t[0].pow(t[1])});
        Map<String, Tensor[]> inputs = Map.of("GELU erf", new Tensor[] {x}, "GELU tanh", new Tensor[] {x},
                "tanh*sigmoid chain", new Tensor[] {x, a, b}, "pow", new Tensor[] {base, exponent});
        Map<String, CompiledFunction> compiled = new LinkedHashMap<>();
        fns.forEach((k, f) -> compiled.put(k, Jit.compile(f)));
        for (var e : compiled.entrySet()) for (int i = 0; i < 20; i++) e.getValue().call(inputs.get(e.getKey()));
        Map<String, Long> best = new LinkedHashMap<>();
        for (int round = 0; round < 15; round++) {
            for (var e : compiled.entrySet()) {
                long t = MX.getCurrentThreadCpuTime();
                e.getValue().call(inputs.get(e.getKey()));
                best.merge(e.getKey(), MX.getCurrentThreadCpuTime() - t, Math::min);
            }
        }
        best.forEach((k, v) -> System.out.printf("%-20s %8.2f ms CPU%n", k, v / 1e6));
        System.out.printf("GELU erf / tanh*sigmoid chain: %.2fx; GELU erf / GELU tanh: %.2fx%n",
                (double) best.get("GELU erf") / best.get("tanh*sigmoid chain"), (double) best.get("GELU erf") / best.get("GELU tanh"));
    }

    /** Values spread over [-scale, scale] without a pattern a branch predictor could learn. */
    private static float[] values(int n, int seed, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((((i * 2654435761L + seed) % 2001) / 1000.0 - 1.0) * scale);
        return v;
    }
}
