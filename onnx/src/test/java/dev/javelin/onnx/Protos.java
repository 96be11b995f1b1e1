package dev.javelin.onnx;

import com.google.protobuf.ByteString;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.onnx.proto.OnnxProto.ModelProto;
import dev.javelin.onnx.proto.OnnxProto.NodeProto;
import dev.javelin.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.onnx.proto.OnnxProto.TensorShapeProto;
import dev.javelin.onnx.proto.OnnxProto.TypeProto;
import dev.javelin.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds small ONNX models in tests with the generated protobuf builders. */
final class Protos {
    private Protos() {}

    /** A float tensor value named {@code name} of {@code dims} (-1: a symbolic "batch_size"). */
    static ValueInfoProto value(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    static ValueInfoProto floats(String name, long... dims) {
        return value(name, TensorReader.FLOAT, dims);
    }

    /** A float tensor value whose dimensions are sizes (numbers) or symbolic names (strings: "batch", "t"). */
    static ValueInfoProto floatsNamed(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String param ? TensorShapeProto.Dimension.newBuilder().setDimParam(param)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorReader.FLOAT).setShape(shape))).build();
    }

    static NodeProto node(String name, String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) b.addAttribute(a);
        return b.build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** float32 raw-data initializer. */
    static TensorProto initializer(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorReader.FLOAT).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static TensorProto int64s(String name, long... values) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorReader.INT64).addDims(values.length)
                .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()).build();
    }

    static ModelProto model(long opset, GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("javelin-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }

    static GraphProto.Builder graph(String name) {
        return GraphProto.newBuilder().setName(name);
    }
}
