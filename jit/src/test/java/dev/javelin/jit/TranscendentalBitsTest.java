package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A compiled transcendental gives the eager CPU backend's bits exactly: both run kernels generated
 * from the same decomposition, whose results do not depend on the JIT tier. Each call is repeated so the
 * later calls run C2-compiled kernels (and eager loops) rather than interpreted ones.
 */
class TranscendentalBitsTest {
    static final int N = 100_000;

    /** Values spread over [-lo, hi] with the edge cases of each function mixed in. */
    static float[] input(boolean positive) {
        float[] v = new float[N];
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            double x = r.nextDouble(-12, 12);
            v[i] = (float) (positive ? Math.exp(x) : x);
        }
        float[] specials = {0f, -0f, 1f, -1f, 0.5f, 0.625f, -0.625f, 88.7f, -103.9f, 200f, -200f, 1e-30f, 1e-42f,
                Float.MIN_VALUE, Float.MIN_NORMAL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                51000f, -7.729179E28f, Float.MAX_VALUE}; // sin's and cos's large-argument path
        System.arraycopy(specials, 0, v, 0, specials.length);
        return v;
    }

    static UnaryOperator<Tensor> op(String name) {
        return switch (name) {
            case "exp" -> Tensor::exp;
            case "log" -> Tensor::log;
            case "tanh" -> Tensor::tanh;
            case "sigmoid" -> Tensor::sigmoid;
            case "erf" -> Tensor::erf;
            case "sin" -> Tensor::sin;
            case "cos" -> Tensor::cos;
            default -> throw new IllegalArgumentException("TranscendentalBitsTest: unknown op " + name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "log", "tanh", "sigmoid", "erf", "sin", "cos"})
    void compiledMatchesEagerBitForBit(String name) {
        UnaryOperator<Tensor> f = op(name);
        Tensor x = Tensor.wrap(HeapStorage.wrap(input(name.equals("log"))), Shape.of(N));
        CompiledFunction compiled = Jit.compile(t -> new Tensor[] {f.apply(t[0])});
        for (int round = 0; round < 3; round++) {
            float[] eager = f.apply(x).toFloatArray();
            float[] jit = compiled.call(x)[0].toFloatArray();
            for (int i = 0; i < N; i++) {
                int e = Float.floatToRawIntBits(eager[i]), j = Float.floatToRawIntBits(jit[i]);
                // NaNs compare by being NaN: their payload is not part of the contract
                if (e != j && !(Float.isNaN(eager[i]) && Float.isNaN(jit[i]))) {
                    fail(name + "(" + x.toFloatArray()[i] + ") at " + i + ", round " + round + ": eager " + eager[i]
                            + " (0x" + Integer.toHexString(e) + "), compiled " + jit[i] + " (0x" + Integer.toHexString(j) + ")");
                }
            }
        }
        assertEquals(1, compiled.compilations());
    }

    /**
     * pow fuses into the compiled loop and gives eager's bits for every pair of a grid of special and
     * ordinary values, with a tensor exponent, a scalar one (broadcast) and a strided base.
     */
    @org.junit.jupiter.api.Test
    void powCompiledMatchesEagerBitForBit() {
        float[] v = {0f, -0f, 1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, 1.5f, 1e-3f, 1e5f, 1e-42f, 88f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f / 3, -7f, 0.9999f, 1.0001f, 200f};
        float[] a = new float[v.length * v.length], b = new float[a.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                a[i * v.length + j] = v[i];
                b[i * v.length + j] = v[j];
            }
        }
        Tensor x = Tensor.wrap(HeapStorage.wrap(a), Shape.of(v.length, v.length));
        Tensor y = Tensor.wrap(HeapStorage.wrap(b), Shape.of(v.length, v.length));
        CompiledFunction tensorExponent = Jit.compile(t -> new Tensor[] {t[0].pow(t[1]).mul(t[0])});
        assertSameBits("pow", x.pow(y).mul(x).toFloatArray(), tensorExponent.call(x, y)[0].toFloatArray());
        assertSameBits("pow transposed", x.transpose(0, 1).pow(y).mul(x.transpose(0, 1)).toFloatArray(),
                tensorExponent.call(x.transpose(0, 1), y)[0].toFloatArray());
        for (double s : new double[] {2, 1, 0.5, 3, -1.5}) {
            CompiledFunction scalar = Jit.compile(t -> new Tensor[] {t[0].pow(s).add(1f)});
            assertSameBits("pow " + s, x.pow(s).add(1f).toFloatArray(), scalar.call(x)[0].toFloatArray());
        }
        String plan = Jit.explain(t -> new Tensor[] {t[0].pow(t[1]).mul(t[0])}, x, y);
        assertFalse(plan.contains("B_pow"), "pow runs inside the fused loop:\n" + plan);
    }

    private static void assertSameBits(String what, float[] eager, float[] jit) {
        for (int i = 0; i < eager.length; i++) {
            int e = Float.floatToRawIntBits(eager[i]), j = Float.floatToRawIntBits(jit[i]);
            if (e != j && !(Float.isNaN(eager[i]) && Float.isNaN(jit[i]))) {
                fail(what + " at " + i + ": eager " + eager[i] + ", compiled " + jit[i]);
            }
        }
    }
}
