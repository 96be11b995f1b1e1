package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A GEMM's epilogue in PTX: an elementwise kernel body ({@link KernelIR}, rendered by
 * {@link KernelIrPtx}) applied to each element of C as the GEMM stores it, its result written to a
 * second dense matrix U (bias, activation, residual: the JIT's epilogue kernel, without a second
 * pass over C). Slots that read C take the accumulator; every other slot is addressed at (row, col)
 * as {@code offset + decode(row) + col * colStride}, where {@code decode} splits the row index over
 * the row dimensions (row-major) and multiplies by that slot's row strides, so broadcast biases
 * (stride 0) and strided operands need no copy.
 *
 * <p>C itself is stored beside U only when the caller reads it ({@link Shape#storesProduct}); otherwise
 * the GEMM writes U alone and its C parameters are not used.
 *
 * <p>Parameters, after the GEMM's own: {@code U, ldu, rowDim1.., then per non-C slot: ptr, offset,
 * colStride, rowStride0..}.
 */
public final class EpiloguePtx {
    /**
     * What shapes the generated code.
     *
     * @param ir      the elementwise kernel; slot k reads the product where {@code cSlot[k]}
     * @param cSlot   per slot, true when it reads C
     * @param rowRank the number of row dimensions
     * @param storesProduct true when the GEMM stores C too (something besides the epilogue reads it)
     */
    public record Shape(KernelIR ir, boolean[] cSlot, int rowRank, boolean storesProduct) {
        public Shape {
            if (ir.mode() != KernelIR.Mode.ELEMENTWISE || cSlot.length != ir.loads().size() || rowRank < 1) {
                throw new IllegalArgumentException("EpiloguePtx: " + ir.name() + " (" + ir.mode() + ", " + ir.loads().size() + " slots) with "
                        + cSlot.length + " slot flags and " + rowRank + " row dimensions; expected an elementwise kernel, one flag per slot");
            }
            cSlot = cSlot.clone();
        }

        /** A short tag for kernel names: a hash of the body, the C slots and the row rank; {@code c} when C is stored too. */
        public String tag() {
            return "ep" + rowRank + (storesProduct ? "c_" : "_") + digest(ir.key() + Arrays.toString(cSlot));
        }
    }

    private final PtxWriter w;
    private final Shape shape;
    private final KernelIR body;
    private final String u;
    private final String ldu;
    private final String[] rowDims;
    private final String[] ptrs;
    private final String[] offsets;
    private final String[] colStrides;
    private final String[][] rowStrides;

    /** Declares the epilogue's parameters on {@code w} (call after the GEMM's own). */
    public EpiloguePtx(PtxWriter w, Shape shape) {
        this.w = w;
        this.shape = shape;
        this.body = KernelIrPtx.lower(shape.ir());
        u = w.paramPtr("U");
        ldu = w.paramU32("ldu");
        rowDims = new String[shape.rowRank()];
        for (int d = 1; d < shape.rowRank(); d++) rowDims[d] = w.paramU32("rd" + d);
        int slots = shape.cSlot().length;
        ptrs = new String[slots];
        offsets = new String[slots];
        colStrides = new String[slots];
        rowStrides = new String[slots][];
        for (int s = 0; s < slots; s++) {
            if (shape.cSlot()[s]) continue;
            ptrs[s] = w.paramPtr("e" + s);
            offsets[s] = w.paramU32("eoff" + s);
            colStrides[s] = w.paramU32("ecs" + s);
            rowStrides[s] = new String[shape.rowRank()];
            for (int d = 0; d < shape.rowRank(); d++) rowStrides[s][d] = w.paramU32("ers" + s + "_" + d);
        }
    }

    /** True when the GEMM stores C beside U. */
    public boolean storesProduct() {
        return shape.storesProduct();
    }

    /** The dtype the epilogue writes to U. */
    public DType outDtype() {
        return shape.ir().outDtype();
    }

    /** Each non-C slot's element offset at the start of row {@code row} (null for C slots). */
    public List<String> rowOffsets(String row) {
        List<String> base = new ArrayList<>();
        List<String[]> strides = new ArrayList<>();
        List<Integer> which = new ArrayList<>();
        for (int s = 0; s < ptrs.length; s++) {
            if (ptrs[s] == null) continue;
            base.add(offsets[s]);
            strides.add(rowStrides[s]);
            which.add(s);
        }
        List<String> decoded = base.isEmpty() ? List.of() : ElementwisePtx.stridedOffsets(w, row, rowDims, base, strides);
        List<String> out = new ArrayList<>();
        for (int s = 0; s < ptrs.length; s++) out.add(null);
        for (int i = 0; i < which.size(); i++) out.set(which.get(i), decoded.get(i));
        return out;
    }

    /**
     * The body at (row, column {@code col}) with C's value {@code c}; other slots are loaded under
     * {@code ok} (a position outside the matrix loads nothing and its result is not stored).
     */
    public Val apply(String c, List<String> rowOffsets, String col, String ok) {
        return KernelIrPtx.render(w, body, slot -> {
            if (shape.cSlot()[slot]) return new Val(c, DType.FLOAT32);
            DType t = body.loads().get(slot).dtype();
            String at = w.reg(Reg.B32);
            w.op("mad.lo.s32 " + at + ", " + col + ", " + colStrides[slot] + ", " + rowOffsets.get(slot));
            String addr = w.address(ptrs[slot], at, PtxTypes.bytes(t));
            String r = w.reg(PtxTypes.reg(t));
            String mov = switch (t) { // a defined value where the load is predicated off
                case FLOAT32 -> "mov.f32 ";
                case FLOAT64 -> "mov.f64 ";
                case INT64 -> "mov.b64 ";
                case INT32, BOOL -> "mov.b32 ";
            };
            w.op(mov + r + ", " + PtxTypes.literal(0, t));
            w.opIf(ok, "ld.global.nc." + PtxTypes.mem(t) + " " + r + ", [" + addr + "]");
            return new Val(r, t);
        });
    }

    /** The address of U's element (row, col): {@code U + (row * ldu + col) * bytes}. */
    public String outAddress(String row, String col) {
        String at = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + at + ", " + row + ", " + ldu + ", " + col);
        return w.address(u, at, PtxTypes.bytes(outDtype()));
    }

    private static String digest(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 6; i++) sb.append(String.format("%02x", h[i] & 0xff));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
