package dev.javelin.jit.passes;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Node;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Each rewrite on hand-written graphs: what it must rewrite, and what it must leave alone. */
class PassesTest {
    private static final Tensor X = dev.javelin.jit.TestTensors.uniform(dev.javelin.tensor.Shape.of(4, 3), 1L);

    private static Graph trace(Function<Tensor, Tensor> f) {
        return Tracer.trace(a -> new Tensor[] {f.apply(a[0])}, X);
    }

    private static long count(Graph g, Op op) {
        return g.nodes().stream().filter(n -> n.isOp(op)).count();
    }

    @Test
    void deadCodeDropsUnusedOpsButKeepsArguments() {
        Graph g = Tracer.trace(a -> {
            a[0].exp(); // result unused
            return new Tensor[] {a[0].neg()};
        }, X, X);
        assertTrue(new DeadCode().run(g));
        assertEquals(0, count(g, Op.EXP));
        assertEquals(1, count(g, Op.NEG));
        assertEquals(2, g.nodes().stream().filter(n -> n.kind() == Node.Kind.ARGUMENT).count());
        assertFalse(new DeadCode().run(g), "a second run finds nothing");
    }

    @Test
    void commonSubexpressionsMergeSameOpSameInputsAndEqualScalars() {
        Graph g = trace(x -> x.exp().add(x.exp()).mul(2.0).add(x.mul(2.0)));
        assertTrue(new CommonSubexpressions().run(g));
        assertEquals(1, count(g, Op.EXP));
        assertEquals(1, g.nodes().stream().filter(n -> n.isConstant()).count(), "both 2.0 scalars are one constant");
    }

    @Test
    void commonSubexpressionsKeepDifferentAttributes() {
        Graph g = trace(x -> x.sum(new int[] {0}, true).add(x.sum(new int[] {1}, true)));
        new CommonSubexpressions().run(g);
        assertEquals(2, count(g, Op.REDUCE_SUM));
    }

    @Test
    void constantFoldingEvaluatesSmallConstantArithmetic() {
        Tensor c = Tensors.scalar(3.0);
        Graph g = trace(x -> x.mul(c.mul(2.0).add(1.0)));
        assertTrue(new ConstantFolding().run(g));
        assertEquals(1, count(g, Op.MUL), "only x * 7 is left");
        Node folded = g.nodes().stream().filter(Node::isConstant).filter(n -> n.constant().size() == 1)
                .filter(n -> n.constant().item() == 7.0).findFirst().orElse(null);
        assertNotNull(folded, g.toString());
    }

    @Test
    void constantFoldingNeverMaterializesBroadcasts() {
        Graph g = trace(x -> x.add(1.0));
        new ConstantFolding().run(g);
        assertEquals(1, count(g, Op.EXPAND), "the scalar stays a broadcast view:\n" + g);
    }

    @Test
    void algebraicIdentitiesDisappear() {
        Graph g = trace(x -> x.mul(1.0).add(0.0).sub(0.0).div(1.0).neg().neg().relu());
        assertTrue(new AlgebraicSimplification().run(g));
        new DeadCode().run(g);
        assertEquals(1, g.nodes().stream().filter(Node::isOp).count(), "only relu(x) is left:\n" + g);
        assertSame(g.nodes().get(0), g.outputs().get(0).input(0));
    }

    @Test
    void algebraicSimplificationKeepsTimesZeroAndRewritesSquare() {
        Graph g = trace(x -> x.mul(0.0).add(x.pow(2.0)));
        new AlgebraicSimplification().run(g);
        assertEquals(0, count(g, Op.POW));
        assertEquals(2, count(g, Op.MUL), "x*0 stays (NaN and infinity would change), x^2 is x*x:\n" + g);
    }

    /** A slice of a pad: exactly the padded part is x itself, only padding is the pad value broadcast, a mix stays. */
    @Test
    void sliceOfPadIsThePaddedTensorOrThePadValue() {
        int[] low = {0, 1}, high = {0, 2}, none = {0, 0};
        Function<Tensor, Tensor> f = x -> {
            Tensor p = dev.javelin.tensor.Ops.pad(x.exp(), low, high, none, 0.5); // [4, 6]: x in columns 1..3
            return p.slice(1, 1, 4).add(p.slice(1, 4, 6).sum(new int[] {1}, true)).add(p.slice(1, 0, 3));
        };
        Graph g = trace(f);
        assertTrue(new AlgebraicSimplification().run(g));
        assertEquals(1, count(g, Op.SLICE), "only the slice over padding and x both stays:\n" + g);
        Tensor compiled = dev.javelin.jit.Jit.compile(a -> new Tensor[] {f.apply(a[0])}).call(X)[0];
        dev.javelin.testing.TensorAssert.assertClose(f.apply(X), compiled, 1e-6, 1e-7);
    }

    @Test
    void pipelineReachesAFixedPoint() {
        Graph g = trace(x -> x.exp().mul(1.0).add(x.exp()).contiguous());
        Passes.optimize(g);
        String once = g.toString();
        assertTrue(Passes.optimize(g).isEmpty());
        assertEquals(once, g.toString());
        assertEquals(1, count(g, Op.EXP));
        assertEquals(0, count(g, Op.CONTIGUOUS));
    }
}
