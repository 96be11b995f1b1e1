package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A compiled function that reads an argument it was not given ({@code a[2]} of two) is told so by
 * name, with the arity and the index, on every path that runs it: the first call (tracing),
 * {@link Jit#explain}; an index error of the function's own making elsewhere passes through.
 */
class ArgumentIndexErrorTest {
    private static Tensor[] readsThird(Tensor[] a) {
        return new Tensor[] {a[0].add(a[2])};
    }

    @Test
    void readingPastTheArgumentsNamesTheFunctionTheArityAndTheIndex() {
        Tensor x = Tensors.normal(Shape.of(3, 4), 1), y = Tensors.normal(Shape.of(3, 4), 2);
        CompiledFunction lambda = Jit.compile(a -> new Tensor[] {a[0].mul(a[1]).add(a[2])});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lambda.call(x, y));
        assertTrue(e.getMessage().contains("ArgumentIndexErrorTest.lambda$")
                && e.getMessage().contains("ArgumentIndexErrorTest.java:")
                && e.getMessage().contains("reads argument 2 but was called with 2 arguments (indices 0 to 1)"), e.getMessage());
        assertTrue(e.getCause() instanceof ArrayIndexOutOfBoundsException);

        IllegalArgumentException ref = assertThrows(IllegalArgumentException.class, () -> Jit.compile(ArgumentIndexErrorTest::readsThird).call(x));
        assertTrue(ref.getMessage().contains("ArgumentIndexErrorTest.readsThird") && ref.getMessage().contains("reads argument 2 but was called with 1 argument (indices 0 to 0)"),
                ref.getMessage());

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Jit.explain(ArgumentIndexErrorTest::readsThird));
        assertTrue(none.getMessage().contains("reads argument 0 but was called with 0 arguments;"), none.getMessage());
    }

    @Test
    void otherIndexErrorsPassThroughUnchanged() {
        Tensor x = Tensors.normal(Shape.of(3), 1);
        // past the arguments, but inside a helper: not the function's own body, so not claimed
        Function<Tensor[], Tensor[]> viaHelper = a -> new Tensor[] {helper(a)};
        assertSame(ArrayIndexOutOfBoundsException.class, assertThrows(RuntimeException.class, () -> Jit.compile(viaHelper).call(x)).getClass());
        // in the function's body, but past another array of another length
        int[] other = new int[3];
        Function<Tensor[], Tensor[]> otherArray = a -> new Tensor[] {a[0].add(other[3])};
        ArrayIndexOutOfBoundsException e = assertThrows(ArrayIndexOutOfBoundsException.class, () -> Jit.compile(otherArray).call(x));
        assertEquals("Index 3 out of bounds for length 3", e.getMessage());
    }

    private static Tensor helper(Tensor[] a) {
        return a[1];
    }
}
