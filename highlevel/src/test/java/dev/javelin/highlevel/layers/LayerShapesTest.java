package dev.javelin.highlevel.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.RandomTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every layer's output shape: computed symbolically, and the same when real data flows. */
class LayerShapesTest {
    private static Tensor data(int... dims) {
        return new RandomTensors(7).uniform(Shape.of(dims), DType.FLOAT32, -1, 1);
    }

    /** The symbolic shape (before data) equals the eager one, and both equal the expectation. */
    private static void check(Layer layer, int[] in, int... expected) {
        Shape symbolic = layer.computeOutputShape(Shape.of(in));
        assertEquals(Shape.of(expected), symbolic, layer + " symbolic");
        Tensor y = layer.apply(data(in), true);
        assertEquals(Shape.of(expected), y.shape(), layer + " eager");
        assertTrue(!y.isSymbolic());
    }

    @Test
    void dense() {
        Dense d = new Dense(5, "relu");
        check(d, new int[] {3, 4}, 3, 5);
        assertEquals(4 * 5 + 5, d.countParams());
        check(new Dense(2), new int[] {2, 3, 4}, 2, 3, 2);
    }

    @Test
    void conv2dValidSameStridesDilationGroups() {
        check(new Conv2D(8, 3, "relu"), new int[] {2, 9, 9, 3}, 2, 7, 7, 8);
        check(new Conv2D(4, new int[] {3, 3}, new int[] {2, 2}, "same", null), new int[] {1, 9, 8, 2}, 1, 5, 4, 4);
        check(new Conv2D(4, new int[] {3, 3}, new int[] {1, 1}, "valid", new int[] {2, 2}, 2, "gelu", true,
                new dev.javelin.highlevel.initializers.HeNormal(1L), new dev.javelin.highlevel.initializers.Zeros(), null, null, null),
                new int[] {1, 9, 9, 4}, 1, 5, 5, 4);
        Conv2D c = new Conv2D(32, 3, "relu");
        c.ensureBuilt(List.of(Shape.of(1, 28, 28, 1)));
        assertEquals(320, c.countParams());
    }

    @Test
    void pooling() {
        check(new MaxPooling2D(2), new int[] {2, 7, 7, 3}, 2, 3, 3, 3);
        check(new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null), new int[] {1, 7, 6, 2}, 1, 4, 3, 2);
        check(new AveragePooling2D(2), new int[] {2, 6, 6, 1}, 2, 3, 3, 1);
        check(new AveragePooling2D(new int[] {3, 3}, new int[] {1, 1}, "same", null), new int[] {1, 5, 5, 2}, 1, 5, 5, 2);
        check(new GlobalAveragePooling2D(), new int[] {2, 5, 4, 3}, 2, 3);
    }

    @Test
    void reshapingLayers() {
        check(new Flatten(), new int[] {2, 5, 5, 4}, 2, 100);
        check(new Reshape(4, -1), new int[] {3, 2, 6}, 3, 4, 3);
        check(new Activation("softmax"), new int[] {2, 3}, 2, 3);
        check(new Dropout(0.5, 3L), new int[] {4, 6}, 4, 6);
    }

    @Test
    void normalization() {
        check(new BatchNormalization(), new int[] {4, 3, 3, 5}, 4, 3, 3, 5);
        check(new LayerNormalization(), new int[] {2, 3, 6}, 2, 3, 6);
        BatchNormalization bn = new BatchNormalization();
        bn.ensureBuilt(List.of(Shape.of(1, 8)));
        assertEquals(4 * 8, bn.countParams());
        assertEquals(16, bn.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum());
        assertEquals(16, bn.nonTrainableWeights().stream().mapToLong(v -> v.shape().size()).sum());
    }

    @Test
    void embedding() {
        Embedding e = new Embedding(10, 4);
        Tensor ids = Tensors.of(new long[] {1, 2, 9, 0, 3, 3}, 2, 3);
        Tensor y = e.apply(ids);
        assertEquals(Shape.of(2, 3, 4), y.shape());
        assertEquals(Shape.of(2, 3, 4), e.computeOutputShape(Shape.of(2, 3)));
        float[] table = e.weights().get(0).stored().toFloatArray();
        float[] got = y.toFloatArray();
        for (int k = 0; k < 4; k++) assertEquals(table[9 * 4 + k], got[2 * 4 + k]); // third id is 9
    }

    @Test
    void mergeLayers() {
        Tensor a = data(2, 3);
        Tensor b = data(2, 5);
        Tensor cat = new Concatenate().apply(a, b);
        assertEquals(Shape.of(2, 8), cat.shape());
        float[] c = cat.toFloatArray();
        assertEquals(a.toFloatArray()[3], c[8]);     // row 1, col 0 comes from a
        assertEquals(b.toFloatArray()[5 + 4], c[8 + 7]); // row 1, last col comes from b
        // Keras's Concatenate(axis=0): rows of a then rows of c, as the Java concat of their arrays
        Tensor c3 = data(4, 3);
        Tensor rows = new Concatenate(0).apply(a, c3);
        assertEquals(Shape.of(6, 3), rows.shape());
        float[] joined = new float[18];
        System.arraycopy(a.toFloatArray(), 0, joined, 0, 6);
        System.arraycopy(c3.toFloatArray(), 0, joined, 6, 12);
        assertArrayEquals(joined, rows.toFloatArray());
        assertEquals(0, new Concatenate(0).getConfig().get("axis"));
        Tensor sum = new Add().apply(a, a);
        assertArrayEquals(a.mul(2.0).toFloatArray(), sum.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new Add().apply(a, b));
    }

    @Test
    void inputLayerChecksSampleShape() {
        InputLayer in = new InputLayer(28, 28, 1);
        assertEquals(Shape.of(1, 28, 28, 1), in.output().shape());
        var e = assertThrows(IllegalArgumentException.class, () -> in.apply(data(2, 28, 28)));
        assertTrue(e.getMessage().contains("[batch, 28, 28, 1]"), e.getMessage());
    }

    @Test
    void badInputsNameTheLayer() {
        Dense d = new Dense(3);
        d.apply(data(2, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> d.apply(data(2, 5)));
        assertTrue(e.getMessage().contains(d.name()) && e.getMessage().contains("[2, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 3).apply(data(2, 8)));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, new int[] {3, 3}, new int[] {1, 1}, "full", null));
    }

    @Test
    void namesAreNumberedLikeKeras() {
        Layer.resetNames();
        assertEquals("dense", new Dense(1).name());
        assertEquals("dense_1", new Dense(1).name());
        assertEquals("max_pooling2d", new MaxPooling2D(2).name());
        assertEquals("conv2d", new Conv2D(1, 1).name());
        assertEquals("batch_normalization", new BatchNormalization().name());
        assertEquals("global_average_pooling2d", Layer.snakeCase("GlobalAveragePooling2D"));
    }

    @Test
    void symbolicIntInputsWork() {
        Shape s = new Embedding(5, 2).computeOutputShape(Shape.of(3, 7));
        assertEquals(Shape.of(3, 7, 2), s);
        assertEquals(DType.FLOAT32, new Dense(2).apply(data(1, 2)).dtype());
    }
}
