package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.cpu.VectorSupport;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bit-identity contract for every float32 primitive (each unary and binary op of the eager
 * generated loops, the row reductions) and the composites (softmax, log-softmax, layer norm, GELU,
 * SiLU, softplus and the losses) on the axes {@link RandomBitContractTest} and {@link BitIdentityTest}
 * leave out or cover for a few functions only: a row's result does not depend on the tensor around
 * it (a small input, below the threading threshold, against the same rows at an unaligned position
 * inside one above it, at one thread and at two); the 20,000th call gives the first call's bits (the
 * kernels C2-compiled by then); and a JVM without the Vector API module (the scalar fallback,
 * {@code KernelInterpreter}) gives the Vector API's bits, eager and compiled. Every function maps
 * rows to rows: the first axis is never reduced. NaN payloads are not part of the contract.
 */
class EveryOpBitContractTest {
    /**
     * A float32 function of two operands of one shape {@code [rows, cols]} (unary ones read the first);
     * {@code elementwise}: each output element is a function of the operands' elements at its index alone.
     */
    record Fn(String name, boolean elementwise, Function<Tensor[], Tensor> f) {}

    static final List<Fn> FUNCTIONS = functions();

    /** The float32 unary primitives and one-operand elementwise composites, by name (one table for the contract tests). */
    static Map<String, Function<Tensor, Tensor>> unaryElementwise() {
        Map<String, Function<Tensor, Tensor>> unary = new LinkedHashMap<>();
        unary.put("neg", Tensor::neg);
        unary.put("abs", Tensor::abs);
        unary.put("exp", Tensor::exp);
        unary.put("log", Tensor::log);
        unary.put("sqrt", Tensor::sqrt);
        unary.put("sin", Tensor::sin);
        unary.put("cos", Tensor::cos);
        unary.put("tanh", Tensor::tanh);
        unary.put("sigmoid", Tensor::sigmoid);
        unary.put("erf", Tensor::erf);
        unary.put("relu", Tensor::relu);
        unary.put("reciprocal", Tensor::reciprocal);
        unary.put("sign", Tensor::sign);
        unary.put("floor", Tensor::floor);
        unary.put("ceil", Tensor::ceil);
        unary.put("round", Tensor::round);
        unary.put("square", Tensor::square);
        unary.put("rsqrt", Tensor::rsqrt);
        unary.put("gelu", Tensor::gelu);
        unary.put("gelu, tanh form", t -> NN.gelu(t, true));
        unary.put("silu", Tensor::silu);
        unary.put("softplus", Tensor::softplus);
        return unary;
    }

    private static List<Fn> functions() {
        Map<String, Function<Tensor, Tensor>> unary = unaryElementwise();
        List<Fn> f = new ArrayList<>();
        unary.forEach((name, op) -> f.add(new Fn(name, true, x -> op.apply(x[0]))));
        unary.clear();
        unary.put("sum over rows", t -> t.sum(new int[] {1}, false));
        unary.put("max over rows", t -> t.max(new int[] {1}, true));
        unary.put("min over rows", t -> t.min(new int[] {1}, false));
        unary.put("mean over rows", t -> t.mean(new int[] {1}, false));
        unary.put("sum of exp over rows", t -> t.exp().sum(new int[] {1}, false));
        unary.put("softmax", t -> t.softmax(-1));
        unary.put("logSoftmax", t -> t.logSoftmax(-1));
        unary.put("layerNorm", t -> NN.layerNorm(t, new int[] {-1}, null, null, 1e-5));
        unary.forEach((name, op) -> f.add(new Fn(name, false, x -> op.apply(x[0]))));
        f.add(new Fn("add", true, x -> x[0].add(x[1])));
        f.add(new Fn("sub", true, x -> x[0].sub(x[1])));
        f.add(new Fn("mul", true, x -> x[0].mul(x[1])));
        f.add(new Fn("div", true, x -> x[0].div(x[1])));
        f.add(new Fn("maximum", true, x -> x[0].maximum(x[1])));
        f.add(new Fn("minimum", true, x -> x[0].minimum(x[1])));
        f.add(new Fn("pow", true, x -> x[0].pow(x[1])));
        f.add(new Fn("pow of a positive base", true, x -> x[0].abs().add(0.25).pow(x[1].mul(0.5))));
        f.add(new Fn("sum of a product over rows", false, x -> x[0].mul(x[1]).sum(new int[] {1}, false)));
        f.add(new Fn("layerNorm with gamma and beta", false, x -> NN.layerNorm(x[0], new int[] {-1}, x[1], x[1].mul(0.5), 1e-5)));
        f.add(new Fn("mean squared error per row", false, x -> x[0].sub(x[1]).square().mean(new int[] {1}, false)));
        f.add(new Fn("sparse categorical cross-entropy from logits", false, x -> NN.sparseCategoricalCrossEntropy(x[0], x[1].argmax(-1), true)));
        f.add(new Fn("sparse categorical cross-entropy from probabilities", false,
                x -> NN.sparseCategoricalCrossEntropy(x[0].abs().add(0.01), x[1].argmax(-1), false)));
        f.add(new Fn("categorical cross-entropy from logits", false, x -> NN.categoricalCrossEntropy(x[0], x[1].softmax(-1), true)));
        f.add(new Fn("binary cross-entropy from logits", true, x -> NN.binaryCrossEntropy(x[0], x[1].sigmoid(), true)));
        f.add(new Fn("binary cross-entropy from probabilities", true, x -> NN.binaryCrossEntropy(x[0].sigmoid(), x[1].sigmoid(), false)));
        f.add(new Fn("nll of logSoftmax", false, x -> NN.nllLoss(x[0].logSoftmax(-1), x[1].argmax(-1))));
        return f;
    }

    /**
     * Values over [-9, 9], with {@code specials} one in 40 an edge case: zeros of both signs, infinities,
     * NaN, tiny, huge, halves. Only the elementwise functions get them: a row holding an infinity or a
     * NaN reduces to one whatever the order, so it would hide an order that changed.
     */
    static float[] values(int n, long seed, boolean specials) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] edge = {0f, -0f, 1e-30f, -1e-42f, 90f, -110f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3000f, 2.5f, -0.5f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = specials && r.nextInt(40) == 0 ? edge[r.nextInt(edge.length)] : (float) r.nextDouble(-9, 9);
        return v;
    }

    /** The operands {@code fn} gets: of {@code x}'s four, the first two (with edge values) or the last two (without). */
    static Tensor[] operands(Fn fn, Tensor[] x) {
        return fn.elementwise() ? new Tensor[] {x[0], x[1]} : new Tensor[] {x[2], x[3]};
    }

    static Tensor tensor(float[] v, int rows, int cols) {
        return Tensor.wrap(HeapStorage.wrap(v), Shape.of(rows, cols));
    }

    /**
     * A small input's rows, and a large input (above {@link CpuThreads#SMALL_WORK}) holding the same
     * rows from row {@code at}, which puts them off the vector alignment they have on their own.
     */
    private record Placement(int rows, int cols, int bigRows, int at) {}

    @Test
    void smallInputsGiveTheBitsOfTheSameRowsInsideALargeInput() {
        Placement[] placements = {new Placement(3, 77, 600, 5), new Placement(1, 5, 8000, 3), new Placement(2, 1000, 40, 7)};
        int before = CpuThreads.threads();
        List<String> failures = new ArrayList<>();
        try {
            for (Placement p : placements) {
                if ((long) p.bigRows() * p.cols() <= CpuThreads.SMALL_WORK) throw new IllegalStateException("not above the threshold: " + p);
                Tensor[] smalls = new Tensor[4], bigs = new Tensor[4];
                for (int k = 0; k < 4; k++) {
                    boolean specials = k < 2;
                    float[] s = values(p.rows() * p.cols(), 10 * k + p.cols(), specials), b = values(p.bigRows() * p.cols(), 10 * k + p.cols() + 1, specials);
                    System.arraycopy(s, 0, b, p.at() * p.cols(), s.length);
                    smalls[k] = tensor(s, p.rows(), p.cols());
                    bigs[k] = tensor(b, p.bigRows(), p.cols());
                }
                for (Fn fn : FUNCTIONS) {
                    Tensor[] small = operands(fn, smalls), big = operands(fn, bigs);
                    String what = fn.name() + ", rows of " + p.cols() + ": ";
                    CompiledFunction compiled = Jit.compile(a -> new Tensor[] {fn.f().apply(a)});
                    CpuThreads.setThreads(1);
                    float[] expected = fn.f().apply(small).toFloatArray();
                    check(failures, what + "compiled, small input, 1 thread", expected, compiled.call(small)[0].toFloatArray());
                    for (int threads : new int[] {1, 2}) {
                        CpuThreads.setThreads(threads);
                        check(failures, what + "eager, inside the large input, " + threads + " thread(s)", expected, rows(fn.f().apply(big), p));
                        check(failures, what + "compiled, inside the large input, " + threads + " thread(s)", expected, rows(compiled.call(big)[0], p));
                    }
                }
            }
        } finally {
            CpuThreads.setThreads(before);
        }
        if (!failures.isEmpty()) fail(failures.size() + " differ:\n" + String.join("\n", failures));
    }

    private static float[] rows(Tensor result, Placement p) {
        return result.slice(0, p.at(), p.at() + p.rows()).contiguous().toFloatArray();
    }

    /** Every function's result on its {@link #operands}, in one list: one eager call, or the outputs of one compiled program. */
    private static Tensor[] all(Tensor[] x) {
        Tensor[] out = new Tensor[FUNCTIONS.size()];
        for (int i = 0; i < out.length; i++) out[i] = FUNCTIONS.get(i).f().apply(operands(FUNCTIONS.get(i), x));
        return out;
    }

    @Test
    void theTwentyThousandthCallGivesTheFirstCallsBits() {
        // small (3 x 21: a full vector and a masked tail per row), so 20,000 calls take seconds; by then the
        // generated kernels, eager and compiled, run C2's code
        Tensor[] x = new Tensor[4];
        for (int k = 0; k < 4; k++) x[k] = tensor(values(63, k, k < 2), 3, 21);
        CompiledFunction compiled = Jit.compile(EveryOpBitContractTest::all);
        float[][] firstEager = bits(all(x)), firstCompiled = bits(compiled.call(x));
        List<String> failures = new ArrayList<>();
        compare(failures, "eager vs compiled, call 1", firstEager, firstCompiled);
        for (int call = 2; call <= 20_000; call++) {
            Tensor[] e = all(x), c = compiled.call(x);
            if (call % 5_000 == 0) {
                compare(failures, "eager, call " + call + " vs call 1", firstEager, bits(e));
                compare(failures, "compiled, call " + call + " vs call 1", firstCompiled, bits(c));
            }
        }
        assertEquals(1, compiled.compilations(), "one program for every call");
        if (!failures.isEmpty()) fail(failures.size() + " differ:\n" + String.join("\n", failures));
    }

    private static float[][] bits(Tensor[] results) {
        float[][] b = new float[results.length][];
        for (int i = 0; i < b.length; i++) b[i] = results[i].toFloatArray();
        return b;
    }

    private static void compare(List<String> failures, String what, float[][] expected, float[][] actual) {
        for (int i = 0; i < expected.length; i++) check(failures, FUNCTIONS.get(i).name() + ", " + what, expected[i], actual[i]);
    }

    static void check(List<String> failures, String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            failures.add(what + ": lengths " + expected.length + " vs " + actual.length);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]), a = Float.floatToRawIntBits(actual[i]);
            if (e != a && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                failures.add(what + " at " + i + ": " + expected[i] + " (0x" + Integer.toHexString(e) + ") vs " + actual[i]
                        + " (0x" + Integer.toHexString(a) + ")");
                return;
            }
        }
    }

    /** The inputs the scalar-fallback JVM and this one both compute on: row lengths around the 16-lane vector. */
    private static final int[][] FALLBACK_SHAPES = {{3, 77}, {4, 16}, {1, 5}, {2, 1000}};

    /**
     * Every function, eager and compiled, in a child JVM started without {@code jdk.incubator.vector}
     * (the backend's scalar fallback runs the same kernels in {@code KernelInterpreter}, summing in
     * 16-lane order), against this JVM's Vector API kernels on the same inputs. Where the machine's
     * vector is not 16 floats wide the row sums' orders differ by design, so the check needs 16 lanes.
     */
    @Test
    void withoutTheVectorApiEveryFunctionGivesTheSameBits() throws IOException, InterruptedException {
        Assumptions.assumeTrue(VectorSupport.enabled() && jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16,
                "needs the Vector API with 16-float vectors here");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "-Xss4m", "-cp", cp, EveryOpBitContractTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(120, TimeUnit.SECONDS)) child.destroyForcibly();
        assertEquals(0, child.exitValue(), "the scalar-fallback JVM failed:\n" + out);
        List<String> theirs = out.lines().filter(l -> l.startsWith("bits ")).toList();
        List<String> ours = fingerprints(), failures = new ArrayList<>();
        assertEquals(ours.size(), theirs.size(), "one line per function, shape and path:\n" + out);
        for (int i = 0; i < ours.size(); i++) if (!ours.get(i).equals(theirs.get(i))) failures.add("vector: " + ours.get(i) + "\nscalar: " + theirs.get(i));
        if (!failures.isEmpty()) fail(failures.size() + " differ without the Vector API:\n" + String.join("\n", failures));
    }

    /** One line per function, shape and path (eager, compiled): a hash of the result's bits, NaNs as one NaN. */
    private static List<String> fingerprints() {
        List<String> lines = new ArrayList<>();
        for (int[] s : FALLBACK_SHAPES) {
            int n = s[0] * s[1];
            Tensor[] xs = new Tensor[4];
            for (int k = 0; k < 4; k++) xs[k] = tensor(values(n, 3 + k, k < 2), s[0], s[1]);
            for (Fn fn : FUNCTIONS) {
                Tensor[] x = operands(fn, xs);
                float[] eager = fn.f().apply(x).toFloatArray();
                float[] compiled = Jit.compile(a -> new Tensor[] {fn.f().apply(a)}).call(x)[0].toFloatArray();
                lines.add("bits " + fn.name() + " " + s[0] + "x" + s[1] + " eager " + hash(eager));
                lines.add("bits " + fn.name() + " " + s[0] + "x" + s[1] + " compiled " + hash(compiled));
            }
        }
        return lines;
    }

    private static String hash(float[] v) {
        long h = 1125899906842597L;
        for (float f : v) h = 31 * h + Float.floatToIntBits(f); // floatToIntBits: every NaN as one
        return Long.toHexString(h) + " (" + v.length + " floats)";
    }

    /** The child JVM of {@link #withoutTheVectorApiEveryFunctionGivesTheSameBits}: prints its fingerprints. */
    public static void main(String[] args) {
        if (VectorSupport.enabled()) throw new IllegalStateException("the child JVM must run without the Vector API");
        fingerprints().forEach(System.out::println);
    }
}
