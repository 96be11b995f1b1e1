package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
    private static final double[] SAMPLES = {-3.5, -1, -0.25, 0, 0.3, 1, 2.5, 7};

    private static void checkUnary(Op op, DoubleUnaryOperator expected, double[] inputs) {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensors.of(inputs).cast(dt);
            Tensor y = Ops.unary(op, x);
            assertEquals(dt, y.dtype(), op + " keeps " + dt);
            double[] got = y.toDoubleArray();
            for (int i = 0; i < inputs.length; i++) {
                double in = dt == DType.FLOAT32 ? (float) inputs[i] : inputs[i];
                double want = expected.applyAsDouble(in);
                if (dt == DType.FLOAT32) want = (float) want;
                assertEquals(want, got[i], Math.abs(want) * 1e-15 + 1e-300, op + "(" + inputs[i] + ") in " + dt);
            }
        }
    }

    @Test
    void everyFloatingUnaryOpMatchesTheJavaMathDefinition() {
        checkUnary(Op.NEG, v -> -v, SAMPLES);
        checkUnary(Op.ABS, Math::abs, SAMPLES);
        checkUnary(Op.EXP, Math::exp, SAMPLES);
        checkUnary(Op.LOG, Math::log, new double[] {0.1, 1, 2.5, 100});
        checkUnary(Op.SQRT, Math::sqrt, new double[] {0, 0.25, 2, 9});
        checkUnary(Op.SIN, Math::sin, SAMPLES);
        checkUnary(Op.COS, Math::cos, SAMPLES);
        checkUnary(Op.TANH, Math::tanh, SAMPLES);
        checkUnary(Op.SIGMOID, v -> 1 / (1 + Math.exp(-v)), SAMPLES);
        checkUnary(Op.RELU, v -> Math.max(v, 0), SAMPLES);
        checkUnary(Op.RECIPROCAL, v -> 1 / v, new double[] {-2, 0.5, 4});
        checkUnary(Op.SIGN, Math::signum, SAMPLES);
        checkUnary(Op.FLOOR, Math::floor, SAMPLES);
        checkUnary(Op.CEIL, Math::ceil, SAMPLES);
        checkUnary(Op.ROUND, Math::rint, new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6});
    }

    @Test
    void specialValuesFollowIeeeAndPyTorch() {
        Tensor x = Tensors.of(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1000, 1000});
        float[] sig = x.sigmoid().toFloatArray();
        assertTrue(Float.isNaN(sig[0]));
        assertArrayEquals(new float[] {0, 1, 0, 1}, java.util.Arrays.copyOfRange(sig, 1, 5));
        assertTrue(Float.isNaN(x.relu().toFloatArray()[0]), "relu keeps NaN");
        assertTrue(Double.isNaN(Tensors.of(new float[] {-1}).sqrt().item()));
        assertEquals(Float.NEGATIVE_INFINITY, Tensors.of(new float[] {0}).log().item());
        assertEquals(Float.POSITIVE_INFINITY, Tensors.of(new float[] {0}).reciprocal().item());
    }

    @Test
    void integerUnaryOpsStayIntegerAndFloatingOnesPromote() {
        Tensor i = Tensors.of(new int[] {-3, 0, 4});
        assertEquals(DType.INT32, i.neg().dtype());
        assertArrayEquals(new int[] {3, 0, -4}, i.neg().toIntArray());
        assertArrayEquals(new int[] {3, 0, 4}, i.abs().toIntArray());
        assertArrayEquals(new int[] {-1, 0, 1}, i.sign().toIntArray());
        assertArrayEquals(new int[] {0, 0, 4}, i.relu().toIntArray());
        Tensor e = i.exp();
        assertEquals(DType.FLOAT32, e.dtype());
        assertEquals((float) Math.exp(4), e.toFloatArray()[2]);
        assertArrayEquals(new boolean[] {false, true, false}, i.logicalNot().toBooleanArray());
    }

    @Test
    void negOfBoolIsRejectedWithTheOpName() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensors.of(new boolean[] {true}).neg());
        assertTrue(e.getMessage().startsWith("neg: expected a numeric tensor, got bool"), e.getMessage());
    }

    @Test
    void binaryOpsBroadcastLikeNumPy() {
        Tensor a = Tensors.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3);
        Tensor b = Tensors.of(new float[] {10, 20}, 2, 1);
        Tensor s = a.add(b);
        assertEquals(Shape.of(2, 2, 3), s.shape());
        assertArrayEquals(new float[] {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}, s.toFloatArray());
        assertArrayEquals(new float[] {-9, -8, -7, -19, -18, -17, -6, -5, -4, -16, -15, -14}, a.sub(b).toFloatArray());
        assertArrayEquals(new float[] {10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120}, a.mul(b).toFloatArray());
        assertEquals(0.5f, Tensors.of(new float[] {1}).div(Tensors.of(new float[] {2})).item());
        assertEquals(8.0, Tensors.of(new float[] {2}).pow(3).item());
    }

    @Test
    void scalarsBroadcastAgainstEmptyAndSizeOneTensors() {
        Tensor empty = Tensors.zeros(0, 3);
        assertEquals(Shape.of(0, 3), empty.add(1.0).shape());
        assertEquals(0, empty.mul(Tensors.ones(1, 3)).size());
        Tensor one = Tensors.of(new float[] {2}, 1, 1);
        assertArrayEquals(new float[] {3, 4, 5}, one.add(Tensors.of(new float[] {1, 2, 3})).toFloatArray());
    }

    @Test
    void broadcastMismatchNamesTheOpAndBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensors.zeros(2, 3).add(Tensors.zeros(4)));
        assertEquals("add: shapes [2, 3] and [4] do not broadcast (dimension 1 of the result: 3 vs 4)", e.getMessage());
    }

    @Test
    void comparisonsReturnBoolAndNanComparesUnequal() {
        Tensor a = Tensors.of(new float[] {1, 2, Float.NaN});
        Tensor b = Tensors.of(new float[] {1, 3, Float.NaN});
        assertArrayEquals(new boolean[] {true, false, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, a.ge(b).toBooleanArray());
        assertEquals(DType.BOOL, a.eq(b).dtype());
    }

    @Test
    void maximumAndMinimumPropagateNan() {
        Tensor a = Tensors.of(new float[] {1, Float.NaN, 5});
        Tensor b = Tensors.of(new float[] {3, 0, Float.NaN});
        float[] mx = a.maximum(b).toFloatArray(), mn = a.minimum(b).toFloatArray();
        assertEquals(3f, mx[0]);
        assertTrue(Float.isNaN(mx[1]) && Float.isNaN(mx[2]));
        assertEquals(1f, mn[0]);
        assertTrue(Float.isNaN(mn[1]) && Float.isNaN(mn[2]));
    }

    @Test
    void dtypesPromoteAndIntegerDivisionIsTrueDivision() {
        Tensor i = Tensors.of(new int[] {7, -7});
        Tensor l = Tensors.of(new long[] {2, 2});
        assertEquals(DType.INT64, i.add(l).dtype());
        Tensor q = i.div(l);
        assertEquals(DType.FLOAT32, q.dtype());
        assertArrayEquals(new float[] {3.5f, -3.5f}, q.toFloatArray());
        assertEquals(DType.FLOAT64, Tensors.of(new float[] {1}).add(Tensors.of(new double[] {1})).dtype());
        assertEquals(DType.FLOAT32, i.add(0.5).dtype(), "a fractional scalar makes an int tensor float");
    }

    @Test
    void boolArithmeticIsRejectedButMaxMinAreLogicalOps() {
        Tensor t = Tensors.of(new boolean[] {true, false, true, false});
        Tensor u = Tensors.of(new boolean[] {true, true, false, false});
        var e = assertThrows(IllegalArgumentException.class, () -> t.add(u));
        assertTrue(e.getMessage().startsWith("add: arithmetic on bool tensors [4] and [4]"), e.getMessage());
        assertArrayEquals(new boolean[] {true, true, true, false}, t.maximum(u).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, t.minimum(u).toBooleanArray());
    }

    @Test
    void whereBroadcastsAllThreeOperands() {
        Tensor cond = Tensors.of(new boolean[] {true, false, true});
        Tensor a = Tensors.of(new float[] {1, 2}, 2, 1);
        Tensor r = Ops.where(cond, a, Tensors.scalar(-1));
        assertEquals(Shape.of(2, 3), r.shape());
        assertArrayEquals(new float[] {1, -1, 1, 2, -1, 2}, r.toFloatArray());
        Tensor ints = Ops.where(cond, Tensors.of(new long[] {1, 2, 3}), Tensors.of(new long[] {-1, -2, -3}));
        assertArrayEquals(new long[] {1, -2, 3}, ints.toLongArray());
    }

    @Test
    void castTruncatesTowardZeroAndBoolIsNonZero() {
        Tensor x = Tensors.of(new double[] {-2.7, -0.2, 0, 0.9, 3.99, Double.NaN});
        assertArrayEquals(new int[] {-2, 0, 0, 0, 3, 0}, x.cast(DType.INT32).toIntArray());
        assertArrayEquals(new long[] {-2, 0, 0, 0, 3, 0}, x.cast(DType.INT64).toLongArray());
        assertArrayEquals(new boolean[] {true, true, false, true, true, true}, x.cast(DType.BOOL).toBooleanArray());
        Tensor big = Tensors.of(new long[] {(1L << 40) + 3});
        assertEquals((double) (float) ((1L << 40) + 3), big.cast(DType.FLOAT32).item());
        assertEquals((double) ((1L << 40) + 3), big.cast(DType.FLOAT64).item());
        assertTrue(x.cast(DType.FLOAT64) == x, "a cast to the same dtype is the tensor itself");
    }

    /** Out-of-range floats saturate at the integer's range and NaN gives 0 (Java's cast; see Op.CAST), not wrap. */
    @Test
    void castFromFloatSaturatesAtTheIntegerRange() {
        Tensor x = Tensors.of(new double[] {3e9, -3e9, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e30, Double.NaN});
        int max = Integer.MAX_VALUE, min = Integer.MIN_VALUE;
        assertArrayEquals(new int[] {max, min, max, min, max, 0}, x.cast(DType.INT32).toIntArray());
        assertArrayEquals(new int[] {max, min, max, min, max, 0}, x.cast(DType.FLOAT32).cast(DType.INT32).toIntArray());
        assertArrayEquals(new int[] {max, min, max, min, max, 0}, x.toIntArray(), "toIntArray converts as CAST does");
        assertArrayEquals(new long[] {3_000_000_000L, -3_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 0},
                x.cast(DType.INT64).toLongArray());
        assertArrayEquals(new int[] {0, -2}, Tensors.of(new long[] {1L << 33, (1L << 32) - 2}).cast(DType.INT32).toIntArray(),
                "int64 to int32 wraps, as PyTorch");
    }

    @Test
    void opsOnNonContiguousViewsEqualOpsOnDenseCopies() {
        Tensor base = Tensors.arange(0, 24, 1).reshape(4, 6);
        Tensor view = base.mT().slice(0, 1, 6, 2); // [3, 4], strides (2, 6), offset 1
        Tensor dense = Tensors.of(view.toFloatArray(), 3, 4);
        assertArrayEquals(dense.exp().toFloatArray(), view.exp().toFloatArray());
        assertArrayEquals(dense.mul(dense).toFloatArray(), view.mul(view).toFloatArray());
        Tensor row = Tensors.of(new float[] {1, 2, 3, 4});
        assertArrayEquals(dense.sub(row).toFloatArray(), view.sub(row).toFloatArray());
    }
}
