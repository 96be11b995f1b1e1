package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The bit-identity contract on random cases: every float32 elementwise primitive, every reduction
 * over random axes, softmax, log-softmax, layer norm, GELU and the losses, on random shapes (odd sizes, size 1,
 * sizes above the threading threshold) whose operands are dense, transposed, sliced with a step or
 * broadcast. Each case must give the raw bits of the same function over dense copies, eager and
 * compiled (the view made inside the compiled function), at one thread and at two. NaN payloads are
 * not part of the contract (NaNs compare by being NaN).
 *
 * <p>Each run draws a fresh seed and prints it on failure; {@code -Djavelin.bits.seed=N} replays one,
 * {@code -Djavelin.bits.seconds=S} changes the time spent (20 s by default: the cases run until then),
 * {@code -Djavelin.bits.case=N -Djavelin.bits.function=name} replays one failing case.
 */
class RandomBitContractTest {
    private static final long SECONDS = Long.getLong("javelin.bits.seconds", 20);

    /** A float32 function of one or two operands of the case's shape; reductions draw their axes from the case. */
    private interface Fn {
        Tensor apply(Tensor[] operands, int[] axes);
    }

    private record Entry(String name, int operands, Fn fn) {}

    private static final List<Entry> FUNCTIONS = functions();

    private static List<Entry> functions() {
        List<Entry> f = new ArrayList<>();
        EveryOpBitContractTest.unaryElementwise().forEach((name, op) -> f.add(new Entry(name, 1, (x, axes) -> op.apply(x[0]))));
        Map<String, java.util.function.BinaryOperator<Tensor>> binary = new LinkedHashMap<>();
        binary.put("add", Tensor::add);
        binary.put("sub", Tensor::sub);
        binary.put("mul", Tensor::mul);
        binary.put("div", Tensor::div);
        binary.put("maximum", Tensor::maximum);
        binary.put("minimum", Tensor::minimum);
        binary.put("pow", (a, b) -> a.pow(b));
        binary.put("pow of a positive base", (a, b) -> a.abs().add(0.25).pow(b.mul(0.5)));
        binary.put("lt", (a, b) -> a.lt(b).cast(DType.FLOAT32));
        binary.put("ge", (a, b) -> a.ge(b).cast(DType.FLOAT32));
        binary.put("eq", (a, b) -> a.eq(b.round()).cast(DType.FLOAT32));
        binary.put("where", (a, b) -> a.gt(b).where(a, b.exp()));
        binary.put("chain", (a, b) -> a.mul(b).add(0.5).tanh().mul(a.sigmoid()));
        binary.forEach((name, op) -> f.add(new Entry(name, 2, (x, axes) -> op.apply(x[0], x[1]))));
        f.add(new Entry("sum", 1, (x, axes) -> x[0].sum(axes, false)));
        f.add(new Entry("sum keeping dims", 1, (x, axes) -> x[0].sum(axes, true)));
        f.add(new Entry("max", 1, (x, axes) -> x[0].max(axes, false)));
        f.add(new Entry("min", 1, (x, axes) -> x[0].min(axes, true)));
        f.add(new Entry("mean", 1, (x, axes) -> x[0].mean(axes, false)));
        f.add(new Entry("sum of a product", 2, (x, axes) -> x[0].mul(x[1]).sum(axes, false)));
        f.add(new Entry("max of a sum", 2, (x, axes) -> x[0].add(x[1]).max(axes, false)));
        f.add(new Entry("sum of exp", 1, (x, axes) -> x[0].exp().sum(axes, false)));
        f.add(new Entry("softmax", 1, (x, axes) -> x[0].softmax(-1)));
        f.add(new Entry("softmax over the first axis", 1, (x, axes) -> x[0].softmax(0)));
        f.add(new Entry("logSoftmax", 1, (x, axes) -> x[0].logSoftmax(-1)));
        f.add(new Entry("layerNorm", 1, (x, axes) -> NN.layerNorm(x[0], new int[] {-1}, null, null, 1e-5)));
        f.add(new Entry("layerNorm over the given axes", 1, (x, axes) -> NN.layerNorm(x[0], axes, null, null, 1e-5)));
        f.add(new Entry("layerNorm with gamma and beta", 2, (x, axes) -> NN.layerNorm(x[0], new int[] {-1}, x[1], x[1].mul(0.5), 1e-5)));
        f.add(new Entry("mean squared error", 2, (x, axes) -> x[0].sub(x[1]).square().mean(axes, false)));
        f.add(new Entry("sparse categorical cross-entropy", 2, (x, axes) -> NN.sparseCategoricalCrossEntropy(x[0], x[1].argmax(-1), true)));
        f.add(new Entry("categorical cross-entropy", 2, (x, axes) -> NN.categoricalCrossEntropy(x[0], x[1].softmax(-1), true)));
        f.add(new Entry("binary cross-entropy", 2, (x, axes) -> NN.binaryCrossEntropy(x[0].sigmoid(), x[1].sigmoid(), false)));
        f.add(new Entry("nll of logSoftmax", 2, (x, axes) -> NN.nllLoss(x[0].logSoftmax(-1), x[1].argmax(-1))));
        return f;
    }

    /** How an operand of the case's shape is laid out: made from a base tensor by views, or the base itself. */
    private record Layout(String name, int[] baseShape, Function<Tensor, Tensor> view) {}

    @Test
    void everyFunctionGivesTheBitsOfDenseCopiesEagerCompiledAndAtOneOrTwoThreads() {
        Long oneCase = Long.getLong("javelin.bits.case");
        if (oneCase != null) { // replays one case (its function by name), its exception thrown as it is
            String name = System.getProperty("javelin.bits.function");
            String failure = runCase(FUNCTIONS.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(), oneCase);
            if (failure != null) fail(failure);
            return;
        }
        long seed = Long.getLong("javelin.bits.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        List<String> failures = new ArrayList<>();
        int before = CpuThreads.threads();
        int cases = 0;
        try {
            // every function at least once, then random ones until the time is spent
            for (int i = 0; i < FUNCTIONS.size() || System.nanoTime() < end; i++) {
                Entry e = i < FUNCTIONS.size() ? FUNCTIONS.get(i) : FUNCTIONS.get(random.nextInt(FUNCTIONS.size()));
                long caseSeed = random.nextLong();
                String failure;
                try {
                    failure = runCase(e, caseSeed);
                } catch (RuntimeException | AssertionError x) {
                    failure = e.name() + ": " + x;
                }
                cases++;
                if (failure != null) failures.add(failure + " (case seed " + caseSeed + ")");
                if (failures.size() >= 10) break;
            }
        } finally {
            CpuThreads.setThreads(before);
        }
        System.out.println("RandomBitContractTest: " + cases + " cases, seed " + seed + ", " + failures.size() + " failing");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases + " cases differ; replay with -Djavelin.bits.seed=" + seed + "\n" + String.join("\n", failures));
        }
    }

    /** Runs one case; returns what differs, or null. */
    private static String runCase(Entry e, long caseSeed) {
        SplittableRandom r = new SplittableRandom(caseSeed);
        int[] shape = randomShape(r);
        int[] axes = randomAxes(r, shape.length);
        Layout[] layouts = new Layout[e.operands()];
        Tensor[] bases = new Tensor[e.operands()];
        boolean specials = r.nextBoolean(); // in half the cases: a sum holding an infinity or NaN says nothing about its order
        for (int k = 0; k < e.operands(); k++) {
            layouts[k] = randomLayout(r, shape);
            bases[k] = values(layouts[k].baseShape(), r.nextLong(), specials);
        }
        Tensor[] views = new Tensor[bases.length], dense = new Tensor[bases.length];
        for (int k = 0; k < bases.length; k++) {
            views[k] = layouts[k].view().apply(bases[k]);
            dense[k] = views[k].contiguous();
        }
        String what = e.name() + (specials ? " with specials" : "") + " over " + Arrays.toString(axes) + " of " + Arrays.toString(shape) + " "
                + Arrays.stream(layouts).map(Layout::name).toList();
        CompiledFunction compiled = Jit.compile(a -> {
            Tensor[] v = new Tensor[a.length];
            for (int k = 0; k < a.length; k++) v[k] = layouts[k].view().apply(a[k]);
            return new Tensor[] {e.fn().apply(v, axes)};
        });
        CpuThreads.setThreads(2);
        float[] expected;
        try {
            expected = e.fn().apply(dense, axes).toFloatArray();
        } catch (IllegalArgumentException refused) { // max or min over an empty axis has no identity: every path refuses it
            if (!throwsIllegalArgument(() -> e.fn().apply(views, axes))) return what + ": eager on views computes what dense copies refuse";
            if (!throwsIllegalArgument(() -> compiled.call(bases))) return what + ": compiled computes what dense copies refuse";
            return null;
        }
        for (int threads : new int[] {2, 1}) {
            CpuThreads.setThreads(threads);
            String d = differs(expected, e.fn().apply(views, axes).toFloatArray());
            if (d != null) return what + ": eager on views, " + threads + " thread(s), " + d;
            d = differs(expected, compiled.call(bases)[0].toFloatArray());
            if (d != null) return what + ": compiled, " + threads + " thread(s), " + d;
        }
        return null;
    }

    private static boolean throwsIllegalArgument(Runnable r) {
        try {
            r.run();
            return false;
        } catch (IllegalArgumentException expected) {
            return true;
        }
    }

    private static String differs(float[] expected, float[] actual) {
        if (expected.length != actual.length) return "lengths " + expected.length + " vs " + actual.length;
        for (int i = 0; i < expected.length; i++) {
            int a = Float.floatToRawIntBits(expected[i]), b = Float.floatToRawIntBits(actual[i]);
            if (a != b && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                return "at " + i + " of " + expected.length + ": " + expected[i] + " (0x" + Integer.toHexString(a) + ") vs "
                        + actual[i] + " (0x" + Integer.toHexString(b) + ")";
            }
        }
        return null;
    }

    /** Rank 1 to 3; dims of 0, 1, odd and vector-width sizes; one case in four above the threading threshold. */
    private static int[] randomShape(SplittableRandom r) {
        int rank = 1 + r.nextInt(3);
        int[] small = {1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 64, 77};
        int[] s = new int[rank];
        for (int d = 0; d < rank; d++) s[d] = r.nextInt(40) == 0 ? 0 : small[r.nextInt(small.length)]; // now and then empty
        if (r.nextInt(4) == 0) { // above CpuThreads.SMALL_WORK (2^15 elements)
            long size = Arrays.stream(s).asLongStream().reduce(1, (a, b) -> a * b);
            int d = r.nextInt(rank);
            if (size > 0) s[d] = (int) Math.max(s[d], (40_000 + r.nextInt(40_000)) / Math.max(1, size / s[d]));
        }
        return s;
    }

    /** A non-empty set of axes, sorted. */
    private static int[] randomAxes(SplittableRandom r, int rank) {
        int mask = 1 + r.nextInt((1 << rank) - 1);
        return java.util.stream.IntStream.range(0, rank).filter(d -> (mask >> d & 1) != 0).toArray();
    }

    private static Layout randomLayout(SplittableRandom r, int[] shape) {
        int rank = shape.length;
        switch (r.nextInt(4)) {
            case 1 -> {
                if (rank >= 2) { // the base holds two dims swapped; the view swaps them back
                    int a = r.nextInt(rank), b = (a + 1 + r.nextInt(rank - 1)) % rank;
                    int[] base = shape.clone();
                    base[a] = shape[b];
                    base[b] = shape[a];
                    return new Layout("transposed " + a + "," + b, base, t -> t.transpose(a, b));
                }
            }
            case 2 -> {
                int d = r.nextInt(rank), step = 2 + r.nextInt(2), start = r.nextInt(step);
                int stop = start + (shape[d] == 0 ? 0 : (shape[d] - 1) * step + 1);
                int[] base = shape.clone();
                base[d] = stop + r.nextInt(2);
                return new Layout("sliced on " + d + " by " + step, base, t -> t.slice(d, start, stop, step));
            }
            case 3 -> {
                int d = r.nextInt(rank);
                int[] base = shape.clone();
                base[d] = 1;
                return new Layout("broadcast on " + d, base, t -> t.expand(shape));
            }
            default -> { }
        }
        return new Layout("dense", shape.clone(), t -> t);
    }

    /** Values over [-9, 9], with {@code specials} one in 40 an edge case: zeros of both signs, infinities, NaN, tiny, huge, halves. */
    private static Tensor values(int[] shape, long seed, boolean specials) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b));
        float[] v = new float[n];
        float[] edge = {0f, -0f, 1e-30f, -1e-42f, 90f, -110f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3000f, 2.5f, -0.5f};
        for (int i = 0; i < n; i++) v[i] = specials && r.nextInt(40) == 0 ? edge[r.nextInt(edge.length)] : (float) r.nextDouble(-9, 9);
        return Tensor.wrap(HeapStorage.wrap(v), Shape.of(shape));
    }
}
