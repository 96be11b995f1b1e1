package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IndexingAndArrayOpsTest {
    private final Tensor x = Tensors.arange(0, 12, 1).reshape(3, 4);

    @Test
    void gatherAlongEachAxisIncludingNegativeAndInt32Indices() {
        Tensor idx = Tensors.of(new long[] {3, 0, 1, 1, 2, 2}, 3, 2);
        assertArrayEquals(new float[] {3, 0, 5, 5, 10, 10}, IndexingOps.gather(x, -1, idx).toFloatArray());
        Tensor rows = Tensors.of(new int[] {2, 0, 1, 2}, 1, 4);
        assertArrayEquals(new float[] {8, 1, 6, 11}, IndexingOps.gather(x, 0, rows).toFloatArray());
        assertArrayEquals(new float[] {8, 4, 1, 9}, IndexingOps.gather(x.mT(), 1, Tensors.of(new long[] {2, 1, 0, 2}, 2, 2)).toFloatArray());
    }

    @Test
    void gatherRejectsFloatIndicesAndWrongRank() {
        var e = assertThrows(IllegalArgumentException.class, () -> IndexingOps.gather(x, 0, Tensors.zeros(1, 4)));
        assertEquals("gather: index must be int32 or int64, got float32[1, 4]", e.getMessage());
        var r = assertThrows(IllegalArgumentException.class, () -> IndexingOps.gather(x, 0, Tensors.of(new long[] {0})));
        assertEquals("gather: index [1] must have the rank of [3, 4]", r.getMessage());
        var oob = assertThrows(IndexOutOfBoundsException.class, () -> IndexingOps.gather(x, 1, Tensors.of(new long[] {4}, 1, 1)));
        assertEquals("gather: index 4 is out of range for axis 1 of size 4", oob.getMessage());
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        Tensor base = Tensors.zeros(2, 3);
        Tensor idx = Tensors.of(new long[] {0, 0, 2, 1, 1, 1}, 2, 3);
        Tensor src = Tensors.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {3, 0, 3, 0, 15, 0}, IndexingOps.scatterAdd(base, 1, idx, src).toFloatArray());
        var oob = assertThrows(IndexOutOfBoundsException.class,
                () -> IndexingOps.scatterAdd(base, 0, Tensors.of(new long[] {2}, 1, 1), Tensors.ones(1, 1)));
        assertEquals("scatter_add: index 2 is out of range for axis 0 of size 2", oob.getMessage());
    }

    @Test
    void indexSelectAndOneHot() {
        Tensor sel = ArrayOps.indexSelect(x, 0, Tensors.of(new long[] {2, 2, 0}));
        assertArrayEquals(new float[] {8, 9, 10, 11, 8, 9, 10, 11, 0, 1, 2, 3}, sel.toFloatArray());
        assertEquals(Shape.of(3, 0), ArrayOps.indexSelect(x, 1, Tensors.of(new long[0])).shape());
        Tensor h = ArrayOps.oneHot(Tensors.of(new int[] {1, 0, 3}), 3);
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0, 0, 0, 0}, h.toFloatArray(), "an out-of-range label is a zero row, as in TF");
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.oneHot(Tensors.zeros(2), 3));
    }

    @Test
    void concatAlongAnyAxisWithPromotion() {
        Tensor a = Tensors.ones(2, 1);
        Tensor c = ArrayOps.concat(List.of(x.slice(0, 0, 2), a, x.slice(0, 1, 3).mT().mT()), -1);
        assertEquals(Shape.of(2, 9), c.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 1, 4, 5, 6, 7, 4, 5, 6, 7, 1, 8, 9, 10, 11}, c.toFloatArray());
        Tensor mixed = ArrayOps.concat(List.of(Tensors.of(new int[] {1}), Tensors.of(new double[] {2.5})), 0);
        assertEquals(DType.FLOAT64, mixed.dtype());
        Tensor bools = ArrayOps.concat(List.of(Tensors.of(new boolean[] {true}), Tensors.of(new boolean[] {false, true})), 0);
        assertArrayEquals(new boolean[] {true, false, true}, bools.toBooleanArray());
        var e = assertThrows(IllegalArgumentException.class, () -> ArrayOps.concat(List.of(x, Tensors.zeros(2, 3)), 0));
        assertEquals("concat: shapes [[3, 4], [2, 3]] differ outside axis 0 (dimension 1)", e.getMessage());
    }

    @Test
    void stackAddsAnAxis() {
        Tensor s = ArrayOps.stack(List.of(Tensors.of(new float[] {1, 2}), Tensors.of(new float[] {3, 4})), -1);
        assertEquals(Shape.of(2, 2), s.shape());
        assertArrayEquals(new float[] {1, 3, 2, 4}, s.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.stack(List.of(Tensors.zeros(2), Tensors.zeros(3)), 0));
    }

    @Test
    void splitBySizesAndSections() {
        List<Tensor> parts = ArrayOps.split(x, new int[] {1, 0, 3}, 1);
        assertEquals(Shape.of(3, 1), parts.get(0).shape());
        assertEquals(Shape.of(3, 0), parts.get(1).shape());
        assertArrayEquals(new float[] {1, 2, 3, 5, 6, 7, 9, 10, 11}, parts.get(2).toFloatArray());
        assertEquals(3, ArrayOps.split(x, 3, 0).size());
        var e = assertThrows(IllegalArgumentException.class, () -> ArrayOps.split(x, new int[] {1, 2}, 1));
        assertEquals("split: sizes [1, 2] add up to 3, but axis 1 of [3, 4] has 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.split(x, 3, 1));
    }

    @Test
    void padAndTile() {
        Tensor p = ArrayOps.pad(Tensors.of(new float[] {1, 2}), new int[][] {{1, 2}}, 9);
        assertArrayEquals(new float[] {9, 1, 2, 9, 9}, p.toFloatArray());
        Tensor ints = ArrayOps.pad(Tensors.of(new int[] {5}), new int[][] {{1, 0}}, -1);
        assertArrayEquals(new int[] {-1, 5}, ints.toIntArray());
        assertThrows(IllegalArgumentException.class, () -> ArrayOps.pad(x, new int[][] {{1, 1}}, 0));
        Tensor t = ArrayOps.tile(Tensors.of(new float[] {1, 2}).reshape(1, 2), 2, 2);
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2, 1, 2}, t.toFloatArray());
        assertTrue(ArrayOps.tile(x, 0, 1).size() == 0);
    }
}
