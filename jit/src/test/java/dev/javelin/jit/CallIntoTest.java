package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link CompiledFunction#callInto}: results land in the caller's tensors, whatever step computes them. */
class CallIntoTest {
    private static final Tensor X = TestTensors.uniform(Shape.of(37, 19), 11L);
    private static final Tensor W = TestTensors.uniform(Shape.of(19, 5), 12L);

    private static float[] array(Tensor t) {
        return ((HeapStorage) t.storage()).floats();
    }

    @Test
    void aKernelsResultIsWrittenIntoTheCallersArray() {
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].mul(2.0).add(1.0).relu()});
        Tensor y = Tensors.zeros(Shape.of(37, 19), DType.FLOAT32);
        float[] before = array(y);
        for (int i = 0; i < 2; i++) { // the second call runs the cached program
            Tensor[] r = f.callInto(new Tensor[] {y}, X);
            assertSame(y, r[0]);
            assertSame(before, array(y), "the same array, no new one");
            assertArrayEquals(f.call(X)[0].toFloatArray(), y.toFloatArray());
        }
    }

    @Test
    void everyKindOfOutputArrives() {
        // a GEMM, a view of a kernel's result, an argument passed through, a reduction
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {
                a[0].matmul(a[1]), a[0].exp().transpose(0, 1), a[1], a[0].sum(new int[] {1}, false)};
        CompiledFunction f = Jit.compile(fn);
        Tensor[] expected = fn.apply(new Tensor[] {X, W});
        Tensor[] out = new Tensor[expected.length];
        for (int i = 0; i < out.length; i++) out[i] = Tensors.zeros(expected[i].shape(), DType.FLOAT32);
        f.callInto(out, X, W);
        for (int i = 0; i < out.length; i++) {
            assertArrayEquals(f.call(X, W)[i].toFloatArray(), out[i].toFloatArray(), "output " + i);
            assertArrayEquals(expected[i].toFloatArray(), out[i].toFloatArray(), 1e-5f, "output " + i + " against eager");
        }
    }

    @Test
    void writingOverAnArgumentGivesTheResultOfTheOldValue() {
        Function<Tensor[], Tensor[]> fn = a -> new Tensor[] {a[0].sub(a[0].max(new int[] {1}, true)).exp()};
        CompiledFunction f = Jit.compile(fn);
        Tensor x = Tensors.of(X.toFloatArray(), 37, 19);
        float[] expected = f.call(x)[0].toFloatArray();
        f.callInto(new Tensor[] {x}, x);
        assertArrayEquals(expected, x.toFloatArray());
    }

    @Test
    void aMismatchNamesTheOutputAndBothShapes() {
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].relu()});
        var e = assertThrows(IllegalArgumentException.class,
                () -> f.callInto(new Tensor[] {Tensors.zeros(Shape.of(19, 37), DType.FLOAT32)}, X));
        assertTrue(e.getMessage().contains("callInto") && e.getMessage().contains("[37, 19]") && e.getMessage().contains("[19, 37]"),
                e.getMessage());
        var count = assertThrows(IllegalArgumentException.class, () -> f.callInto(new Tensor[0], X));
        assertTrue(count.getMessage().contains("returns 1"), count.getMessage());
        Tensor strided = Tensors.zeros(Shape.of(19, 37), DType.FLOAT32).transpose(0, 1);
        var layout = assertThrows(IllegalArgumentException.class, () -> f.callInto(new Tensor[] {strided}, X));
        assertTrue(layout.getMessage().contains("contiguous"), layout.getMessage());
    }

    @Test
    void theNanCheckModeFillsTheTensorsToo() {
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].tanh()}, JitOptions.nanCheck());
        Tensor y = Tensors.zeros(Shape.of(37, 19), DType.FLOAT32);
        f.callInto(new Tensor[] {y}, X);
        assertArrayEquals(f.call(X)[0].toFloatArray(), y.toFloatArray());
    }
}
