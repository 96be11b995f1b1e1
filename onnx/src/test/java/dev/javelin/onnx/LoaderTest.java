package dev.javelin.onnx;

import static dev.javelin.onnx.Protos.floats;
import static dev.javelin.onnx.Protos.graph;
import static dev.javelin.onnx.Protos.initializer;
import static dev.javelin.onnx.Protos.int64s;
import static dev.javelin.onnx.Protos.model;
import static dev.javelin.onnx.Protos.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.onnx.proto.OnnxProto.ModelProto;
import dev.javelin.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What load accepts and what it refuses, with messages that say where and why. */
class LoaderTest {
    @TempDir
    Path dir;

    /** y = x @ w + b for x [batch, 3], w [3, 2]. */
    private static GraphProto.Builder linear() {
        return graph("linear").addInput(floats("x", -1, 3)).addOutput(floats("y", -1, 2))
                .addInitializer(initializer("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2))
                .addInitializer(initializer("b", new float[] {0.5f, -0.5f}, 2))
                .addNode(node("mm", "MatMul", List.of("x", "w"), List.of("xw")))
                .addNode(node("bias", "Add", List.of("xw", "b"), List.of("y")));
    }

    private static final Tensor X = Tensors.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
    private static final Tensor Y = Tensors.of(new float[] {-3.5f, -4.5f, 5.5f, 7.5f}, 2, 2);

    @Test
    void loadsAndRunsAHandBuiltModel() throws IOException {
        Path f = dir.resolve("linear.onnx");
        Files.write(f, model(17, linear().build()).toByteArray());
        OnnxModel m = OnnxModel.load(f);
        assertEquals("[x [batch_size, 3] float32]", m.inputs().toString());
        TensorAssert.assertClose(Y, m.call(X)[0]);
        TensorAssert.assertClose(Y, m.run(Map.of("x", X)).get("y"));
    }

    @Test
    void unsupportedOperatorNamesNodeOpTypeOpsetAndTheSupportedList() {
        GraphProto g = linear().setNode(1, node("my_nms", "NonMaxSuppression", List.of("xw", "b"), List.of("y"))).build();
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.load(model(15, g).toByteArray(), "m"));
        assertTrue(e.getMessage().contains("'my_nms'") && e.getMessage().contains("NonMaxSuppression") && e.getMessage().contains("opset 15")
                && e.getMessage().contains("Conv, ") && e.getMessage().contains("MatMul"), e.getMessage());
        assertEquals("NonMaxSuppression", e.opType());
        GraphProto custom = linear().setNode(1, linear().getNode(1).toBuilder().setDomain("com.microsoft")).build();
        UnsupportedOperatorException c = assertThrows(UnsupportedOperatorException.class, () -> OnnxModel.load(model(17, custom).toByteArray(), "m"));
        assertTrue(c.getMessage().contains("com.microsoft.Add"), c.getMessage());
    }

    @Test
    void opsetOutsideThirteenToSeventeenIsRefused() {
        for (long opset : new long[] {12, 18}) {
            OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(model(opset, linear().build()).toByteArray(), "m"));
            assertTrue(e.getMessage().contains("opset " + opset) && e.getMessage().contains("13 to 17"), e.getMessage());
        }
    }

    @Test
    void malformedGraphsFailAtLoadNamingTheProblem() {
        assertMessage(linear().setNode(0, node("mm", "MatMul", List.of("x", "nowhere"), List.of("xw"))), "'nowhere'");
        assertMessage(linear().setInitializer(0, initializer("w", new float[] {1, 2, 3, 4, 5}, 3, 2)), "raw data holds 20 bytes");
        assertMessage(linear().setInitializer(0, initializer("w", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2)), "node 'mm' (MatMul)");
        assertMessage(linear().addNode(node("again", "Relu", List.of("x"), List.of("y"))), "'y', which is already defined");
        assertMessage(linear().clearOutput().addOutput(floats("missing", 2)), "graph output 'missing'");
        // a Reshape whose shape depends on input data cannot be compiled to fixed shapes
        assertMessage(linear().addInput(floats("s", 2)).setNode(1, node("rs", "Reshape", List.of("xw", "s"), List.of("y"))),
                "node 'rs' (Reshape), opset 17: input 1 (shape) must be known");
        OnnxFormatException garbage = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(new byte[] {8, 1, 0x3a, 5, 1, 2}, "junk"));
        assertTrue(garbage.getMessage().startsWith("junk: "), garbage.getMessage());
    }

    @Test
    void anOutOfRangeResizeScaleSaysItsBound() {
        // a scale of 1e5 was refused as "must be positive"
        GraphProto.Builder g = graph("resize").addInput(floats("x", 1, 1, 2, 2)).addOutput(floats("y", 1, 1, 2, 2))
                .addInitializer(initializer("sc", new float[] {1, 1, 100_000, 100_000}, 4))
                .addNode(node("up", "Resize", List.of("x", "", "sc"), List.of("y")));
        assertMessage(g, "scale 100000.0 must be positive and at most 65536");
    }

    /** torchvision's Swin exports Dropout(ratio 0, training_mode true), which keeps everything; another ratio drops at random. */
    @Test
    void aTrainingModeDropoutRunsOnlyWithARatioOfZero() throws IOException {
        TensorProto training = TensorProto.newBuilder().setName("t").setDataType(9 /* BOOL */).addInt32Data(1).build();
        GraphProto.Builder keeps = graph("drop").addInput(floats("x", 2, 3)).addOutput(floats("y", 2, 3))
                .addInitializer(initializer("r", new float[] {0f})).addInitializer(training)
                .addNode(node("drop", "Dropout", List.of("x", "r", "t"), List.of("y")));
        Tensor x = Tensors.of(new float[] {1, -2, 3, 4, 5, -6}, 2, 3);
        OnnxModel m = OnnxModel.load(model(17, keeps.build()).toByteArray(), "drop");
        TensorAssert.assertEqual(x, m.call(x)[0]);
        TensorAssert.assertEqual(x, m.apply(x)[0]);
        GraphProto.Builder drops = graph("drop").addInput(floats("x", 2, 3)).addOutput(floats("y", 2, 3))
                .addInitializer(initializer("r", new float[] {0.5f})).addInitializer(training)
                .addNode(node("drop", "Dropout", List.of("x", "r", "t"), List.of("y")));
        assertMessage(drops, "training_mode = true is not supported (inference only) unless the ratio is 0");
    }

    private static void assertMessage(GraphProto.Builder g, String expected) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(model(17, g.build()).toByteArray(), "m"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    /**
     * A symbolic length (dynamic_axes on axis 2) under a window of 3: the load-time shape check at length 1
     * would refuse it, so lengths after the batch axis are also tried longer; a window no length fits is refused.
     */
    @Test
    void aSymbolicLengthUnderAWindowLoadsAndRuns() throws IOException {
        AttributeProto kernel = AttributeProto.newBuilder().setName("kernel_shape").setType(AttributeProto.AttributeType.INTS)
                .addInts(3).build();
        GraphProto.Builder pool = graph("pool").addInput(floats("x", -1, 1, -1)).addOutput(floats("y", -1, 1, -1))
                .addNode(node("pool", "MaxPool", List.of("x"), List.of("y"), kernel));
        OnnxModel m = OnnxModel.load(model(17, pool.build()).toByteArray(), "pool");
        Tensor x = Tensors.of(new float[] {1, 5, 2, 0, 3, -1, 4, 7, 2, -3}, 2, 1, 5);
        TensorAssert.assertClose(Tensors.of(new float[] {5, 5, 3, 7, 7, 7}, 2, 1, 3), m.call(x)[0]);
        // toModel traces a length without a size at 1, then longer where the window does not fit it (it was refused, oracle10)
        TensorAssert.assertClose(Tensors.of(new float[] {5, 5, 3, 7, 7, 7}, 2, 1, 3), m.toModel().predict(x));
        TensorAssert.assertClose(Tensors.of(new float[] {5, 5, 3, 7, 7, 7}, 2, 1, 3), m.toModel(Map.of("batch_size", 5)).predict(x));
        AttributeProto huge = kernel.toBuilder().setInts(0, 1000).build();
        assertMessage(graph("pool").addInput(floats("x", -1, 1, -1)).addOutput(floats("y", -1, 1, -1))
                .addNode(node("pool", "MaxPool", List.of("x"), List.of("y"), huge)), "also at 64 and 512");
    }

    @Test
    void wrongInputsAreRefusedNamingTheInput() throws IOException {
        OnnxModel m = OnnxModel.load(model(17, linear().build()).toByteArray(), "m");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.call(Tensors.zeros(2, 4)));
        assertTrue(e.getMessage().contains("input 'x' expects x [batch_size, 3] float32, got float32 [2, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.call(Tensors.zeros(Shape.of(2, 3), DType.FLOAT64)));
        assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("z", X)));
    }

    private static TensorProto external(TensorProto t, String location, long offset) {
        return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(t.getRawData().size()))).build();
    }

    @Test
    void externalDataIsReadFromTheModelsFolderOnly() throws IOException {
        GraphProto.Builder g = linear();
        TensorProto w = g.getInitializer(0), b = g.getInitializer(1);
        ByteString data = ByteString.copyFrom(new byte[16]).concat(w.getRawData()).concat(b.getRawData());
        Path sub = Files.createDirectories(dir.resolve("model"));
        Files.write(sub.resolve("weights.bin"), data.toByteArray());
        g.setInitializer(0, external(w, "weights.bin", 16)).setInitializer(1, external(b, "weights.bin", 16 + w.getRawData().size()));
        Path f = sub.resolve("m.onnx");
        Files.write(f, model(17, g.build()).toByteArray());
        TensorAssert.assertClose(Y, OnnxModel.load(f).call(X)[0]);

        Files.write(dir.resolve("outside.bin"), data.toByteArray());
        for (String location : new String[] {"../outside.bin", dir.resolve("outside.bin").toString(), "missing.bin"}) {
            g.setInitializer(0, external(w, location, 16));
            Files.write(f, model(17, g.build()).toByteArray());
            OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f));
            assertTrue(e.getMessage().contains("initializer 'w'") && (e.getMessage().contains("outside the model's folder")
                    || e.getMessage().contains("not found")), e.getMessage());
        }
        Path link = sub.resolve("link.bin");
        Files.createSymbolicLink(link, dir.resolve("outside.bin"));
        g.setInitializer(0, external(w, "link.bin", 16));
        Files.write(f, model(17, g.build()).toByteArray());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f));
        assertTrue(e.getMessage().contains("leads outside the model's folder"), e.getMessage());
        g.setInitializer(0, external(w, "weights.bin", data.size() - 8));
        Files.write(f, model(17, g.build()).toByteArray());
        e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f));
        assertTrue(e.getMessage().contains("bytes needed"), e.getMessage());
        assertThrows(OnnxFormatException.class, () -> OnnxModel.load(Files.readAllBytes(f), "from memory"));
    }

    @Test
    void shapeSubgraphsFoldToConstantsForTheTracedShapes() throws IOException {
        // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])): a flatten written the way exporters write it
        GraphProto g = graph("flatten").addInput(floats("x", -1, 2, 3)).addOutput(floats("y", -1, 6))
                .addInitializer(int64s("zero", 0)).addInitializer(int64s("minus_one", -1))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("batch", "Gather", List.of("s", "zero"), List.of("n")))
                .addNode(node("target", "Concat", List.of("n", "minus_one"), List.of("t"), Protos.intAttr("axis", 0)))
                .addNode(node("reshape", "Reshape", List.of("x", "t"), List.of("y"))).build();
        OnnxModel m = OnnxModel.load(model(13, g).toByteArray(), "flatten");
        Tensor x = Tensors.normal(Shape.of(5, 2, 3), 3);
        Tensor y = m.call(x)[0];
        TensorAssert.assertEqual(x.reshape(5, 6), y);
        String plan = dev.javelin.jit.Jit.explain(a -> m.apply(a), x);
        assertTrue(!plan.contains("gather") && !plan.contains("concat"), "the shape arithmetic is folded away:\n" + plan);
    }

    @Test
    void outputsMayBeInputsInitializersOrRepeated() throws IOException {
        // y = x (an input passed through), w (an initializer), and relu(x) twice
        GraphProto g = graph("passthrough").addInput(floats("x", -1, 3)).addOutput(floats("x", -1, 3)).addOutput(floats("w", 3, 2))
                .addOutput(floats("r", -1, 3)).addOutput(floats("r", -1, 3))
                .addInitializer(initializer("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2))
                .addNode(node("relu", "Relu", List.of("x"), List.of("r"))).build();
        OnnxModel m = OnnxModel.load(model(17, g).toByteArray(), "passthrough");
        for (int n : new int[] {2, 3, 2}) {
            Tensor x = Tensors.normal(Shape.of(n, 3), n);
            Tensor[] out = m.call(x);
            TensorAssert.assertEqual(x, out[0]);
            TensorAssert.assertEqual(m.graph().initializers().get("w"), out[1]);
            TensorAssert.assertEqual(x.relu(), out[2]);
            TensorAssert.assertEqual(x.relu(), out[3]);
        }
    }
}
