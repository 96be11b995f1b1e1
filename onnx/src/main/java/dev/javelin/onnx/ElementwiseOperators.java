package dev.javelin.onnx;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.MathOps;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Elementwise operators: unary math and activations, NumPy-broadcasting binary arithmetic and
 * comparisons, variadic Max/Min/Sum/Mean, Where, Clip, Cast. Each maps onto Javelin's primitives or
 * their compositions, so the JIT fuses chains of them into one loop.
 */
final class ElementwiseOperators {
    private ElementwiseOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        unary(t, "Abs", Tensor::abs);
        unary(t, "Neg", Tensor::neg);
        unary(t, "Exp", Tensor::exp);
        unary(t, "Log", Tensor::log);
        unary(t, "Sqrt", Tensor::sqrt);
        unary(t, "Sin", Tensor::sin);
        unary(t, "Cos", Tensor::cos);
        unary(t, "Tan", MathOps::tan);
        unary(t, "Atan", MathOps::atan);
        unary(t, "Sinh", MathOps::sinh);
        unary(t, "Cosh", MathOps::cosh);
        unary(t, "Tanh", Tensor::tanh);
        unary(t, "Sigmoid", Tensor::sigmoid);
        unary(t, "Relu", Tensor::relu);
        unary(t, "Reciprocal", Tensor::reciprocal);
        unary(t, "Floor", Tensor::floor);
        unary(t, "Ceil", Tensor::ceil);
        unary(t, "Round", Tensor::round);
        unary(t, "Sign", Tensor::sign);
        unary(t, "Erf", Tensor::erf);
        unary(t, "Not", Tensor::logicalNot);
        unary(t, "IsNaN", MathOps::isNan);
        unary(t, "Softplus", NN::softplus);
        unary(t, "Softsign", x -> x.div(x.abs().add(1.0)));
        t.put("Identity", ctx -> new Tensor[] {ctx.input(0)});
        t.put("IsInf", ctx -> {
            Tensor x = ctx.input(0);
            boolean pos = ctx.attrInt("detect_positive", 1) != 0, neg = ctx.attrInt("detect_negative", 1) != 0;
            Tensor p = x.eq(Double.POSITIVE_INFINITY), n = x.eq(Double.NEGATIVE_INFINITY);
            Tensor r = pos && neg ? MathOps.logicalOr(p, n) : pos ? p : neg ? n : Ops.expand(Tensors.scalar(0, DType.BOOL), x.shape());
            return new Tensor[] {r};
        });
        t.put("LeakyRelu", ctx -> one(NN.leakyRelu(ctx.input(0), ctx.attrFloat("alpha", 0.01f))));
        t.put("Elu", ctx -> one(NN.elu(ctx.input(0), ctx.attrFloat("alpha", 1f))));
        t.put("Selu", ctx -> {
            double alpha = ctx.attrFloat("alpha", 1.67326319217681884765625f), gamma = ctx.attrFloat("gamma", 1.05070102214813232421875f);
            return one(NN.elu(ctx.input(0), alpha).mul(gamma));
        });
        t.put("HardSigmoid", ctx -> one(hardSigmoid(ctx.input(0), ctx.attrFloat("alpha", 0.2f), ctx.attrFloat("beta", 0.5f))));
        t.put("HardSwish", ctx -> one(ctx.input(0).mul(hardSigmoid(ctx.input(0), 1.0 / 6, 0.5))));
        t.put("PRelu", ctx -> {
            Tensor x = ctx.input(0);
            return one(Ops.where(x.lt(0.0), x.mul(ctx.input(1)), x));
        });
        t.put("Gelu", ctx -> {
            String approximate = ctx.attrString("approximate", "none");
            if (!approximate.equals("none") && !approximate.equals("tanh")) throw ctx.error("approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
            return one(NN.gelu(ctx.input(0), approximate.equals("tanh")));
        });

        binary(t, "Add", Tensor::add);
        binary(t, "Sub", Tensor::sub);
        binary(t, "Mul", Tensor::mul);
        binary(t, "Div", ElementwiseOperators::divide);
        binary(t, "Pow", ElementwiseOperators::power);
        binary(t, "Equal", Tensor::eq);
        binary(t, "Less", Tensor::lt);
        binary(t, "LessOrEqual", Tensor::le);
        binary(t, "Greater", Tensor::gt);
        binary(t, "GreaterOrEqual", Tensor::ge);
        binary(t, "And", MathOps::logicalAnd);
        binary(t, "Or", MathOps::logicalOr);
        binary(t, "Xor", Tensor::ne);
        t.put("Mod", ctx -> one(modulo(ctx.input(0), ctx.input(1), ctx.attrInt("fmod", 0) != 0)));
        t.put("Max", ctx -> one(fold(ctx.all(), Tensor::maximum)));
        t.put("Min", ctx -> one(fold(ctx.all(), Tensor::minimum)));
        t.put("Sum", ctx -> one(fold(ctx.all(), Tensor::add)));
        t.put("Mean", ctx -> {
            List<Tensor> xs = ctx.all();
            return one(fold(xs, Tensor::add).div((double) xs.size()));
        });
        t.put("Where", ctx -> one(Ops.where(ctx.input(0), ctx.input(1), ctx.input(2))));
        t.put("Clip", ElementwiseOperators::clip);
        t.put("Cast", ctx -> {
            int to = (int) ctx.requiredInt("to");
            try {
                return one(ctx.input(0).cast(TensorReader.dtypeOf(to, "Cast")));
            } catch (OnnxFormatException e) {
                throw ctx.error(e.getMessage());
            }
        });
        t.put("CastLike", ctx -> one(ctx.input(0).cast(ctx.input(1).dtype())));
        t.put("Dropout", ctx -> {
            // training mode drops at random, but with a ratio of 0 it keeps everything: the identity (torchvision's Swin exports it so)
            boolean keepsAll = ctx.has(1) && ctx.isConstant(1) && ctx.scalar(1, "ratio") == 0;
            if (ctx.isConstant(2) && ctx.scalar(2, "training_mode") != 0 && !keepsAll) {
                throw ctx.error("training_mode = true is not supported (inference only) unless the ratio is 0");
            }
            Tensor x = ctx.input(0);
            return new Tensor[] {x, Ops.expand(Tensors.scalar(1, DType.BOOL), x.shape())};
        });
    }

    private static void unary(Map<String, OnnxOperator> t, String name, UnaryOperator<Tensor> f) {
        t.put(name, ctx -> one(f.apply(ctx.input(0))));
    }

    private static void binary(Map<String, OnnxOperator> t, String name, BinaryOperator<Tensor> f) {
        t.put(name, ctx -> one(f.apply(ctx.input(0), ctx.input(1))));
    }

    static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static Tensor fold(List<Tensor> xs, BinaryOperator<Tensor> f) {
        Tensor acc = xs.get(0);
        for (int i = 1; i < xs.size(); i++) acc = f.apply(acc, xs.get(i));
        return acc;
    }

    private static Tensor hardSigmoid(Tensor x, double alpha, double beta) {
        return x.mul(alpha).add(beta).maximum(0.0).minimum(1.0);
    }

    /** Integer division truncates toward zero (as ONNX Runtime's); floating division is IEEE. */
    static Tensor divide(Tensor a, Tensor b) {
        DType dt = DType.promote(a.dtype(), b.dtype());
        if (dt.isFloating()) return a.div(b);
        return a.cast(DType.FLOAT64).div(b.cast(DType.FLOAT64)).cast(dt);
    }

    /** The result has the base's type; an integer base is computed in float64 and truncated. */
    private static Tensor power(Tensor base, Tensor exponent) {
        if (base.dtype().isFloating()) return base.pow(exponent.cast(base.dtype()));
        return base.cast(DType.FLOAT64).pow(exponent.cast(DType.FLOAT64)).cast(base.dtype());
    }

    /** ONNX Mod: with fmod = 0 the sign of the divisor (Python's %), with fmod = 1 that of the dividend (C's fmod). */
    private static Tensor modulo(Tensor a, Tensor b, boolean fmod) {
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor x = a.cast(DType.FLOAT64), y = b.cast(DType.FLOAT64);
        Tensor q = x.div(y);
        Tensor r = x.sub((fmod ? q.sign().mul(q.abs().floor()) : q.floor()).mul(y));
        return r.cast(dt);
    }

    private static Tensor[] clip(NodeContext ctx) {
        Tensor x = ctx.input(0);
        Tensor lo = ctx.optional(1), hi = ctx.optional(2);
        if (lo != null) x = x.maximum(lo.cast(x.dtype()));
        if (hi != null) x = x.minimum(hi.cast(x.dtype()));
        return one(x);
    }
}
