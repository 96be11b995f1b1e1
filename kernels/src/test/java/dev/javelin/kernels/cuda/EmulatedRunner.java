package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Backends;
import dev.javelin.tensor.spi.CounterRng;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A host emulation of the kernels' contracts (what each documented parameter means), not of the
 * PTX instructions: device memory is byte buffers, and each launch is carried out in Java from its
 * name and arguments. It checks the planners end to end without a GPU: coalescing, strides, leading
 * dimensions, batch strides, im2col/fold geometry, chunked reductions. Elementwise math is the
 * reference backend's, applied to the elements the launch's arguments address.
 */
final class EmulatedRunner extends EmulatedDevice {
    final List<String> names = new ArrayList<>();
    /** When set, launches run their PTX through {@link PtxInterpreter} instead of the Java contract. */
    private final boolean interpret;

    EmulatedRunner() {
        this(false);
    }

    EmulatedRunner(boolean interpret) {
        super(0);
        this.interpret = interpret;
    }

    /** A device tensor with the same storage layout (length, strides, offset) and values as the host view {@code h}. */
    Tensor upload(Tensor h) {
        HeapStorage hs = (HeapStorage) h.storage();
        CudaStorage s = new CudaStorage(this, h.dtype(), hs.length(), false);
        long base = s.addressForOverwrite();
        for (int i = 0; i < hs.length(); i++) {
            if (h.dtype().isInteger()) putLong(h.dtype(), base + (long) i * h.dtype().byteSize(), hs.getLong(i));
            else put(h.dtype(), base + (long) i * h.dtype().byteSize(), hs.getDouble(i));
        }
        return Tensor.wrap(s, h.shape(), h.strides(), h.offset());
    }

    /** A fresh dense device tensor. */
    Tensor output(DType t, Shape shape) {
        return Tensor.wrap(new CudaStorage(this, t, shape.sizeAsInt(), false), shape);
    }

    /** The dense device tensor {@code d}'s elements on the host. */
    Tensor download(Tensor d) {
        HeapStorage h = HeapStorage.allocate(d.dtype(), d.shape().sizeAsInt());
        long base = CudaKernels.address(d, false);
        for (int i = 0; i < h.length(); i++) {
            long a = base + (long) (d.offset() + i) * d.dtype().byteSize();
            if (d.dtype().isInteger()) h.setLong(i, getLong(d.dtype(), a));
            else h.setDouble(i, get(d.dtype(), a));
        }
        return Tensor.wrap(h, d.shape());
    }

    // ---- kernels -----------------------------------------------------------------------------

    @Override
    public void launch(Launch l) {
        names.add(l.name());
        String n = l.name();
        List<Object> a = l.args();
        if (interpret) super.launch(l);
        else if (n.startsWith("E_")) elementwise(n, a);
        else if (n.startsWith("r_")) EmulatedKernels.reduce(this, n, l);
        else if (n.startsWith("gemm_")) EmulatedKernels.gemm(this, n.startsWith("gemm_f64") ? DType.FLOAT64 : DType.FLOAT32, l);
        else if (n.startsWith("im2col_")) EmulatedKernels.im2col(this, a);
        else if (n.startsWith("fold_")) EmulatedKernels.fold(this, n.endsWith("f64") ? DType.FLOAT64 : DType.FLOAT32, a);
        else if (n.startsWith("pad_")) EmulatedKernels.pad(this, n, a);
        else if (n.startsWith("gather_") || n.startsWith("scatter_add_")) EmulatedKernels.index(this, n, a);
        else if (n.equals("rand_uniform_f32")) {
            long seed = getLong(DType.INT64, (long) a.get(2) + 8L * (int) a.get(3));
            for (int i = 0; i < (int) a.get(1); i++) put(DType.FLOAT32, (long) a.get(0) + 4L * i, CounterRng.uniform(seed, i));
        } else if (n.equals("rand_normal_f32")) {
            long seed = getLong(DType.INT64, (long) a.get(2) + 8L * (int) a.get(3));
            for (int i = 0; i < (int) a.get(1); i++) put(DType.FLOAT32, (long) a.get(0) + 4L * i, CounterRng.normal(seed, i));
        } else {
            throw new IllegalStateException("emulated device: no emulation for kernel " + n);
        }
    }

    static final Map<String, DType> TAGS = new HashMap<>(Map.of("f32", DType.FLOAT32, "f64", DType.FLOAT64, "i32", DType.INT32,
            "i64", DType.INT64, "b8", DType.BOOL));

    /** E_<op>_<input tags>_r<rank>, E_cast_<from>_<to>_r<rank>, E_copy_<tag>_r<rank>, E_fill_<tag>_<hex>_r<rank>. */
    private void elementwise(String name, List<Object> a) {
        if (name.contains("_v4")) { // dense v4 form: out, n, (ptr, offset) per input; mask c = contiguous, b = broadcast
            String mask = name.endsWith("_v4") ? "" : name.substring(name.lastIndexOf('_') + 1);
            List<Object> strided = new ArrayList<>(List.of(a.get(0), a.get(1)));
            for (int k = 0; k < mask.length(); k++) {
                strided.add(a.get(2 + 2 * k));
                strided.add(a.get(3 + 2 * k));
                strided.add(mask.charAt(k) == 'c' ? 1 : 0);
            }
            elementwise(name.substring(0, name.lastIndexOf("_v4")) + "_r1", strided);
            return;
        }
        int rank = Integer.parseInt(name.substring(name.lastIndexOf("_r") + 2));
        String[] parts = name.substring(2, name.lastIndexOf("_r")).split("_");
        int n = (int) a.get(1);
        int[] dims = new int[rank];
        for (int d = 1; d < rank; d++) dims[d] = (int) a.get(1 + d);
        int inputs = (a.size() - 2 - (rank - 1)) / (2 + rank);
        if (parts[0].equals("fill") && inputs == 0) { // E_fill_<tag>_<value in hex>: the index kernels' error word
            DType t = TAGS.get(parts[1]);
            int v = Integer.parseUnsignedInt(parts[2], 16);
            for (int i = 0; i < n; i++) {
                long addr = (long) a.get(0) + (long) i * t.byteSize();
                if (t.isInteger()) putLong(t, addr, v);
                else put(t, addr, t == DType.FLOAT32 ? Float.intBitsToFloat(v) : v);
            }
            return;
        }
        List<DType> types = new ArrayList<>();
        int tagStart = parts.length - inputs - (parts[0].equals("cast") ? 1 : 0);
        for (int k = 0; k < inputs; k++) types.add(TAGS.get(parts[tagStart + k]));
        String label = String.join("_", java.util.Arrays.copyOfRange(parts, 0, tagStart));
        // gather each input's addressed elements into a dense host tensor (dims[0] from n)
        dims[0] = rank == 1 ? n : n / product(dims, 1);
        List<Tensor> host = new ArrayList<>();
        for (int k = 0; k < inputs; k++) {
            int p = 2 + (rank - 1) + k * (2 + rank);
            long base = (long) a.get(p);
            int off = (int) a.get(p + 1);
            HeapStorage h = HeapStorage.allocate(types.get(k), n);
            for (int i = 0; i < n; i++) {
                long e = off;
                int rest = i;
                for (int d = rank - 1; d >= 0; d--) {
                    int c = d == 0 ? rest : rest % dims[d];
                    rest = d == 0 ? 0 : rest / dims[d];
                    e += (long) c * (int) a.get(p + 2 + d);
                }
                long addr = base + e * types.get(k).byteSize();
                if (types.get(k).isInteger()) h.setLong(i, getLong(types.get(k), addr));
                else h.setDouble(i, get(types.get(k), addr));
            }
            host.add(Tensor.wrap(h, Shape.of(n)));
        }
        Op op;
        DType outType;
        if (label.equals("copy")) {
            op = Op.CONTIGUOUS;
            outType = types.get(0);
        } else if (label.equals("cast")) {
            op = Op.CAST;
            outType = TAGS.get(parts[parts.length - 1]);
        } else {
            op = Op.valueOf(label.toUpperCase(java.util.Locale.ROOT));
            outType = op.isComparison() || op == Op.LOGICAL_NOT ? DType.BOOL : op == Op.WHERE ? types.get(1) : types.get(0);
        }
        Tensor out = Tensor.wrap(HeapStorage.allocate(outType, n), Shape.of(n));
        Backends.reference().execute(new OpCall(op, host, OpAttrs.NONE, Shape.of(n), outType, Device.CPU), out);
        HeapStorage r = (HeapStorage) out.storage();
        for (int i = 0; i < n; i++) {
            long addr = (long) a.get(0) + (long) i * outType.byteSize();
            if (outType.isInteger()) putLong(outType, addr, r.getLong(i));
            else put(outType, addr, r.getDouble(i));
        }
    }

    static int product(int[] dims, int from) {
        int p = 1;
        for (int d = from; d < dims.length; d++) p *= dims[d];
        return p;
    }
}
