package dev.javelin.jit.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which outputs a run writes straight into the caller's arrays, and which it copies. */
class OutputTargetsTest {
    private static final Tensor X = TestTensors.uniform(Shape.of(9, 7), 1L);
    private static final Tensor W = TestTensors.uniform(Shape.of(7, 3), 2L);

    private static boolean[] direct(Function<Tensor[], Tensor[]> fn, Tensor[] args, Tensor[] into) {
        Graph g = Tracer.trace(fn, args);
        Passes.optimize(g);
        Program p = new Program(g, Lowering.plan(g));
        boolean[] direct = new boolean[into.length];
        new OutputTargets(g, p.steps()).arrays(p.steps().size(), into, args, new dev.javelin.tensor.Variable.Stored[0], direct);
        return direct;
    }

    private static Tensor zeros(int... dims) {
        return Tensors.zeros(Shape.of(dims), DType.FLOAT32);
    }

    @Test
    void kernelAndGemmResultsGoStraightIn() {
        boolean[] d = direct(a -> new Tensor[] {a[0].tanh(), a[0].matmul(a[1])}, new Tensor[] {X, W}, new Tensor[] {zeros(9, 7), zeros(9, 3)});
        assertArrayEquals(new boolean[] {true, true}, d);
    }

    @Test
    void viewsArgumentsAndAliasesAreCopiedAfterTheRun() {
        boolean[] d = direct(a -> new Tensor[] {a[0].tanh().transpose(0, 1), a[1]}, new Tensor[] {X, W}, new Tensor[] {zeros(7, 9), zeros(7, 3)});
        assertArrayEquals(new boolean[] {false, false}, d, "a transpose view and an argument passed through");
        Tensor x = Tensors.of(X.toFloatArray(), 9, 7);
        boolean[] alias = direct(a -> new Tensor[] {a[0].tanh()}, new Tensor[] {x}, new Tensor[] {x});
        assertArrayEquals(new boolean[] {false}, alias, "writing over an argument waits until the run is over");
    }
}
