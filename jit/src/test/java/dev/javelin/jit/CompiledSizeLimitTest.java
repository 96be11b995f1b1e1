package dev.javelin.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** A result past the per-tensor limit is rejected with the same message eagerly and compiled (it threw ArithmeticException compiled). */
class CompiledSizeLimitTest {
    @Test
    void matmulPastTheLimitSaysTheSameCompiled() {
        Tensor column = Tensors.ones(Shape.of(65536, 1), DType.FLOAT32), row = Tensors.ones(Shape.of(1, 65536), DType.FLOAT32);
        IllegalArgumentException eager = assertThrows(IllegalArgumentException.class, () -> column.matmul(row));
        CompiledFunction f = Jit.compile(a -> new Tensor[] {a[0].matmul(a[1]).relu()});
        IllegalArgumentException compiled = assertThrows(IllegalArgumentException.class, () -> f.call(column, row));
        assertEquals(eager.getMessage(), compiled.getMessage());
    }
}
