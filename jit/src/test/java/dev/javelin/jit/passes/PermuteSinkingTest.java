package dev.javelin.jit.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.Jit;
import dev.javelin.jit.TestTensors;
import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Permutes sink below elementwise ops and cancel; results are the same bits as op by op. */
class PermuteSinkingTest {
    private static final Tensor NHWC = TestTensors.uniform(Shape.of(2, 4, 5, 3), 1L);
    private static final Tensor SCALE = TestTensors.uniform(Shape.of(3, 1, 1), 2L);

    /** A channels-first block around channels-last data, as an imported ONNX model traces. */
    private static Tensor block(Tensor x) {
        Tensor nchw = x.permute(0, 3, 1, 2);
        Tensor shortcut = x.sigmoid().permute(0, 3, 1, 2);
        Tensor y = nchw.relu().mul(SCALE).add(1.0).add(shortcut).relu();
        return y.permute(0, 2, 3, 1).tanh();
    }

    private static Graph optimized(Function<Tensor, Tensor> f, Tensor x) {
        Graph g = Tracer.trace(a -> new Tensor[] {f.apply(a[0])}, x);
        Passes.optimize(g);
        return g;
    }

    private static long permutesOfComputedValues(Graph g) {
        return g.nodes().stream().filter(n -> n.isOp(Op.PERMUTE)).filter(n -> n.input(0).isOp() && n.input(0).op().kind() != Op.Kind.MOVEMENT)
                .count();
    }

    @Test
    void permutesAroundElementwiseOpsCancel() {
        Graph g = optimized(PermuteSinkingTest::block, NHWC);
        assertEquals(0, permutesOfComputedValues(g), "every computed value stays channels-last:\n" + g);
        assertEquals(0, g.nodes().stream().filter(n -> n.isOp(Op.PERMUTE)).filter(n -> n.input(0).kind() == Node.Kind.ARGUMENT).count(),
                "the argument is read as it is:\n" + g);
    }

    @Test
    void compiledEqualsOpByOp() {
        Tensor eager = block(NHWC);
        Tensor compiled = Jit.compile(a -> new Tensor[] {block(a[0])}).call(NHWC)[0];
        assertEquals(eager.shape(), compiled.shape());
        assertArrayEquals(eager.toFloatArray(), compiled.toFloatArray());
    }

    @Test
    void differentOrdersAreLeftAlone() {
        Tensor cube = TestTensors.uniform(Shape.of(3, 3, 3), 3L);
        Function<Tensor, Tensor> f = x -> x.permute(1, 0, 2).add(x.exp().permute(0, 2, 1));
        Graph g = Tracer.trace(a -> new Tensor[] {f.apply(a[0])}, cube);
        assertFalse(new PermuteSinking().run(g), g.toString());
        assertArrayEquals(f.apply(cube).toFloatArray(), Jit.compile(a -> new Tensor[] {f.apply(a[0])}).call(cube)[0].toFloatArray());
    }

    @Test
    void aProductByASharedWeightTakesThePermuteBelowIt() {
        Tensor seq = TestTensors.uniform(Shape.of(3, 5, 7), 5L), w = TestTensors.uniform(Shape.of(7, 6), 6L), b = TestTensors.uniform(Shape.of(6), 7L);
        Function<Tensor[], Tensor[]> linear = a -> new Tensor[] {a[0].permute(1, 0, 2).matmul(a[1]).add(a[2]).relu()}; // [T, B, E] @ W + b
        Graph g = Tracer.trace(linear, seq, w, b);
        Passes.optimize(g);
        Node product = g.nodes().stream().filter(n -> n.isOp(Op.MATMUL)).findFirst().orElseThrow();
        assertEquals(Node.Kind.ARGUMENT, product.input(0).kind(), "the product reads x as stored:\n" + g);
        assertEquals(0, permutesOfComputedValues(g) - 1, "one permute left, of the result:\n" + g);
        Tensor[] args = {seq, w, b};
        assertArrayEquals(linear.apply(args)[0].toFloatArray(), Jit.compile(linear).call(args)[0].toFloatArray());
        // a weight per batch index is not shared: left alone
        Tensor ws = TestTensors.uniform(Shape.of(5, 7, 6), 8L);
        Graph h = Tracer.trace(a -> new Tensor[] {a[0].permute(1, 0, 2).matmul(a[1])}, seq, ws);
        assertFalse(new PermuteSinking().run(h), h.toString());
    }

    @Test
    void aPermuteOfAPermuteIsOne() {
        Tensor cube = TestTensors.uniform(Shape.of(2, 3, 4), 4L);
        Graph g = Tracer.trace(a -> new Tensor[] {a[0].exp().permute(2, 0, 1).permute(0, 2, 1)}, cube);
        assertTrue(new PermuteSinking().run(g));
        assertEquals(1, g.nodes().stream().filter(n -> n.isOp(Op.PERMUTE)).count(), g.toString());
        Tensor expected = cube.exp().permute(2, 0, 1).permute(0, 2, 1);
        assertArrayEquals(expected.toFloatArray(),
                Jit.compile(a -> new Tensor[] {a[0].exp().permute(2, 0, 1).permute(0, 2, 1)}).call(cube)[0].toFloatArray());
    }
}
