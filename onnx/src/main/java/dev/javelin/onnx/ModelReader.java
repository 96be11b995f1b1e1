package dev.javelin.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.javelin.onnx.proto.OnnxProto.AttributeProto;
import dev.javelin.onnx.proto.OnnxProto.GraphProto;
import dev.javelin.onnx.proto.OnnxProto.ModelProto;
import dev.javelin.onnx.proto.OnnxProto.NodeProto;
import dev.javelin.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.javelin.onnx.proto.OnnxProto.TensorProto;
import dev.javelin.onnx.proto.OnnxProto.TensorShapeProto;
import dev.javelin.onnx.proto.OnnxProto.TypeProto;
import dev.javelin.onnx.proto.OnnxProto.ValueInfoProto;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bytes of an ONNX file to a checked {@link OnnxGraph}: protobuf parsing by the classes generated
 * from {@code onnx.proto}, then the checks that make a graph runnable (supported opset and operators,
 * values made before use, initializers whose data match their shapes, one maker per value).
 */
final class ModelReader {
    /** The versions of the default operator set Javelin implements. */
    static final long MIN_OPSET = 13, MAX_OPSET = 17;

    private ModelReader() {}

    static OnnxGraph read(byte[] bytes, Path modelDir, String source) throws OnnxFormatException {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(source + ": not a valid ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (RuntimeException e) { // the parser's own checks on hostile input
            throw new OnnxFormatException(source + ": not a valid ONNX model (" + e + ")", e);
        }
        if (!model.hasGraph()) throw new OnnxFormatException(source + ": the file has no graph (is it an ONNX model?)");
        long opset = defaultOpset(model, source);
        return graph(model.getGraph(), opset, modelDir, source);
    }

    private static long defaultOpset(ModelProto model, String source) throws OnnxFormatException {
        Long version = null;
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) version = id.getVersion();
        }
        if (version == null) throw new OnnxFormatException(source + ": the model imports no version of the default (ai.onnx) operator set");
        if (version < MIN_OPSET || version > MAX_OPSET) {
            throw new OnnxFormatException(source + ": opset " + version + " is not supported: Javelin reads opsets " + MIN_OPSET + " to "
                    + MAX_OPSET + " (re-export with torch.onnx.export(..., opset_version=17), or convert with onnx.version_converter)");
        }
        return version;
    }

    private static OnnxGraph graph(GraphProto g, long opset, Path modelDir, String source) throws OnnxFormatException {
        if (g.getSparseInitializerCount() > 0) throw new OnnxFormatException(source + ": sparse initializers are not supported");
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            String name = t.getName();
            String what = source + ": initializer '" + name + "'";
            if (name.isEmpty()) throw new OnnxFormatException(source + ": initializer #" + i + " has no name");
            if (initializers.put(name, TensorReader.read(t, modelDir, what)) != null) {
                throw new OnnxFormatException(what + " is defined twice");
            }
        }
        Set<String> defined = new HashSet<>(initializers.keySet());
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (initializers.containsKey(v.getName())) continue; // an input with a default value: a constant here
            ValueInfo info = valueInfo(v, source + ": graph input", true);
            if (!defined.add(info.name())) throw new OnnxFormatException(source + ": graph input '" + info.name() + "' is defined twice");
            inputs.add(info);
        }
        List<OnnxNode> nodes = new ArrayList<>();
        for (int index = 0; index < g.getNodeCount(); index++) {
            NodeProto n = g.getNode(index);
            String name = n.getName().isEmpty() ? "#" + index : n.getName();
            String domain = n.getDomain();
            if (!domain.isEmpty() && !domain.equals("ai.onnx") || Operators.find(n.getOpType()) == null) {
                throw new UnsupportedOperatorException(name, n.getOpType(), domain, opset, Operators.supported());
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new OnnxFormatException(source + ": node '" + name + "' (" + n.getOpType() + ") reads '" + in
                            + "', which no earlier node, input or initializer makes (the nodes must be in topological order)");
                }
            }
            Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
            for (AttributeProto a : n.getAttributeList()) {
                OnnxAttribute attr = attribute(a, modelDir, source + ": node '" + name + "' (" + n.getOpType() + ") attribute '" + a.getName() + "'");
                if (attributes.put(attr.name(), attr) != null) {
                    throw new OnnxFormatException(source + ": node '" + name + "' has attribute '" + attr.name() + "' twice");
                }
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && !defined.add(out)) {
                    throw new OnnxFormatException(source + ": node '" + name + "' (" + n.getOpType() + ") makes '" + out + "', which is already defined");
                }
            }
            nodes.add(new OnnxNode(name, n.getOpType(), List.copyOf(n.getInputList()), List.copyOf(n.getOutputList()),
                    Collections.unmodifiableMap(attributes)));
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            ValueInfo info = valueInfo(v, source + ": graph output", false);
            if (!defined.contains(info.name())) throw new OnnxFormatException(source + ": graph output '" + info.name() + "' is made by no node");
            outputs.add(info);
        }
        if (outputs.isEmpty()) throw new OnnxFormatException(source + ": the graph has no outputs");
        return new OnnxGraph(opset, List.copyOf(inputs), List.copyOf(outputs), Collections.unmodifiableMap(initializers), List.copyOf(nodes));
    }

    private static ValueInfo valueInfo(ValueInfoProto v, String what, boolean shapeRequired) throws OnnxFormatException {
        String name = v.getName();
        if (name.isEmpty()) throw new OnnxFormatException(what + " without a name");
        TypeProto type = v.getType();
        if (!type.hasTensorType()) throw new OnnxFormatException(what + " '" + name + "': only tensor values are supported (not sequences, maps or optionals)");
        TypeProto.Tensor tt = type.getTensorType();
        DType dtype = TensorReader.dtypeOf(tt.getElemType(), what + " '" + name + "'");
        if (!tt.hasShape()) {
            if (shapeRequired) throw new OnnxFormatException(what + " '" + name + "' declares no shape (its rank is needed)");
            return new ValueInfo(name, dtype, null, null);
        }
        TensorShapeProto shape = tt.getShape();
        int[] dims = new int[shape.getDimCount()];
        String[] names = new String[dims.length];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = shape.getDim(i);
            if (d.hasDimValue()) {
                if (d.getDimValue() < 0 || d.getDimValue() > Integer.MAX_VALUE - 8) {
                    throw new OnnxFormatException(what + " '" + name + "': dimension " + i + " is " + d.getDimValue());
                }
                dims[i] = (int) d.getDimValue();
            } else {
                dims[i] = -1;
                names[i] = d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : null;
            }
        }
        return new ValueInfo(name, dtype, dims, names);
    }

    private static OnnxAttribute attribute(AttributeProto a, Path modelDir, String what) throws OnnxFormatException {
        String name = a.getName();
        if (name.isEmpty()) throw new OnnxFormatException(what + ": an attribute without a name");
        if (a.hasRefAttrName()) throw new OnnxFormatException(what + ": attribute references (functions) are not supported");
        return switch (a.getType()) {
            case FLOAT -> OnnxAttribute.ofFloat(name, a.getF());
            case INT -> OnnxAttribute.ofInt(name, a.getI());
            case STRING -> OnnxAttribute.ofString(name, a.getS().toStringUtf8());
            case TENSOR -> OnnxAttribute.ofTensor(name, TensorReader.read(a.getT(), modelDir, what));
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int i = 0; i < v.length; i++) v[i] = a.getFloats(i);
                yield OnnxAttribute.ofFloats(name, v);
            }
            case INTS -> {
                long[] v = new long[a.getIntsCount()];
                for (int i = 0; i < v.length; i++) v[i] = a.getInts(i);
                yield OnnxAttribute.ofInts(name, v);
            }
            case STRINGS -> {
                List<String> v = new ArrayList<>();
                for (int i = 0; i < a.getStringsCount(); i++) v.add(a.getStrings(i).toStringUtf8());
                yield OnnxAttribute.ofStrings(name, v);
            }
            default -> throw new OnnxFormatException(what + ": attributes of type " + a.getType()
                    + " are not supported (subgraphs: If, Loop, Scan are not implemented)");
        };
    }
}
