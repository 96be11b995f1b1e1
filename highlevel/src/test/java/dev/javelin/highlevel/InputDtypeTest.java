package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.javelin.highlevel.layers.Activation;
import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.GRU;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.highlevel.layers.RecurrentOptions;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A model's inputs take the dtype of its Input, as Keras's functional models convert them, and a layer's
 * floating inputs take its weights' dtype, as Keras 3's autocast: float64 data (what a Java double[][]
 * becomes) ran every layer of a float32 model in float64, about 20x slower.
 */
class InputDtypeTest {
    @Test
    void float64DataRunsAFloat32ModelInFloat32() {
        Tensor x = Tensors.normal(Shape.of(12, 5, 3), 1), y = Tensors.normal(Shape.of(12, 2), 2);
        List<Supplier<Model>> models = List.of(
                () -> new Sequential(new InputLayer(5, 3), new LSTM(4), new Dense(2)),
                () -> new Sequential(new LSTM(4), new Dropout(0.2), new Dense(2)), // no Input: each layer autocasts, as Keras 3's
                () -> {
                    Tensor in = Input.of(5, 3);
                    return new Model(in, new Dense(2).apply(new LSTM(4).apply(in)));
                });
        for (Supplier<Model> make : models) {
            Seeds.setGlobal(3);
            Model m32 = make.get();
            m32.compile("adam", "mse");
            Tensor p32 = m32.predict(x); // builds the model without an Input here, drawing its weights
            Seeds.setGlobal(3);
            Model m64 = make.get();
            m64.compile("adam", "mse");
            Tensor p = m64.predict(x.cast(DType.FLOAT64));
            assertEquals(DType.FLOAT32, p.dtype());
            assertArrayEquals(p32.toFloatArray(), p.toFloatArray());
            FitOptions fit = FitOptions.builder().batchSize(4).epochs(2).seed(5).verbose(0).build();
            assertEquals(m32.fit(x, y, fit).history(), m64.fit(x.cast(DType.FLOAT64), y, fit).history(), "the same training, bit for bit");
            assertArrayEquals(m32.predict(x).toFloatArray(), m64.predict(x).toFloatArray());
        }
    }

    /** A layer whose weights were made float64 (as a gradient check does) computes in float64 whatever it is fed. */
    @Test
    void aLayerComputesInItsWeightsDtype() {
        Tensor x64 = Tensors.normal(Shape.of(3, 4), 7).cast(DType.FLOAT64);
        Dense dense = new Dense(2, "tanh");
        Tensor y32 = dense.apply(x64);
        assertEquals(DType.FLOAT32, y32.dtype(), "float32 weights: the float64 input is cast, as Keras's layer(x)");
        assertArrayEquals(dense.apply(x64.cast(DType.FLOAT32)).toFloatArray(), y32.toFloatArray());
        for (Variable v : dense.weights()) v.store(v.stored().cast(DType.FLOAT64)); // as LayerGradientsTest does
        Tensor y64 = dense.apply(x64.cast(DType.FLOAT32));
        assertEquals(DType.FLOAT64, y64.dtype(), "float64 weights: the float32 input is cast up");
        assertArrayEquals(y32.toDoubleArray(), y64.toDoubleArray(), 1e-6);
        Tensor ids = Tensors.of(new long[] {1, 0, 2}, 3);
        assertEquals(DType.INT64, new Activation("linear").apply(ids).dtype(), "no weights, or integer inputs: never cast");
    }

    /** The layers' entry points besides apply (callWithStates, through Bidirectional, MultiHeadAttention.call) cast as apply does. */
    @Test
    void directCallsCastAsApplyDoes() {
        Tensor x = Tensors.normal(Shape.of(2, 4, 3), 1), x64 = x.cast(DType.FLOAT64);
        List<Tensor> h0 = List.of(Tensors.normal(Shape.of(2, 5), 2), Tensors.normal(Shape.of(2, 5), 3));
        List<Tensor> h064 = List.of(h0.get(0).cast(DType.FLOAT64), h0.get(1).cast(DType.FLOAT64));
        LSTM lstm = new LSTM(5, RecurrentOptions.defaults().returnState(true));
        assertSameFloat32(lstm.callWithStates(x, h0, null, false), lstm.callWithStates(x64, h064, null, false));
        Bidirectional bi = new Bidirectional(new GRU(5, RecurrentOptions.defaults().returnState(true)));
        assertSameFloat32(bi.callWithStates(x, h0, null, false), bi.callWithStates(x64, h064, null, false));
        MultiHeadAttention mha = new MultiHeadAttention(2, 4);
        assertSameFloat32(List.of(mha.call(x, x, x, null, true, false)), List.of(mha.call(x64, x64, x64, null, true, false)));
    }

    private static void assertSameFloat32(List<Tensor> expected, List<Tensor> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(DType.FLOAT32, actual.get(i).dtype());
            assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray());
        }
    }
}
