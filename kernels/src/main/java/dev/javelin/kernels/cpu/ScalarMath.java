package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.spi.SpecialFunctions;

/**
 * The scalar meaning of each elementwise op, in double (float64) and long (integer and bool dtypes).
 * float32 runs the kernel IR's definitions instead ({@link GeneratedLoops}).
 */
final class ScalarMath {
    private ScalarMath() {}

    static double unary(Op op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : (x == x ? 0.0 : x);
            case RECIPROCAL -> 1.0 / x;
            case SIGN -> Math.signum(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case ERF -> erf(x);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a unary op");
        };
    }

    static long unary(Op op, long x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case RELU -> Math.max(x, 0);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " on an integer tensor (expected a floating dtype)");
        };
    }

    static double binary(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> SpecialFunctions.pow(a, b); // float64 (float32 runs the kernel IR's pow)
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> compare(op, a, b) ? 1 : 0;
        };
    }

    static long binary(Op op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case DIV, POW -> throw new IllegalArgumentException("cpu-vector: " + op + " on integers (Ops casts them to float32 first)");
            default -> compare(op, a, b) ? 1 : 0;
        };
    }

    static boolean compare(Op op, double a, double b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a comparison");
        };
    }

    static boolean compare(Op op, long a, long b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            default -> throw new IllegalArgumentException("cpu-vector: " + op + " is not a comparison");
        };
    }

    /** The error function, accurate to about 1e-15 (the tensor core's, so float64 matches the reference). */
    static double erf(double x) {
        return SpecialFunctions.erf(x);
    }
}
