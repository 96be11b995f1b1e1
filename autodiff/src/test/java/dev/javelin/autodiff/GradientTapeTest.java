package dev.javelin.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the tape records, how it accumulates, and what it refuses. */
class GradientTapeTest {
    private static final double EXACT = 1e-12;

    private static Tensor vec(double... v) {
        return Tensors.of(v);
    }

    @Test
    void reusedTensorsAccumulateTheirGradients() {
        Tensor x = vec(1, -2, 3);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.mul(x).add(x).add(x.sin().mul(x)); // x^2 + x + x sin x
            double[] g = tape.gradient(y, x)[0].toDoubleArray();
            for (int i = 0; i < 3; i++) {
                double xi = x.get(i);
                assertEquals(2 * xi + 1 + Math.sin(xi) + xi * Math.cos(xi), g[i], EXACT);
            }
        }
    }

    /** Two variables made from one tensor object are two variables: each gets the gradient of its own reads. */
    @Test
    void variablesBuiltFromOneTensorGetTheirOwnGradients() {
        Tensor shared = vec(1, 2, 3);
        Variable a = new Variable("a", shared, true), b = new Variable("b", shared, true);
        try (GradientTape tape = GradientTape.record()) {
            Tensor y = a.value().mul(2.0).add(b.value().mul(b.value())).sum(); // 2a + b^2
            List<Tensor> g = tape.gradient(y, List.of(a, b));
            assertArrayEquals(new double[] {2, 2, 2}, g.get(0).toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {2, 4, 6}, g.get(1).toDoubleArray(), EXACT);
        }
    }

    @Test
    void broadcastOperandsGetTheirGradientSummedBack() {
        Tensor a = Tensors.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = vec(10, 20, 30);
        Tensor s = Tensors.scalar(2, DType.FLOAT64);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(a, b, s);
            Tensor[] g = tape.gradient(a.add(b).mul(s), a, b, s);
            assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, g[0].toDoubleArray(), EXACT);
            assertEquals(Shape.of(3), g[1].shape());
            assertArrayEquals(new double[] {4, 4, 4}, g[1].toDoubleArray(), EXACT);
            assertEquals(Shape.scalar(), g[2].shape());
            assertEquals(21 + 2 * 60, g[2].item(), EXACT); // sum(a) + 2 * sum(b)
        }
    }

    @Test
    void persistentTapeAnswersMoreThanOnce() {
        Tensor x = vec(0.5, 1.5);
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            Tensor y = x.mul(x).sum();
            Tensor z = x.exp().sum();
            assertArrayEquals(new double[] {1, 3}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {1, 3}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {Math.exp(0.5), Math.exp(1.5)}, tape.gradient(z, x)[0].toDoubleArray(), EXACT);
            assertTrue(tape.isPersistent());
        }
    }

    @Test
    void nonPersistentTapeRefusesASecondGradient() {
        Tensor x = vec(1, 2);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.mul(x).sum();
            tape.gradient(y, x);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
            assertTrue(e.getMessage().contains("recordPersistent"), e.getMessage());
        }
    }

    @Test
    void onlyWatchedTensorsAreTraced() {
        Tensor x = vec(1, 2), w = vec(3, 4);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor[] g = tape.gradient(x.mul(w).sum(), x, w);
            assertArrayEquals(new double[] {3, 4}, g[0].toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {0, 0}, g[1].toDoubleArray(), EXACT); // never watched: a constant
        }
    }

    @Test
    void unconnectedSourceGetsZerosOfItsShape() {
        Tensor x = vec(1, 2), u = Rand.normal(1, 2, 3);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x, u);
            Tensor[] g = tape.gradient(x.sum(), x, u);
            assertEquals(Shape.of(2, 3), g[1].shape());
            assertEquals(DType.FLOAT64, g[1].dtype());
            assertArrayEquals(new double[6], g[1].toDoubleArray(), EXACT);
        }
    }

    @Test
    void stopGradientCutsThePath() {
        Tensor x = vec(2, 3);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.mul(Autodiff.stopGradient(x)).sum(); // d/dx = stop(x), not 2x
            assertArrayEquals(new double[] {2, 3}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
        }
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = vec(2, 3);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor hidden;
            try (Dispatch.Scope s = Autodiff.noGrad()) {
                hidden = x.mul(x);
            }
            Tensor y = hidden.add(x).sum();
            assertArrayEquals(new double[] {1, 1}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
        }
    }

    @Test
    void opsAfterCloseAreNotRecordedButGradientStillWorks() {
        Tensor x = vec(1, 4);
        GradientTape tape = GradientTape.recordPersistent();
        tape.watch(x);
        Tensor y = x.mul(x);
        tape.close();
        Tensor z = y.mul(x).sum(); // not recorded
        assertArrayEquals(new double[] {2, 8}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
        assertArrayEquals(new double[] {0, 0}, tape.gradient(z, x)[0].toDoubleArray(), EXACT);
    }

    @Test
    void gradientWithRespectToAnIntermediate() {
        Tensor x = vec(1, 2);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor h = x.mul(3.0);
            Tensor y = h.mul(h).sum();
            Tensor[] g = tape.gradient(y, h, x);
            assertArrayEquals(new double[] {6, 12}, g[0].toDoubleArray(), EXACT);  // 2h
            assertArrayEquals(new double[] {18, 36}, g[1].toDoubleArray(), EXACT); // 18x
        }
    }

    @Test
    void vjpWithAnExplicitSeed() {
        Tensor x = vec(1, 2, 3);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.mul(x);
            Tensor g = tape.gradient(y, new Tensor[] {x}, vec(1, 0, -1))[0];
            assertArrayEquals(new double[] {2, 0, -6}, g.toDoubleArray(), EXACT);
        }
    }

    @Test
    void badSeedAndIntegerTargetAreRefused() {
        Tensor x = vec(1, 2, 3);
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            Tensor y = x.mul(x);
            IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                    () -> tape.gradient(y, new Tensor[] {x}, vec(1, 2)));
            assertTrue(seed.getMessage().contains("[2]") && seed.getMessage().contains("[3]"), seed.getMessage());
            IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
                    () -> tape.gradient(x.argmax(0), x));
            assertTrue(target.getMessage().contains("int64"), target.getMessage());
        }
    }

    @Test
    void integerAndBoolTensorsGetNoGradient() {
        Tensor x = vec(1.5, 2.5);
        Tensor k = Tensors.of(new long[] {3, 4});
        Tensor mask = Tensors.of(new boolean[] {true, false});
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x, k, mask);
            Tensor y = x.mul(k.cast(DType.FLOAT64)).mul(mask.cast(DType.FLOAT64)).sum();
            Tensor[] g = tape.gradient(y, x, k, mask);
            assertArrayEquals(new double[] {3, 0}, g[0].toDoubleArray(), EXACT);
            assertNull(g[1]);
            assertNull(g[2]);
        }
    }

    @Test
    void tiesOfMaxAndMinShareTheGradient() {
        Tensor x = vec(1, 3, 3, 2);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.max().add(x.maximum(Tensors.scalar(2, DType.FLOAT64)).sum()).add(x.min(0));
            // max: the two 3s share; maximum(x, 2): the tie at 2 gives x half; min: the 1 alone
            assertArrayEquals(new double[] {1, 1.5, 1.5, 0.5}, tape.gradient(y, x)[0].toDoubleArray(), EXACT);
        }
    }

    @Test
    void castBackCastsTheGradient() {
        Tensor x = vec(1, 2);
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x.cast(DType.FLOAT32).mul(Tensors.of(new float[] {0.5f, 4f})).sum();
            Tensor g = tape.gradient(y, x)[0];
            assertEquals(DType.FLOAT64, g.dtype());
            assertArrayEquals(new double[] {0.5, 4}, g.toDoubleArray(), EXACT);
        }
    }

    @Test
    void trainableVariablesReadOnTheTapeAreWatched() {
        Variable w = new Variable("w", vec(1, 2), true);
        Variable frozen = new Variable("frozen", vec(5, 5), false);
        Variable unread = new Variable("unread", vec(7, 7, 7), true);
        Tensor x = vec(3, 4);
        try (GradientTape tape = GradientTape.record()) {
            Tensor y = w.value().mul(x).add(w.value().mul(frozen.value())).sum();
            List<Tensor> g = tape.gradient(y, List.of(w, frozen, unread));
            assertArrayEquals(new double[] {8, 9}, g.get(0).toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {0, 0}, g.get(1).toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {0, 0, 0}, g.get(2).toDoubleArray(), EXACT);
        }
    }

    @Test
    void aVariableReassignedOnTheTapeSumsOverItsReads() {
        Variable w = new Variable("w", vec(1, 2), true);
        try (GradientTape tape = GradientTape.record()) {
            Tensor first = w.value().mul(2.0).sum();
            try (Dispatch.Scope s = Autodiff.noGrad()) {
                w.assign(vec(10, 20));
            }
            Tensor y = first.add(w.value().mul(w.value()).sum()); // 2 * w_old + w_new^2
            assertArrayEquals(new double[] {22, 42}, tape.gradient(y, List.of(w)).get(0).toDoubleArray(), EXACT);
        }
    }

    @Test
    void customGradientReplacesTheRule() {
        Tensor x = vec(1, 2);
        var squareWithWrongSlope = CustomGradient.wrap(xs -> xs[0].mul(xs[0]), (g, xs, y) -> new Tensor[] {g.mul(10.0)});
        var clipGradient = CustomGradient.wrap(xs -> xs[0], (g, xs, y) -> new Tensor[] {g.minimum(1.0).maximum(-1.0)});
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            Tensor y = squareWithWrongSlope.apply(new Tensor[] {x});
            assertArrayEquals(new double[] {1, 4}, y.toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {10, 10}, tape.gradient(y.sum(), x)[0].toDoubleArray(), EXACT);
            Tensor z = clipGradient.apply(new Tensor[] {x}).mul(vec(0.5, 3)).sum();
            assertArrayEquals(new double[] {0.5, 1}, tape.gradient(z, x)[0].toDoubleArray(), EXACT);
        }
    }

    @Test
    void customGradientOfSeveralInputsWithSecondOrder() {
        Tensor a = vec(2), b = vec(3);
        // f(a, b) = a * b with its true rule, written by hand; the outer tape differentiates the rule
        var product = CustomGradient.wrap(xs -> xs[0].mul(xs[1]), (g, xs, y) -> new Tensor[] {g.mul(xs[1]), g.mul(xs[0])});
        try (GradientTape outer = GradientTape.record()) {
            outer.watch(a, b);
            Tensor da;
            try (GradientTape inner = GradientTape.record()) {
                inner.watch(a, b);
                Tensor y = product.apply(new Tensor[] {a, b}).mul(a).sum(); // a^2 b
                da = inner.gradient(y, a)[0]; // 2ab
            }
            Tensor[] second = outer.gradient(da, a, b);
            assertEquals(12, da.item(), EXACT);
            assertEquals(6, second[0].item(), EXACT); // 2b
            assertEquals(4, second[1].item(), EXACT); // 2a
        }
    }

    @Test
    void backwardOpsOfATapeAreNotRecordedByItself() {
        Tensor x = vec(1, 2);
        try (GradientTape tape = GradientTape.recordPersistent()) {
            tape.watch(x);
            Tensor y = x.mul(x).mul(x).sum();
            Tensor dx = tape.gradient(y, x)[0];
            assertArrayEquals(new double[] {3, 12}, dx.toDoubleArray(), EXACT);
            assertArrayEquals(new double[] {0, 0}, tape.gradient(dx.sum(), x)[0].toDoubleArray(), EXACT);
        }
    }

    @Test
    void valueAndGradOfAFunction() {
        Tensor x = vec(1, 2), y = vec(3, 4);
        ValueAndGrad vg = Autodiff.valueAndGrad(xs -> xs[0].mul(xs[1]).sum()).apply(new Tensor[] {x, y});
        assertEquals(11, vg.value().item(), EXACT);
        assertArrayEquals(new double[] {3, 4}, vg.grad(0).toDoubleArray(), EXACT);
        assertArrayEquals(new double[] {1, 2}, vg.grad(1).toDoubleArray(), EXACT);
        Tensor[] onlySecond = Autodiff.grad(xs -> xs[0].mul(xs[1]).sum(), 1).apply(new Tensor[] {x, y});
        assertEquals(1, onlySecond.length);
        assertArrayEquals(new double[] {1, 2}, onlySecond[0].toDoubleArray(), EXACT);
        assertThrows(IllegalArgumentException.class, () -> Autodiff.grad(xs -> xs[0].sum(), 3).apply(new Tensor[] {x}));
    }

    @Test
    void aChainDeeperThanTheJavaStackIsFine() {
        Tensor x = vec(1.0);
        int depth = 50_000;
        try (GradientTape tape = GradientTape.record()) {
            tape.watch(x);
            Tensor y = x;
            for (int i = 0; i < depth; i++) y = y.mul(1.00001);
            assertEquals(Math.pow(1.00001, depth), tape.gradient(y.sum(), x)[0].item(), 1e-9);
        }
    }
}
