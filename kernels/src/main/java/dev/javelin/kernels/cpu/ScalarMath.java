package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;

/**
 * The scalar meaning of each elementwise op, in double (floating dtypes) and long (integer and
 * bool dtypes). The scalar loops and the edges of the vector loops use these, so both paths agree
 * on NaN, signed zeros and rounding.
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
            case POW -> Math.pow(a, b);
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

    /**
     * The error function: a Taylor series near zero (keeps the relative error small there), else
     * 1 - erfc from the Chebyshev fit of Numerical Recipes (fractional error below 1.2e-7).
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 0.5) {
            double x2 = x * x;
            return ERF_SCALE * x * (1 + x2 * (-1.0 / 3 + x2 * (1.0 / 10 + x2 * (-1.0 / 42 + x2 * (1.0 / 216
                    + x2 * (-1.0 / 1320 + x2 * (1.0 / 9360)))))));
        }
        double r = 1 - erfc(ax);
        return x < 0 ? -r : r;
    }

    /** 2 / sqrt(pi). */
    static final double ERF_SCALE = 1.1283791670955126;

    private static double erfc(double z) {
        double t = 1 / (1 + 0.5 * z);
        return t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    }
}
