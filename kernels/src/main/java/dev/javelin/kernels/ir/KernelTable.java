package dev.javelin.kernels.ir;

/**
 * The constant tables a kernel body may read per lane ({@link KernelIR.Prim#TABLE}): part of the
 * IR's definition, so every renderer reads the same numbers (the CPU code generator gathers from
 * {@link #entries()}, a PTX renderer would put them in constant memory).
 *
 * <pre>{@code
 * float w = KernelTable.TWO_OVER_PI_WINDOWS.entries()[254];   // 2/pi's bits for the largest floats
 * }</pre>
 */
public enum KernelTable {
    /** 2/pi's bits in four 24-bit windows per float exponent, for sin's and cos's reduction of huge arguments ({@link LargeArgumentReduction}). */
    TWO_OVER_PI_WINDOWS("2/pi windows", LargeArgumentReduction.windows()),
    /** 1/c and log2 c (in two floats) for sixteen intervals of the significand, for pow's logarithm ({@link PowDecomposition}). */
    POW_LOG2("pow log2", PowDecomposition.log2Table());

    private final String label;
    private final float[] values;

    KernelTable(String label, float[] values) {
        this.label = label;
        this.values = values;
    }

    /** The table's entries; shared, never to be written. */
    public float[] entries() {
        return values;
    }

    /** The entries of the table with {@code ordinal}: what generated code calls once before its loop. */
    public static float[] entries(int ordinal) {
        return values()[ordinal].values;
    }

    /** Its name in a kernel's text. */
    public String label() {
        return label;
    }
}
