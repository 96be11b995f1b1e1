package dev.javelin.tensor.reference;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.SpecialFunctions;

/**
 * Unary, binary and ternary elementwise ops and CAST. Floating dtypes compute in double and round once
 * when stored (exact for + - * / sqrt on float32); integer and bool dtypes compute in long, so int64
 * stays exact and int32 wraps like two's complement.
 */
final class Elementwise {
    private Elementwise() {}

    static void unary(OpCall call, Tensor out) {
        Op op = call.op();
        Tensor x = call.input(0);
        if (x.dtype().isFloating()) {
            double[] v = Dense.doubles(x);
            for (int i = 0; i < v.length; i++) v[i] = unaryFloat(op, v[i]);
            Dense.store(out, v);
        } else {
            long[] v = Dense.longs(x);
            for (int i = 0; i < v.length; i++) v[i] = unaryInteger(op, v[i], call);
            Dense.store(out, v);
        }
    }

    static double unaryFloat(Op op, double x) {
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
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0.0);
            case RECIPROCAL -> 1.0 / x;
            case SIGN -> Math.signum(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x); // half to even
            case ERF -> SpecialFunctions.erf(x);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("reference: " + op + " is not a unary op");
        };
    }

    private static long unaryInteger(Op op, long x, OpCall call) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case RELU -> Math.max(x, 0);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("reference: " + call
                    + ": integer input for a floating-only op (Ops casts it to float32 first)");
        };
    }

    static void binary(OpCall call, Tensor out) {
        Op op = call.op();
        Tensor a = call.input(0), b = call.input(1);
        if (a.dtype().isFloating()) {
            double[] x = Dense.doubles(a), y = Dense.doubles(b);
            for (int i = 0; i < x.length; i++) x[i] = binaryFloat(op, x[i], y[i]);
            Dense.store(out, x);
        } else {
            long[] x = Dense.longs(a), y = Dense.longs(b);
            for (int i = 0; i < x.length; i++) x[i] = binaryInteger(op, x[i], y[i], call);
            Dense.store(out, x);
        }
    }

    static double binaryFloat(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> dev.javelin.tensor.spi.SpecialFunctions.pow(a, b);
            case MAX -> Math.max(a, b); // NaN propagates, as in torch.maximum
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            default -> throw new IllegalArgumentException("reference: " + op + " is not a binary op");
        };
    }

    private static long binaryInteger(Op op, long a, long b, OpCall call) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            default -> throw new IllegalArgumentException("reference: " + call
                    + ": integer inputs for div/pow (Ops computes them in float32)");
        };
    }

    static void where(OpCall call, Tensor out) {
        long[] cond = Dense.longs(call.input(0));
        Tensor a = call.input(1), b = call.input(2);
        if (a.dtype().isFloating()) {
            double[] x = Dense.doubles(a), y = Dense.doubles(b);
            for (int i = 0; i < x.length; i++) if (cond[i] == 0) x[i] = y[i];
            Dense.store(out, x);
        } else {
            long[] x = Dense.longs(a), y = Dense.longs(b);
            for (int i = 0; i < x.length; i++) if (cond[i] == 0) x[i] = y[i];
            Dense.store(out, x);
        }
    }

    /** Float to int truncates toward zero (NaN gives 0); anything to bool is {@code != 0}; int to float rounds once. */
    static void cast(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        if (x.dtype().isFloating()) {
            Dense.store(out, Dense.doubles(x)); // store truncates toward zero for integer outputs
        } else {
            Dense.store(out, Dense.longs(x));
        }
    }

    /** A dense copy of any view. */
    static void copy(Tensor x, Tensor out) {
        if (x.dtype().isFloating()) Dense.store(out, Dense.doubles(x));
        else Dense.store(out, Dense.longs(x));
    }
}
