package dev.javelin.kernels.codegen;

import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.tensor.Op;

/**
 * The instruction table of {@link KernelInterpreter}: each kernel IR instruction as a plain loop
 * over a block of values, with the Vector API's lane semantics ({@code fma} rounded once, max and
 * min as {@code Math.max}/{@code Math.min}, shifts by the count mod 32, raw bit reinterpretation).
 * One small method per instruction kind, so C1 compiles each after a few calls.
 */
final class ScalarOps {
    private ScalarOps() {}

    static void fma(float[] a, float[] b, float[] c, float[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = Math.fma(a[j], b[j], c[j]);
    }

    static void bits(float[] a, int[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = Float.floatToRawIntBits(a[j]);
    }

    static void fromBits(int[] a, float[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = Float.intBitsToFloat(a[j]);
    }

    static void toFloat(int[] a, float[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = a[j];
    }

    static void intOp(Prim p, int[] a, int[] b, int[] r, int len) {
        switch (p) {
            case IADD -> { for (int j = 0; j < len; j++) r[j] = a[j] + b[j]; }
            case ISUB -> { for (int j = 0; j < len; j++) r[j] = a[j] - b[j]; }
            case IAND -> { for (int j = 0; j < len; j++) r[j] = a[j] & b[j]; }
            default -> { for (int j = 0; j < len; j++) r[j] = a[j] | b[j]; }
        }
    }

    static void shift(Prim p, int[] a, int count, int[] r, int len) {
        switch (p) {
            case SHL -> { for (int j = 0; j < len; j++) r[j] = a[j] << count; }
            case SHR -> { for (int j = 0; j < len; j++) r[j] = a[j] >> count; }
            default -> { for (int j = 0; j < len; j++) r[j] = a[j] >>> count; }
        }
    }

    static void table(float[] table, int[] index, float[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = table[index[j]];
    }

    static void unary(Op op, float[] a, float[] r, int len) {
        switch (op) {
            case NEG -> { for (int j = 0; j < len; j++) r[j] = -a[j]; }
            case ABS -> { for (int j = 0; j < len; j++) r[j] = Math.abs(a[j]); }
            default -> { for (int j = 0; j < len; j++) r[j] = (float) Math.sqrt(a[j]); } // exact: double has over 2x24+2 bits
        }
    }

    static void binary(Op op, float[] a, float[] b, float[] r, int len) {
        switch (op) {
            case ADD -> { for (int j = 0; j < len; j++) r[j] = a[j] + b[j]; }
            case SUB -> { for (int j = 0; j < len; j++) r[j] = a[j] - b[j]; }
            case MUL -> { for (int j = 0; j < len; j++) r[j] = a[j] * b[j]; }
            case DIV -> { for (int j = 0; j < len; j++) r[j] = a[j] / b[j]; }
            case MAX -> { for (int j = 0; j < len; j++) r[j] = Math.max(a[j], b[j]); }
            default -> { for (int j = 0; j < len; j++) r[j] = Math.min(a[j], b[j]); }
        }
    }

    static void compare(Op op, float[] a, float[] b, boolean[] r, int len) {
        switch (op) {
            case EQ -> { for (int j = 0; j < len; j++) r[j] = a[j] == b[j]; }
            case NE -> { for (int j = 0; j < len; j++) r[j] = a[j] != b[j]; }
            case LT -> { for (int j = 0; j < len; j++) r[j] = a[j] < b[j]; }
            case LE -> { for (int j = 0; j < len; j++) r[j] = a[j] <= b[j]; }
            case GT -> { for (int j = 0; j < len; j++) r[j] = a[j] > b[j]; }
            default -> { for (int j = 0; j < len; j++) r[j] = a[j] >= b[j]; }
        }
    }

    static void where(boolean[] c, float[] a, float[] b, float[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = c[j] ? a[j] : b[j];
    }

    static void where(boolean[] c, boolean[] a, boolean[] b, boolean[] r, int len) {
        for (int j = 0; j < len; j++) r[j] = c[j] ? a[j] : b[j];
    }
}
