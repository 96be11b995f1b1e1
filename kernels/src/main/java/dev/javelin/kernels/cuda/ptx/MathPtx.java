package dev.javelin.kernels.cuda.ptx;

import static dev.javelin.kernels.cuda.ptx.PtxWriter.f32Literal;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;

/**
 * float32 pow written out in PTX: the one transcendental the kernel IR has no decomposition of yet
 * (every other one, exp, log, tanh, sigmoid, erf, sin, cos, is rendered from the IR by
 * {@link KernelIrPtx}). Its exp and log reduce the argument first and use the hardware's
 * {@code ex2/lg2.approx} only where they are accurate. Special values (NaN, infinities, zero) come
 * out as {@link Math#pow} gives them. When the IR gains pow this class goes.
 */
final class MathPtx {
    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-06f;

    private MathPtx() {}

    private static String lit(float v) {
        return f32Literal(v);
    }

    /** e^x: x = n ln2 + r with |r| <= ln2/2, e^r by ex2.approx, 2^n built from exponent bits in two halves. */
    private static String exp(PtxWriter w, String x) {
        String t = w.reg(Reg.F32);
        String n = w.reg(Reg.F32);
        String r = w.reg(Reg.F32);
        String p = w.reg(Reg.F32);
        w.op("mul.f32 " + t + ", " + x + ", " + lit(LOG2E));
        w.op("cvt.rni.f32.f32 " + n + ", " + t);
        w.op("max.f32 " + n + ", " + n + ", " + lit(-150f));
        w.op("min.f32 " + n + ", " + n + ", " + lit(128f));
        w.op("fma.rn.f32 " + r + ", " + n + ", " + lit(-LN2_HI) + ", " + x);
        w.op("fma.rn.f32 " + r + ", " + n + ", " + lit(-LN2_LO) + ", " + r);
        w.op("mul.f32 " + r + ", " + r + ", " + lit(LOG2E));
        w.op("ex2.approx.f32 " + p + ", " + r);
        String ni = w.reg(Reg.B32);
        String n1 = w.reg(Reg.B32);
        String n2 = w.reg(Reg.B32);
        w.op("cvt.rzi.s32.f32 " + ni + ", " + n);
        w.op("shr.s32 " + n1 + ", " + ni + ", 1");
        w.op("sub.s32 " + n2 + ", " + ni + ", " + n1);
        for (String half : new String[] {n1, n2}) {
            w.op("add.s32 " + half + ", " + half + ", 127");
            w.op("shl.b32 " + half + ", " + half + ", 23");
            String s = w.reg(Reg.F32);
            w.op("mov.b32 " + s + ", " + half);
            w.op("mul.f32 " + p + ", " + p + ", " + s);
        }
        return p;
    }

    /** ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then log(m) from s = f/(2+f) and a degree-4 polynomial in s^2. */
    private static String log(PtxWriter w, String x) {
        String small = w.reg(Reg.PRED);
        String xs = w.reg(Reg.F32);
        String eadj = w.reg(Reg.B32);
        w.op("setp.lt.f32 " + small + ", " + x + ", " + lit(Float.MIN_NORMAL));
        w.op("mul.f32 " + xs + ", " + x + ", " + lit(8388608f));
        w.op("selp.f32 " + xs + ", " + xs + ", " + x + ", " + small);
        w.op("selp.s32 " + eadj + ", -23, 0, " + small);
        String bits = w.reg(Reg.B32);
        String e = w.reg(Reg.B32);
        w.op("mov.b32 " + bits + ", " + xs);
        w.op("shr.u32 " + e + ", " + bits + ", 23");
        w.op("and.b32 " + e + ", " + e + ", 255");
        w.op("add.s32 " + e + ", " + e + ", -127");
        w.op("add.s32 " + e + ", " + e + ", " + eadj);
        w.op("and.b32 " + bits + ", " + bits + ", 8388607");
        w.op("or.b32 " + bits + ", " + bits + ", 1065353216");
        String m = w.reg(Reg.F32);
        w.op("mov.b32 " + m + ", " + bits);
        String big = w.reg(Reg.PRED);
        w.op("setp.gt.f32 " + big + ", " + m + ", " + lit(1.41421356f));
        w.opIf(big, "mul.f32 " + m + ", " + m + ", " + lit(0.5f));
        w.opIf(big, "add.s32 " + e + ", " + e + ", 1");
        String f = w.reg(Reg.F32);
        String s = w.reg(Reg.F32);
        String d = w.reg(Reg.F32);
        w.op("sub.f32 " + f + ", " + m + ", " + lit(1f));
        w.op("add.f32 " + d + ", " + f + ", " + lit(2f));
        w.op("div.rn.f32 " + s + ", " + f + ", " + d);
        String z = w.reg(Reg.F32);
        String zz = w.reg(Reg.F32);
        String t1 = w.reg(Reg.F32);
        String t2 = w.reg(Reg.F32);
        w.op("mul.f32 " + z + ", " + s + ", " + s);
        w.op("mul.f32 " + zz + ", " + z + ", " + z);
        w.op("fma.rn.f32 " + t1 + ", " + zz + ", " + lit(0.24279078841f) + ", " + lit(0.40000972152f));
        w.op("mul.f32 " + t1 + ", " + t1 + ", " + zz);
        w.op("fma.rn.f32 " + t2 + ", " + zz + ", " + lit(0.28498786688f) + ", " + lit(0.66666662693f));
        w.op("fma.rn.f32 " + t1 + ", " + t2 + ", " + z + ", " + t1); // R
        String hfsq = w.reg(Reg.F32);
        w.op("mul.f32 " + hfsq + ", " + f + ", " + f);
        w.op("mul.f32 " + hfsq + ", " + hfsq + ", " + lit(0.5f));
        w.op("add.f32 " + t1 + ", " + hfsq + ", " + t1);
        w.op("mul.f32 " + t1 + ", " + s + ", " + t1);
        w.op("sub.f32 " + t1 + ", " + hfsq + ", " + t1);
        w.op("sub.f32 " + t1 + ", " + f + ", " + t1); // log(m)
        String ef = w.reg(Reg.F32);
        w.op("cvt.rn.f32.s32 " + ef + ", " + e);
        w.op("fma.rn.f32 " + t1 + ", " + ef + ", " + lit(LN2_LO) + ", " + t1);
        w.op("fma.rn.f32 " + t1 + ", " + ef + ", " + lit(LN2_HI) + ", " + t1);
        // x <= 0, NaN or +inf: lg2.approx gives exactly -inf, NaN, +inf there.
        String special = w.reg(Reg.PRED);
        String inf = w.reg(Reg.PRED);
        String fallback = w.reg(Reg.F32);
        w.op("setp.leu.f32 " + special + ", " + x + ", " + lit(0f));
        w.op("setp.eq.f32 " + inf + ", " + x + ", " + lit(Float.POSITIVE_INFINITY));
        w.op("or.pred " + special + ", " + special + ", " + inf);
        w.op("lg2.approx.f32 " + fallback + ", " + x);
        w.op("selp.f32 " + t1 + ", " + fallback + ", " + t1 + ", " + special);
        return t1;
    }

    /** a^b as {@link Math#pow}: e^{b ln|a|}, the sign from odd integer b, NaN for a negative base and fractional b, 1 for b = 0. */
    static String pow(PtxWriter w, String a, String b) {
        String aa = w.reg(Reg.F32);
        w.op("abs.f32 " + aa + ", " + a);
        String l = log(w, aa);
        String bl = w.reg(Reg.F32);
        w.op("mul.f32 " + bl + ", " + b + ", " + l);
        String y = exp(w, bl);
        String bi = w.reg(Reg.F32);
        String half = w.reg(Reg.F32);
        String hi = w.reg(Reg.F32);
        String isInt = w.reg(Reg.PRED);
        String odd = w.reg(Reg.PRED);
        String halfInt = w.reg(Reg.PRED);
        w.op("cvt.rzi.f32.f32 " + bi + ", " + b);
        w.op("setp.eq.f32 " + isInt + ", " + bi + ", " + b);
        w.op("mul.f32 " + half + ", " + b + ", " + lit(0.5f));
        w.op("cvt.rzi.f32.f32 " + hi + ", " + half);
        w.op("setp.eq.f32 " + halfInt + ", " + hi + ", " + half);
        w.op("not.pred " + halfInt + ", " + halfInt);
        w.op("and.pred " + odd + ", " + isInt + ", " + halfInt);
        String neg = w.reg(Reg.PRED);
        String r = w.reg(Reg.F32);
        w.op("setp.lt.f32 " + neg + ", " + a + ", " + lit(0f));
        w.op("neg.f32 " + r + ", " + y);
        w.op("selp.f32 " + r + ", " + r + ", " + y + ", " + odd);              // odd integer power keeps the sign
        String nan = w.reg(Reg.F32);
        w.op("mov.f32 " + nan + ", " + lit(Float.NaN));
        w.op("selp.f32 " + r + ", " + r + ", " + nan + ", " + isInt);          // negative base, fractional power
        w.op("selp.f32 " + r + ", " + r + ", " + y + ", " + neg);
        String one = w.reg(Reg.PRED); // x^0 = 1 even for NaN x; 1^NaN and 1^inf stay NaN as in Java (0 * log 1 handles 1^b)
        w.op("setp.eq.f32 " + one + ", " + b + ", " + lit(0f));
        w.op("selp.f32 " + r + ", " + lit(1f) + ", " + r + ", " + one);
        return r;
    }
}
