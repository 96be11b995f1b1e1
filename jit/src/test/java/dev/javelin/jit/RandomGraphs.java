package dev.javelin.jit;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Random op graphs for the differential test: a recipe of steps over a pool of values (the
 * arguments first), replayable eagerly and under the tracer. Shapes are drawn to exercise
 * broadcasting, size 1, odd sizes, non-contiguous arguments and views; values stay in ranges where
 * float32 rounding cannot blow up (divisors and logarithm arguments are kept away from zero).
 */
final class RandomGraphs {
    /** One step: a description and how to compute it from earlier pool values. */
    record Step(String text, int[] inputs, Function<Tensor[], Tensor> op) {}

    /** A generated graph: arguments, steps, and which pool values are returned. */
    record Recipe(long seed, Tensor[] args, List<Step> steps, int[] outputs) {
        Function<Tensor[], Tensor[]> function() {
            return a -> {
                List<Tensor> pool = new ArrayList<>(Arrays.asList(a));
                for (Step s : steps) {
                    Tensor[] in = new Tensor[s.inputs.length];
                    for (int i = 0; i < in.length; i++) in[i] = pool.get(s.inputs[i]);
                    pool.add(s.op.apply(in));
                }
                Tensor[] out = new Tensor[outputs.length];
                for (int i = 0; i < out.length; i++) out[i] = pool.get(outputs[i]);
                return out;
            };
        }

        /** The same graph returning only pool value {@code target}, with the steps it does not need dropped. */
        Recipe only(int target) {
            BitSet needed = new BitSet();
            needed.set(target);
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (needed.get(args.length + i)) for (int in : steps.get(i).inputs) needed.set(in);
            }
            List<Step> kept = new ArrayList<>();
            int[] remap = new int[args.length + steps.size()];
            for (int i = 0; i < args.length; i++) remap[i] = i;
            int next = args.length;
            for (int i = 0; i < steps.size(); i++) {
                if (!needed.get(args.length + i)) continue;
                Step s = steps.get(i);
                int[] in = new int[s.inputs.length];
                for (int k = 0; k < in.length; k++) in[k] = remap[s.inputs[k]];
                kept.add(new Step(s.text, in, s.op));
                remap[args.length + i] = next++;
            }
            return new Recipe(seed, args, kept, new int[] {remap[target]});
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("graph seed " + seed + "\n");
            for (int i = 0; i < args.length; i++) {
                sb.append("  v").append(i).append(" = arg ").append(args[i].dtype()).append(args[i].shape())
                        .append(args[i].isContiguous() ? "" : " (strided view)").append('\n');
            }
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                String text = s.text;
                for (int k = s.inputs.length - 1; k >= 0; k--) text = text.replace("$" + k, "v" + s.inputs[k]);
                sb.append("  v").append(args.length + i).append(" = ").append(text).append('\n');
            }
            sb.append("  return");
            for (int o : outputs) sb.append(" v").append(o);
            return sb.toString();
        }
    }

    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 16, 17, 31, 33};
    private static final int MAX_ELEMENTS = 20_000;

    private final Random rnd;
    private final long seed;
    private final List<Tensor> pool = new ArrayList<>(); // symbolic-free shape tracking: eager values of a dry run
    private final List<Step> steps = new ArrayList<>();
    private int argCount;

    private RandomGraphs(long seed) {
        this.seed = seed;
        this.rnd = new Random(seed);
    }

    static Recipe generate(long seed) {
        return new RandomGraphs(seed).build();
    }

    private Recipe build() {
        int rank = 1 + rnd.nextInt(4);
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) dims[d] = SIZES[rnd.nextInt(SIZES.length)];
        while (Shape.of(dims).size() > MAX_ELEMENTS / 4) dims[rnd.nextInt(rank)] = 2;
        argCount = 1 + rnd.nextInt(3);
        Tensor[] args = new Tensor[argCount];
        for (int i = 0; i < argCount; i++) {
            int[] d = dims.clone();
            if (i > 0) { // broadcast-compatible variants of the first shape
                for (int k = 0; k < d.length; k++) if (rnd.nextInt(3) == 0) d[k] = 1;
                if (rnd.nextBoolean() && d.length > 1) d = Arrays.copyOfRange(d, 1, d.length);
            }
            args[i] = argument(Shape.of(d));
            pool.add(args[i]);
        }
        int count = 3 + rnd.nextInt(10);
        for (int i = 0; i < count; i++) addStep();
        int last = pool.size() - 1;
        List<Integer> outs = new ArrayList<>(List.of(last));
        if (rnd.nextBoolean() && pool.size() > argCount + 1) outs.add(argCount + rnd.nextInt(pool.size() - argCount - 1));
        return new Recipe(seed, args, List.copyOf(steps), outs.stream().mapToInt(Integer::intValue).toArray());
    }

    private Tensor argument(Shape shape) {
        long s = rnd.nextLong();
        if (shape.rank() >= 2 && rnd.nextInt(4) == 0) { // a transposed view: strided storage
            int[] d = shape.toArray();
            int tmp = d[0];
            d[0] = d[d.length - 1];
            d[d.length - 1] = tmp;
            return TestTensors.uniform(Shape.of(d), -2, 2, s).transpose(0, -1);
        }
        return TestTensors.uniform(shape, -2, 2, s);
    }

    /** Adds one random step whose result fits the size budget; retries a few times otherwise. */
    private void addStep() {
        for (int attempt = 0; attempt < 8; attempt++) {
            int a = floatValue();
            Step s = candidate(a);
            if (s == null) continue;
            Tensor[] in = new Tensor[s.inputs.length];
            for (int i = 0; i < in.length; i++) in[i] = pool.get(s.inputs[i]);
            Tensor v;
            try {
                v = s.op.apply(in);
            } catch (IllegalArgumentException e) {
                continue; // the draw made an invalid op (e.g. shapes that do not broadcast): draw again
            }
            if (v.size() > MAX_ELEMENTS) continue;
            pool.add(v);
            steps.add(s);
            return;
        }
    }

    private int floatValue() {
        for (int t = 0; t < 10; t++) {
            int i = rnd.nextInt(pool.size());
            if (pool.get(i).dtype() == DType.FLOAT32) return i;
        }
        return 0;
    }

    private Step candidate(int a) {
        Tensor x = pool.get(a);
        int r = rnd.nextInt(100);
        if (r < 28) return unary(a);
        if (r < 55) return binary(a);
        if (r < 70) return reduction(a, x);
        if (r < 83) return view(a, x);
        if (r < 93) return composite(a, x);
        if (r < 97) return select(a);
        return matmul(a, x);
    }

    private Step unary(int a) {
        return switch (rnd.nextInt(16)) {
            case 0 -> step("neg($0)", t -> t[0].neg(), a);
            case 1 -> step("abs($0)", t -> t[0].abs(), a);
            case 2 -> step("exp(clamp($0, -8, 8))", t -> MathOps.clamp(t[0], -8, 8).exp(), a);
            case 3 -> step("tanh($0)", t -> t[0].tanh(), a);
            case 4 -> step("sigmoid($0)", t -> t[0].sigmoid(), a);
            case 5 -> step("relu($0)", t -> t[0].relu(), a);
            case 6 -> step("sin($0)", t -> t[0].sin(), a);
            case 7 -> step("cos($0)", t -> t[0].cos(), a);
            case 8 -> step("sign($0)", t -> t[0].sign(), a);
            case 9 -> step("reciprocal(abs($0) + 0.5)", t -> t[0].abs().add(0.5).reciprocal(), a);
            case 10 -> step("sqrt(abs($0) + 0.1)", t -> t[0].abs().add(0.1).sqrt(), a);
            case 11 -> step("log(abs($0) + 0.1)", t -> t[0].abs().add(0.1).log(), a);
            case 12 -> step("floor($0)", t -> t[0].floor(), a);
            case 13 -> step("erf($0)", t -> t[0].erf(), a);
            case 14 -> step("square($0)", t -> MathOps.square(t[0]), a);
            default -> step("($0 * 1 + 0) - 0", t -> t[0].mul(1.0).add(0.0).sub(0.0), a);
        };
    }

    private Step binary(int a) {
        int b = partner(a);
        if (b < 0 || rnd.nextInt(5) == 0) {
            double c = Math.round((rnd.nextDouble() * 4 - 2) * 4) / 4.0;
            return switch (rnd.nextInt(5)) {
                case 0 -> step("$0 + " + c, t -> t[0].add(c), a);
                case 1 -> step("$0 * " + c, t -> t[0].mul(c), a);
                case 2 -> step("$0 - " + c, t -> t[0].sub(c), a);
                case 3 -> step("maximum($0, " + c + ")", t -> t[0].maximum(c), a);
                default -> step("pow(abs($0) + 0.5, 2)", t -> t[0].abs().add(0.5).pow(2.0), a);
            };
        }
        return switch (rnd.nextInt(7)) {
            case 0 -> step("$0 + $1", t -> t[0].add(t[1]), a, b);
            case 1 -> step("$0 - $1", t -> t[0].sub(t[1]), a, b);
            case 2 -> step("$0 * $1", t -> t[0].mul(t[1]), a, b);
            case 3 -> step("$0 / (abs($1) + 0.5)", t -> t[0].div(t[1].abs().add(0.5)), a, b);
            case 4 -> step("maximum($0, $1)", t -> t[0].maximum(t[1]), a, b);
            case 5 -> step("minimum($0, $1)", t -> t[0].minimum(t[1]), a, b);
            default -> step("pow(abs($0) + 0.5, clamp($1, -2, 2))", t -> t[0].abs().add(0.5).pow(MathOps.clamp(t[1], -2, 2)), a, b);
        };
    }

    /** A float value whose shape broadcasts with {@code a}'s, or -1. */
    private int partner(int a) {
        Shape sa = pool.get(a).shape();
        for (int t = 0; t < 6; t++) {
            int b = rnd.nextInt(pool.size());
            Tensor y = pool.get(b);
            if (y.dtype() != DType.FLOAT32) continue;
            try {
                Shape s = Shape.broadcast("partner", sa, y.shape());
                if (s.size() <= MAX_ELEMENTS) return b;
            } catch (IllegalArgumentException e) {
                // not broadcastable: try another
            }
        }
        return -1;
    }

    private Step reduction(int a, Tensor x) {
        if (x.rank() == 0) return step("sum($0)", t -> t[0].sum(), a);
        int[] axes = randomAxes(x.rank());
        boolean keep = rnd.nextBoolean();
        String ax = Arrays.toString(axes) + (keep ? ", keepDims" : "");
        return switch (rnd.nextInt(6)) {
            case 0, 1 -> step("sum($0, " + ax + ")", t -> t[0].sum(axes, keep), a);
            case 2 -> step("max($0, " + ax + ")", t -> t[0].max(axes, keep), a);
            case 3 -> step("min($0, " + ax + ")", t -> t[0].min(axes, keep), a);
            case 4 -> step("mean($0, " + ax + ")", t -> MathOps.mean(t[0], axes, keep), a);
            default -> {
                int axis = axes[0];
                yield step("argmax($0, " + axis + ") as float32", t -> t[0].argmax(axis).cast(DType.FLOAT32), a);
            }
        };
    }

    private int[] randomAxes(int rank) {
        List<Integer> ax = new ArrayList<>();
        for (int d = 0; d < rank; d++) if (rnd.nextBoolean()) ax.add(d);
        if (ax.isEmpty()) ax.add(rnd.nextInt(rank));
        return ax.stream().mapToInt(Integer::intValue).toArray();
    }

    private Step view(int a, Tensor x) {
        int rank = x.rank();
        if (rank == 0) return step("reshape($0, 1, 1)", t -> t[0].reshape(1, 1), a);
        switch (rnd.nextInt(6)) {
            case 0 -> {
                List<Integer> order = new ArrayList<>();
                for (int d = 0; d < rank; d++) order.add(d);
                java.util.Collections.shuffle(order, rnd);
                int[] o = order.stream().mapToInt(Integer::intValue).toArray();
                return step("permute($0, " + Arrays.toString(o) + ")", t -> t[0].permute(o), a);
            }
            case 1 -> {
                return step("reshape($0, -1)", t -> t[0].flatten(), a);
            }
            case 2 -> {
                int axis = rnd.nextInt(rank);
                int n = x.dim(axis);
                int start = n > 1 ? rnd.nextInt(n / 2 + 1) : 0;
                int step = 1 + rnd.nextInt(2);
                return step("slice($0, axis " + axis + ", " + start + ":" + n + ":" + step + ")",
                        t -> t[0].slice(axis, start, n, step), a);
            }
            case 3 -> {
                int axis = rnd.nextInt(rank + 1);
                int size = SIZES[1 + rnd.nextInt(5)];
                int[] target = new int[rank + 1];
                for (int d = 0, k = 0; d <= rank; d++) target[d] = d == axis ? size : x.dim(k++);
                return step("expand(unsqueeze($0, " + axis + "), " + Arrays.toString(target) + ")",
                        t -> t[0].unsqueeze(axis).expand(target), a);
            }
            case 4 -> {
                return step("transpose($0, 0, -1).reshape(-1)", t -> t[0].transpose(0, -1).reshape(-1), a);
            }
            default -> {
                int[] d = x.shape().toArray();
                if (d.length >= 2) {
                    int[] merged = new int[d.length - 1];
                    merged[0] = d[0] * d[1];
                    System.arraycopy(d, 2, merged, 1, d.length - 2);
                    return step("reshape($0, " + Arrays.toString(merged) + ")", t -> t[0].reshape(merged), a);
                }
                return step("reshape($0, 1, " + d[0] + ")", t -> t[0].reshape(1, d[0]), a);
            }
        }
    }

    private Step composite(int a, Tensor x) {
        if (x.rank() == 0) return step("silu($0)", t -> NN.silu(t[0]), a);
        int axis = rnd.nextInt(x.rank());
        return switch (rnd.nextInt(8)) {
            case 0 -> step("softmax($0, " + axis + ")", t -> NN.softmax(t[0], axis), a);
            case 1 -> step("logSoftmax($0, " + axis + ")", t -> NN.logSoftmax(t[0], axis), a);
            case 2 -> step("layerNorm($0, [-1])", t -> NN.layerNorm(t[0], new int[] {-1}, null, null, 1e-5), a);
            case 3 -> step("logsumexp($0, [" + axis + "])", t -> MathOps.logsumexp(t[0], new int[] {axis}, false), a);
            case 4 -> step("var($0, [" + axis + "])", t -> MathOps.var(t[0], new int[] {axis}, 0, true), a);
            case 5 -> step("gelu($0, approximate)", t -> NN.gelu(t[0], true), a);
            case 6 -> step("softplus($0)", t -> NN.softplus(t[0]), a);
            default -> step("silu($0)", t -> NN.silu(t[0]), a);
        };
    }

    private Step select(int a) {
        int b = partner(a);
        if (b < 0) return step("cast($0 > 0, float32)", t -> t[0].gt(0.0).cast(DType.FLOAT32), a);
        return rnd.nextBoolean()
                ? step("where($0 > $1, $0, $1 * 0.5)", t -> t[0].gt(t[1]).where(t[0], t[1].mul(0.5)), a, b)
                : step("cast($0 <= $1, float32) * $0", t -> t[0].le(t[1]).cast(DType.FLOAT32).mul(t[0]), a, b);
    }

    private Step matmul(int a, Tensor x) {
        if (x.rank() < 1) return unary(a);
        int k = x.dim(-1);
        int n = SIZES[1 + rnd.nextInt(6)];
        Tensor w = TestTensors.uniform(Shape.of(k, n), -1, 1, rnd.nextLong()); // captured: a constant in the graph
        return step("$0 @ const[" + k + ", " + n + "]", t -> t[0].matmul(w), a);
    }

    private static Step step(String text, Function<Tensor[], Tensor> op, int... inputs) {
        return new Step(text, inputs, op);
    }
}
