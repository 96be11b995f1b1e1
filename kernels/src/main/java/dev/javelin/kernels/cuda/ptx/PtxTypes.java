package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;

/**
 * How each dtype lives in PTX: its register class, the type used in arithmetic, the type used in
 * memory. Bool is one byte in memory and a 0/1 {@code b32} register in arithmetic.
 *
 * <pre>{@code
 * String v = PtxTypes.load(w, DType.FLOAT32, addr, true);   // ld.global.nc.f32
 * }</pre>
 */
public final class PtxTypes {
    private PtxTypes() {}

    public static Reg reg(DType t) {
        return switch (t) {
            case FLOAT32 -> Reg.F32;
            case FLOAT64 -> Reg.F64;
            case INT64 -> Reg.B64;
            case INT32, BOOL -> Reg.B32;
        };
    }

    /** The instruction type for arithmetic and comparisons. */
    public static String arith(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "s32";
            case INT64 -> "s64";
            case BOOL -> "u32";
        };
    }

    /** The type of loads and stores. */
    public static String mem(DType t) {
        return t == DType.BOOL ? "u8" : arith(t);
    }

    /** Bytes per element on the device: the same as on the host. */
    public static int bytes(DType t) {
        return t.byteSize();
    }

    /** A short tag for kernel names: f32, f64, i32, i64, b8. */
    public static String tag(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BOOL -> "b8";
        };
    }

    /** A PTX immediate of {@code value} in dtype {@code t} (floats as exact hex bits). */
    public static String literal(double value, DType t) {
        return switch (t) {
            case FLOAT32 -> PtxWriter.f32Literal((float) value);
            case FLOAT64 -> PtxWriter.f64Literal(value);
            case INT32 -> Integer.toString((int) value);
            case INT64 -> Long.toString((long) value);
            case BOOL -> value != 0 ? "1" : "0";
        };
    }

    /** Loads an element of dtype {@code t} at {@code addr} into a fresh register. */
    public static String load(PtxWriter w, DType t, String addr, boolean readOnly) {
        String r = w.reg(reg(t));
        w.op("ld.global" + (readOnly ? ".nc." : ".") + mem(t) + " " + r + ", [" + addr + "]");
        return r;
    }

    public static void store(PtxWriter w, DType t, String addr, String value) {
        w.op("st.global." + mem(t) + " [" + addr + "], " + value);
    }
}
