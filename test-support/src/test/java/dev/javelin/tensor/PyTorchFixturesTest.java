package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every primitive and composite against PyTorch, on the fixtures written by
 * {@code test-support/src/test/python/make_fixtures.py}. Each case names its op, its inputs, optional views
 * applied to inputs first (so the op sees non-contiguous data, as the script's PyTorch call did) and
 * the expected output with its dtype.
 */
class PyTorchFixturesTest {
    private static final String[] FILES = {"elementwise", "reductions", "contractions", "indexing", "arrays", "composites"};

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return Stream.of(FILES).flatMap(file -> Fixtures.load("fixtures/" + file + ".json").stream()
                .map(c -> DynamicTest.dynamicTest(file + "/" + c.name(), () -> check(c))));
    }

    private static void check(Fixtures.Case c) {
        List<Tensor> actual = run(c);
        for (int i = 0; i < actual.size(); i++) {
            String key = c.has("out") ? "out" : "out" + i;
            Tensor expected = c.tensor(key);
            Tensor got = actual.get(i);
            assertEquals(expected.dtype(), got.dtype(), c.name() + ": dtype of " + key);
            assertEquals(expected.shape(), got.shape(), c.name() + ": shape of " + key);
            double tol = got.dtype() == DType.FLOAT64 ? 1e-10 : 2e-5;
            assertClose(c.name(), expected.toDoubleArray(), got.toDoubleArray(), tol);
        }
    }

    /** An input with the case's views applied, e.g. "transpose:0,1;slice:1,0,6,2". */
    private static Tensor in(Fixtures.Case c, String key) {
        Tensor t = c.tensor(key);
        if (!c.has("views")) return t;
        @SuppressWarnings("unchecked")
        var views = (java.util.Map<String, Object>) c.fields().get("views");
        String spec = (String) views.get(key);
        if (spec == null) return t;
        for (String v : spec.split(";")) {
            String[] kv = v.split(":");
            int[] a = java.util.Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
            t = switch (kv[0]) {
                case "transpose" -> t.transpose(a[0], a[1]);
                case "slice" -> t.slice(a[0], a[1], a[2], a[3]);
                default -> throw new IllegalArgumentException("unknown view " + v);
            };
        }
        if (t.isContiguous()) fail(c.name() + ": the view " + spec + " should make a non-contiguous input");
        return t;
    }

    private static List<Tensor> run(Fixtures.Case c) {
        String op = c.string("op");
        Tensor r = switch (op) {
            case "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "reciprocal", "sign", "floor", "ceil",
                 "round", "erf", "logical_not" -> Ops.unary(Op.valueOf(op.toUpperCase(Locale.ROOT)), in(c, "x"));
            case "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge" ->
                    Ops.binary(Op.valueOf(op.toUpperCase(Locale.ROOT)), in(c, "a"), in(c, "b"));
            case "maximum" -> in(c, "a").maximum(in(c, "b"));
            case "minimum" -> in(c, "a").minimum(in(c, "b"));
            case "where" -> Ops.where(in(c, "cond"), in(c, "a"), in(c, "b"));
            case "sum" -> Ops.reduce(Op.REDUCE_SUM, in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "max" -> Ops.reduce(Op.REDUCE_MAX, in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "min" -> Ops.reduce(Op.REDUCE_MIN, in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "argmax" -> Ops.reduce(Op.ARGMAX, in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "argmin" -> Ops.reduce(Op.ARGMIN, in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "matmul" -> in(c, "a").matmul(in(c, "b"));
            case "conv2d" -> NN.conv2d(in(c, "x"), in(c, "filter"), c.ints("strides"), c.string("padding"), c.ints("dilation"),
                    c.integer("groups"));
            case "conv2d_backward_input" -> Ops.conv2dBackwardInput(in(c, "dy"), in(c, "filter"), Shape.of(c.ints("input_shape")), conv(c));
            case "conv2d_backward_filter" -> Ops.conv2dBackwardFilter(in(c, "x"), in(c, "dy"), Shape.of(c.ints("filter_shape")), conv(c));
            case "max_pool2d" -> NN.maxPool2d(in(c, "x"), c.ints("pool"), c.ints("strides"), c.string("padding"));
            case "avg_pool2d" -> NN.avgPool2d(in(c, "x"), c.ints("pool"), c.ints("strides"), c.string("padding"));
            case "gather" -> IndexingOps.gather(in(c, "x"), c.integer("axis"), in(c, "index"));
            case "index_select" -> ArrayOps.indexSelect(in(c, "x"), c.integer("axis"), in(c, "index"));
            case "scatter_add" -> IndexingOps.scatterAdd(in(c, "base"), c.integer("axis"), in(c, "index"), in(c, "src"));
            case "one_hot" -> ArrayOps.oneHot(in(c, "labels"), c.integer("depth"));
            case "concat" -> ArrayOps.concat(List.of(in(c, "a"), in(c, "b"), in(c, "c")), c.integer("axis"));
            case "stack" -> ArrayOps.stack(List.of(in(c, "a"), in(c, "b"), in(c, "c")), c.integer("axis"));
            case "split" -> null;
            case "pad" -> ArrayOps.pad(in(c, "x"), c.intPairs("padding"), c.number("value"));
            case "cast" -> in(c, "x").cast(DType.valueOf(c.string("dtype").toUpperCase(Locale.ROOT)));
            case "tile" -> ArrayOps.tile(in(c, "x"), c.ints("reps"));
            case "mean" -> MathOps.mean(in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "var" -> MathOps.var(in(c, "x"), c.ints("axes"), c.integer("correction"), c.bool("keepDims"));
            case "std" -> MathOps.std(in(c, "x"), c.ints("axes"), c.integer("correction"), c.bool("keepDims"));
            case "logsumexp" -> MathOps.logsumexp(in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "norm" -> MathOps.norm(in(c, "x"), c.ints("axes"), c.bool("keepDims"));
            case "softmax" -> NN.softmax(in(c, "x"), c.integer("axis"));
            case "log_softmax" -> NN.logSoftmax(in(c, "x"), c.integer("axis"));
            case "gelu" -> NN.gelu(in(c, "x"), c.bool("approximate"));
            case "silu" -> NN.silu(in(c, "x"));
            case "softplus" -> NN.softplus(in(c, "x"));
            case "log_sigmoid" -> NN.logSigmoid(in(c, "x"));
            case "leaky_relu" -> NN.leakyRelu(in(c, "x"), c.number("slope"));
            case "elu" -> NN.elu(in(c, "x"), c.number("alpha"));
            case "clamp" -> MathOps.clamp(in(c, "x"), c.number("lo"), c.number("hi"));
            case "square" -> MathOps.square(in(c, "x"));
            case "rsqrt" -> MathOps.rsqrt(in(c, "x"));
            case "log1p" -> MathOps.log1p(in(c, "x"));
            case "sum_to_shape" -> MathOps.sumToShape(in(c, "x"), Shape.of(c.ints("shape")));
            case "layer_norm" -> NN.layerNorm(in(c, "x"), c.ints("axes"), in(c, "gamma"), c.has("beta") ? in(c, "beta") : null,
                    c.number("eps"));
            case "sparse_categorical_crossentropy" -> NN.sparseCategoricalCrossEntropy(in(c, "x"), in(c, "labels"), c.bool("fromLogits"));
            case "categorical_crossentropy" -> NN.categoricalCrossEntropy(in(c, "x"), in(c, "targets"), c.bool("fromLogits"));
            case "binary_crossentropy" -> NN.binaryCrossEntropy(in(c, "x"), in(c, "targets"), c.bool("fromLogits"));
            default -> throw new IllegalArgumentException("fixture op " + op + " has no Java counterpart in this test");
        };
        if (op.equals("split")) return new ArrayList<>(ArrayOps.split(in(c, "x"), c.ints("sizes"), c.integer("axis")));
        return List.of(r);
    }

    private static OpAttrs.Conv conv(Fixtures.Case c) {
        int[] s = c.ints("strides"), p = c.ints("pads"), d = c.ints("dilation");
        return new OpAttrs.Conv(s[0], s[1], p[0], p[1], p[2], p[3], d[0], d[1], c.integer("groups"));
    }

    private static void assertClose(String name, double[] e, double[] a, double tol) {
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : Double.isInfinite(e[i]) ? e[i] == a[i]
                    : Math.abs(a[i] - e[i]) <= tol + tol * Math.abs(e[i]);
            if (!ok) fail(name + ": element " + i + " expected " + e[i] + " but got " + a[i]);
        }
    }
}
