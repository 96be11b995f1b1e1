package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The bit-identity contract on the CPU backend and the JIT: a float32 result does not depend on the
 * input's layout, on eager vs compiled execution, on the thread count, or on how warm the JVM is.
 * NaN payloads are not part of it (NaNs compare by being NaN).
 */
class BitIdentityTest {
    /** The float32 primitives and composites under test, each a function of one tensor. */
    static Map<String, UnaryOperator<Tensor>> functions() {
        Map<String, UnaryOperator<Tensor>> f = new LinkedHashMap<>();
        f.put("exp", Tensor::exp);
        f.put("log", t -> t.abs().log());
        f.put("tanh", Tensor::tanh);
        f.put("sigmoid", Tensor::sigmoid);
        f.put("erf", Tensor::erf);
        f.put("sin", Tensor::sin);
        f.put("cos", Tensor::cos);
        f.put("sqrt", t -> t.abs().sqrt());
        f.put("pow", t -> t.abs().add(0.5).pow(t.mul(0.3)));
        f.put("gelu", Tensor::gelu);
        f.put("silu", Tensor::silu);
        f.put("softplus", Tensor::softplus);
        f.put("softmax", t -> t.softmax(-1));
        f.put("logSoftmax", t -> t.logSoftmax(-1));
        f.put("chain", t -> t.mul(t).add(0.5).tanh().mul(t.sigmoid()));
        f.put("layerNormLike", t -> {
            Tensor c = t.sub(t.mean(new int[] {-1}, true));
            return c.div(c.square().mean(new int[] {-1}, true).add(1e-5).sqrt());
        });
        return f;
    }

    /** Values over [-lo, hi] with the edge cases mixed in: zeros of both signs, infinities, NaN, tiny and huge. */
    static Tensor input(Shape shape, long seed) {
        Tensor t = TestTensors.uniform(shape, -9, 9, seed);
        float[] v = t.toFloatArray();
        float[] specials = {0f, -0f, 1e-30f, -1e-42f, 90f, -110f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3000f, 3e30f};
        for (int i = 0; i < specials.length && i * 7 < v.length; i++) v[i * 7] = specials[i];
        return Tensor.wrap(dev.javelin.tensor.spi.HeapStorage.wrap(v), shape);
    }

    static void assertSameBits(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]), a = Float.floatToRawIntBits(actual[i]);
            if (e != a && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                fail(what + " at " + i + ": " + expected[i] + " (0x" + Integer.toHexString(e) + ") vs " + actual[i] + " (0x" + Integer.toHexString(a) + ")");
            }
        }
    }

    @Test
    void stridedViewsGiveTheBitsOfDenseCopiesEagerAndCompiled() {
        Tensor base = input(Shape.of(19, 34), 3L);
        Map<String, Tensor> views = new LinkedHashMap<>();
        views.put("transposed", base.transpose(0, 1));
        views.put("sliced", base.slice(1, 1, 33, 2));
        views.put("broadcast", base.slice(0, 4, 5).expand(7, 34));
        for (var f : functions().entrySet()) {
            CompiledFunction compiled = Jit.compile(a -> new Tensor[] {f.getValue().apply(a[0])});
            for (var v : views.entrySet()) {
                Tensor dense = v.getValue().contiguous();
                float[] expected = f.getValue().apply(dense).toFloatArray();
                assertSameBits(f.getKey() + " eager on " + v.getKey(), expected, f.getValue().apply(v.getValue()).toFloatArray());
                assertSameBits(f.getKey() + " compiled on " + v.getKey(), expected, compiled.call(v.getValue())[0].toFloatArray());
                assertSameBits(f.getKey() + " compiled on dense " + v.getKey(), expected, compiled.call(dense)[0].toFloatArray());
            }
        }
    }

    /** A long dense sum to one scalar: the same partials (blocks of 2^14) compiled and eager, so the same bits. */
    @Test
    void longDenseSumsGiveTheBitsOfEager() {
        for (Shape shape : new Shape[] {Shape.of(300, 77), Shape.of(5 * 16384 + 3), Shape.of(1000, 1000)}) {
            Tensor x = TestTensors.uniform(shape, 0, 1, 11L), y = TestTensors.uniform(shape, 0, 1, 12L);
            assertSameBits("sum of " + shape, x.sum().toFloatArray(), Jit.compile(a -> new Tensor[] {a[0].sum()}).call(x)[0].toFloatArray());
            assertSameBits("sum of a product " + shape, x.mul(y).sum().toFloatArray(),
                    Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).sum()}).call(x, y)[0].toFloatArray());
        }
    }

    @Test
    void sumsOverAnyAxesGiveTheBitsOfEager() {
        // column sums (a bias gradient), few long rows, inner and outer axes of 3-D inputs: eager's blocking
        // is the launcher's, so every output combines the same values in the same order both ways
        java.util.Random random = new java.util.Random(31L);
        Shape[] shapes = {Shape.of(1000, 1000), Shape.of(300, 77), Shape.of(40000, 5), Shape.of(5, 40000), Shape.of(8, 100_000),
                Shape.of(487, 43), Shape.of(103, 2, 2034), Shape.of(1801, 10, 19), Shape.of(2, 1264, 32)};
        for (Shape shape : shapes) {
            Tensor x = TestTensors.uniform(shape, 0, 1, random.nextLong()), y = TestTensors.uniform(shape, 0, 1, random.nextLong());
            for (int[] axes : axesOf(shape.rank())) {
                String what = "sum over " + java.util.Arrays.toString(axes) + " of " + shape;
                assertSameBits(what, x.sum(axes, false).toFloatArray(),
                        Jit.compile(a -> new Tensor[] {a[0].sum(axes, false)}).call(x)[0].toFloatArray());
                assertSameBits(what + " of a product", x.mul(y).sum(axes, false).toFloatArray(),
                        Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).sum(axes, false)}).call(x, y)[0].toFloatArray());
            }
        }
    }

    /**
     * Full sums over a transposed view and sums of a product with a broadcast operand: the compiled
     * loop cannot walk a dense value's rows over such strides, so it stores the value densely first.
     */
    @Test
    void sumsOverTransposedAndBroadcastOperandsGiveTheBitsOfEager() {
        for (Shape shape : new Shape[] {Shape.of(19, 34), Shape.of(300, 257), Shape.of(1000, 1000), Shape.of(5, 40000)}) {
            Tensor x = TestTensors.uniform(shape, -1, 1, 41L), b = TestTensors.uniform(Shape.of(shape.dim(1)), -1, 1, 42L);
            Tensor dense = x.transpose(0, 1).contiguous();
            assertSameBits("eager sum of transposed " + shape, dense.sum().toFloatArray(), x.transpose(0, 1).sum().toFloatArray());
            assertSameBits("compiled sum of transposed " + shape, dense.sum().toFloatArray(),
                    Jit.compile(a -> new Tensor[] {a[0].transpose(0, 1).sum()}).call(x)[0].toFloatArray());
            assertSameBits("compiled sum of transposed exp product " + shape, dense.mul(dense.exp()).sum().toFloatArray(),
                    Jit.compile(a -> new Tensor[] {a[0].transpose(0, 1).mul(a[0].transpose(0, 1).exp()).sum()}).call(x)[0].toFloatArray());
            assertSameBits("sum of a product with a broadcast row " + shape, x.mul(b).sum().toFloatArray(),
                    Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).sum()}).call(x, b)[0].toFloatArray());
        }
    }

    private static int[][] axesOf(int rank) {
        return rank == 2 ? new int[][] {{0}, {1}} : new int[][] {{0}, {2}, {0, 1}, {1, 2}, {0, 2}};
    }

    @Test
    void theSameCall20000TimesGivesTheSameBits() {
        Tensor x = input(Shape.of(4, 40), 5L);
        for (var f : functions().entrySet()) {
            CompiledFunction compiled = Jit.compile(a -> new Tensor[] {f.getValue().apply(a[0])});
            float[] firstEager = f.getValue().apply(x).toFloatArray(), firstCompiled = compiled.call(x)[0].toFloatArray();
            assertSameBits(f.getKey() + " eager vs compiled, first call", firstEager, firstCompiled);
            int calls = f.getKey().equals("exp") || f.getKey().equals("sin") || f.getKey().equals("chain") ? 20_000 : 2_000;
            for (int i = 1; i < calls; i++) {
                float[] e = f.getValue().apply(x).toFloatArray(), c = compiled.call(x)[0].toFloatArray();
                if (i % 500 == 0 || i == calls - 1) {
                    assertSameBits(f.getKey() + " eager, call " + i, firstEager, e);
                    assertSameBits(f.getKey() + " compiled, call " + i, firstCompiled, c);
                }
            }
        }
    }

    @Test
    void oneThreadAndTwoGiveTheSameBits() {
        Tensor x = input(Shape.of(300, 257), 7L); // above the threading threshold, odd row length
        int before = CpuThreads.threads();
        try {
            for (var f : functions().entrySet()) {
                CompiledFunction compiled = Jit.compile(a -> new Tensor[] {f.getValue().apply(a[0])});
                CpuThreads.setThreads(1);
                float[] eager1 = f.getValue().apply(x).toFloatArray(), compiled1 = compiled.call(x)[0].toFloatArray();
                CpuThreads.setThreads(2);
                float[] eager2 = f.getValue().apply(x).toFloatArray(), compiled2 = compiled.call(x)[0].toFloatArray();
                assertSameBits(f.getKey() + " eager, 1 vs 2 threads", eager1, eager2);
                assertSameBits(f.getKey() + " compiled, 1 vs 2 threads", compiled1, compiled2);
                assertSameBits(f.getKey() + " eager vs compiled", eager1, compiled1);
            }
        } finally {
            CpuThreads.setThreads(before);
        }
    }
}
