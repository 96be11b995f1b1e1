package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import org.junit.jupiter.api.Test;

class SmokeTest {
    static Tensor of(float[] v, int... dims) {
        return Tensor.wrap(HeapStorage.wrap(v), Shape.of(dims));
    }

    static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = ((i * 7919) % 101) * scale - 1f;
        return v;
    }

    @Test
    void fusedChain() {
        int n = 1000;
        float[] xv = ramp(n, 0.02f), av = ramp(n, 0.01f), bv = ramp(n, 0.03f);
        Tensor x = of(xv, 10, 100), a = of(av, 10, 100), b = of(bv, 10, 100);
        CompiledFunction f = Jit.compile(t -> new Tensor[] {t[0].mul(t[1]).add(t[2]).tanh().mul(t[0].sigmoid()).mul(2.0)});
        float[] y = f.call(x, a, b)[0].toFloatArray();
        for (int i = 0; i < n; i++) {
            double e = Math.tanh(xv[i] * av[i] + bv[i]) / (1 + Math.exp(-xv[i])) * 2;
            assertEquals(e, y[i], 1e-5, "at " + i);
        }
        f.call(x, a, b);
        assertEquals(1, f.compilations());
    }

    @Test
    void softmaxRowsAndColumnSums() {
        int r = 7, c = 37;
        float[] xv = ramp(r * c, 0.05f);
        Tensor x = of(xv, r, c);
        java.util.function.Function<Tensor[], Tensor[]> fn = t -> {
            Tensor m = t[0].max(new int[] {1}, true);
            Tensor e = t[0].sub(m).exp();
            Tensor sm = e.div(e.sum(new int[] {1}, true));
            return new Tensor[] {sm, t[0].sum(0), t[0].sum(), t[0].mT().relu()};
        };
        System.out.println(Jit.explain(fn, x));
        Tensor[] out = Jit.compile(fn).call(x);
        float[] sm = out[0].toFloatArray(), col = out[1].toFloatArray(), t = out[3].toFloatArray();
        double all = 0;
        for (int i = 0; i < r; i++) {
            double mx = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < c; j++) mx = Math.max(mx, xv[i * c + j]);
            for (int j = 0; j < c; j++) s += Math.exp(xv[i * c + j] - mx);
            for (int j = 0; j < c; j++) assertEquals(Math.exp(xv[i * c + j] - mx) / s, sm[i * c + j], 1e-6);
        }
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int i = 0; i < r; i++) s += xv[i * c + j];
            all += s;
            assertEquals(s, col[j], 1e-4);
            for (int i = 0; i < r; i++) assertEquals(Math.max(0, xv[i * c + j]), t[j * r + i], 0);
        }
        assertEquals(all, out[2].item(), 1e-3);
    }

    @Test
    void boolMasks() {
        float[] xv = ramp(45, 0.03f);
        Tensor x = of(xv, 45);
        Tensor[] out = Jit.compile(t -> new Tensor[] {t[0].gt(0.1).where(t[0], t[0].neg()), t[0].lt(0.0)}).call(x);
        float[] w = out[0].toFloatArray();
        boolean[] lt = out[1].toBooleanArray();
        for (int i = 0; i < 45; i++) {
            assertEquals(xv[i] > 0.1f ? xv[i] : -xv[i], w[i], 0);
            assertEquals(xv[i] < 0, lt[i]);
        }
    }
}
