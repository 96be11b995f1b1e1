package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;

/**
 * {@link StrictMath#log} and {@link StrictMath#cos} in float64 PTX, operation for operation as
 * fdlibm (the JDK's {@code FdLibm}) computes them, so the GPU reproduces them bit for bit: every
 * multiply and add is a separately rounded {@code mul.rn/add.rn/sub.rn.f64} (the explicit rounding
 * keeps ptxas from contracting them into FMAs), and fdlibm's branches become selects over values
 * computed on both sides. Only the domains RANDOM_NORMAL needs are covered: log on [2^-24, 1] (no
 * zero, negative, subnormal or infinite argument) and cos on [0, 2 pi) (at most the medium-size
 * argument reduction).
 */
final class StrictMathPtx {
    private final PtxWriter w;

    StrictMathPtx(PtxWriter w) {
        this.w = w;
    }

    // ---- float64 and word helpers --------------------------------------------------------------

    private String c(double v) {
        String r = w.reg(Reg.F64);
        w.op("mov.f64 " + r + ", " + PtxWriter.f64Literal(v));
        return r;
    }

    private String op(String name, String a, String b) {
        String r = w.reg(Reg.F64);
        w.op(name + ".rn.f64 " + r + ", " + a + ", " + b);
        return r;
    }

    private String add(String a, String b) { return op("add", a, b); }
    private String sub(String a, String b) { return op("sub", a, b); }
    private String mul(String a, String b) { return op("mul", a, b); }
    private String div(String a, String b) { return op("div", a, b); }

    private String neg(String a) {
        String r = w.reg(Reg.F64);
        w.op("neg.f64 " + r + ", " + a);
        return r;
    }

    private String sel(String p, String a, String b) {
        String r = w.reg(Reg.F64);
        w.op("selp.f64 " + r + ", " + a + ", " + b + ", " + p);
        return r;
    }

    private String hi(String x) {
        String lo = w.reg(Reg.B32);
        String h = w.reg(Reg.B32);
        w.op("mov.b64 {" + lo + ", " + h + "}, " + x);
        return h;
    }

    private String lo(String x) {
        String l = w.reg(Reg.B32);
        String h = w.reg(Reg.B32);
        w.op("mov.b64 {" + l + ", " + h + "}, " + x);
        return l;
    }

    private String hiLo(String h, String l) {
        String r = w.reg(Reg.F64);
        w.op("mov.b64 " + r + ", {" + l + ", " + h + "}");
        return r;
    }

    private String zero() {
        String r = w.reg(Reg.B32);
        w.op("mov.u32 " + r + ", 0");
        return r;
    }

    private String iop(String name, String a, String b) {
        String r = w.reg(Reg.B32);
        w.op(name + " " + r + ", " + a + ", " + b);
        return r;
    }

    private String cmp(String how, String type, String a, String b) {
        String p = w.reg(Reg.PRED);
        w.op("setp." + how + "." + type + " " + p + ", " + a + ", " + b);
        return p;
    }

    private String toDouble(String i32) {
        String r = w.reg(Reg.F64);
        w.op("cvt.rn.f64.s32 " + r + ", " + i32);
        return r;
    }

    // ---- log on [2^-24, 1] -------------------------------------------------------------------

    String log(String x) {
        String hx = hi(x);
        String k = iop("shr.s32", hx, "20");
        k = iop("add.s32", k, "-1023");
        String hxm = iop("and.b32", hx, "1048575");
        String i = iop("add.s32", hxm, "614244");      // 0x95f64
        i = iop("and.b32", i, "1048576");              // 0x100000
        String top = iop("xor.b32", i, "1072693248");  // i ^ 0x3ff00000
        top = iop("or.b32", hxm, top);
        String xn = hiLo(top, lo(x));                  // x or x/2 normalized into [sqrt(2)/2, sqrt(2))
        k = iop("add.s32", k, iop("shr.s32", i, "20"));
        String f = sub(xn, c(1.0));
        String dk = toDouble(k);
        String k0 = cmp("eq", "s32", k, "0");
        String lnHi = c(0x1.62e42feep-1);
        String lnLo = c(0x1.a39ef35793c76p-33);
        // |f| < 2^-20
        String small = cmp("lt", "s32", iop("and.b32", iop("add.s32", hxm, "2"), "1048575"), "3");
        String fZero = cmp("eq", "f64", f, c(0.0));
        String a0 = sel(k0, c(0.0), add(mul(dk, lnHi), mul(dk, lnLo)));
        String rs = mul(mul(f, f), sub(c(0.5), mul(c(0.33333333333333333), f)));
        String a1 = sel(k0, sub(f, rs), sub(mul(dk, lnHi), sub(sub(rs, mul(dk, lnLo)), f)));
        String smallResult = sel(fZero, a0, a1);
        // the general case
        String s = div(f, add(c(2.0), f));
        String z = mul(s, s);
        String i2 = iop("add.s32", hxm, "-398458");     // hx - 0x6147a
        String ww = mul(z, z);
        String j = iop("sub.s32", "440401", hxm);       // 0x6b851 - hx
        String t1 = mul(ww, add(c(0x1.999999997fa04p-2), mul(ww, add(c(0x1.c71c51d8e78afp-3), mul(ww, c(0x1.39a09d078c69fp-3))))));
        String t2 = mul(z, add(c(0x1.5555555555593p-1), mul(ww, add(c(0x1.2492494229359p-2),
                mul(ww, add(c(0x1.7466496cb03dep-3), mul(ww, c(0x1.2f112df3e5244p-3))))))));
        i2 = iop("or.b32", i2, j);
        String r = add(t2, t1);
        String hfsq = mul(mul(c(0.5), f), f);
        String b1 = sel(k0, sub(f, sub(hfsq, mul(s, add(hfsq, r)))),
                sub(mul(dk, lnHi), sub(sub(hfsq, add(mul(s, add(hfsq, r)), mul(dk, lnLo))), f)));
        String b2 = sel(k0, sub(f, mul(s, sub(f, r))), sub(mul(dk, lnHi), sub(sub(mul(s, sub(f, r)), mul(dk, lnLo)), f)));
        String general = sel(cmp("gt", "s32", i2, "0"), b1, b2);
        return sel(small, smallResult, general);
    }

    // ---- cos on [0, 2 pi) --------------------------------------------------------------------

    String cos(String x) {
        String ix = iop("and.b32", hi(x), "2147483647");
        // rem_pio2: |x| <= pi/4 needs none; below 3pi/4 one subtraction of pi/2; else the medium-size reduction
        String pio2_1 = c(0x1.921fb544p0);
        String pio2_1t = c(0x1.0b4611a626331p-34);
        String pio2_2 = c(0x1.0b4611a6p-34);
        String pio2_2t = c(0x1.3198a2e037073p-69);
        String z = sub(x, pio2_1);
        String nearHalfPi = cmp("eq", "s32", ix, "1073291771");  // 0x3ff921fb
        String y0a = sub(z, pio2_1t);
        String y1a = sub(sub(z, y0a), pio2_1t);
        String z2 = sub(z, pio2_2);
        String y0b = sub(z2, pio2_2t);
        String y1b = sub(sub(z2, y0b), pio2_2t);
        String y0One = sel(nearHalfPi, y0b, y0a);
        String y1One = sel(nearHalfPi, y1b, y1a);
        // medium: n = (int) (x * 2/pi + 0.5)
        String nd = add(mul(x, c(0x1.45f306dc9c883p-1)), c(0.5));
        String n = w.reg(Reg.B32);
        w.op("cvt.rzi.s32.f64 " + n + ", " + nd);
        String fn = toDouble(n);
        String r0 = sub(x, mul(fn, pio2_1));
        String w0 = mul(fn, pio2_1t);
        String y00 = sub(r0, w0);
        // fdlibm iterates when x's high word equals npio2_hw[n-1] or the first result lost too many bits
        String table = w.reg(Reg.B32);
        w.op("mov.u32 " + table + ", 1073291771");                          // n = 1: 0x3FF921FB
        w.op("selp.u32 " + table + ", 1074340347, " + table + ", " + cmp("eq", "s32", n, "2") + ""); // 0x400921FB
        w.op("selp.u32 " + table + ", 1074977148, " + table + ", " + cmp("eq", "s32", n, "3") + ""); // 0x4012D97C
        w.op("selp.u32 " + table + ", 1075388923, " + table + ", " + cmp("eq", "s32", n, "4") + ""); // 0x401921FB
        String hit = cmp("eq", "s32", ix, table);
        String jx = iop("shr.s32", ix, "20");
        String lost0 = iop("sub.s32", jx, iop("and.b32", iop("shr.s32", hi(y00), "20"), "2047"));
        String iter1 = w.reg(Reg.PRED);
        w.op("setp.gt.s32 " + iter1 + ", " + lost0 + ", 16");
        w.op("and.pred " + iter1 + ", " + iter1 + ", " + hit);
        String w1 = mul(fn, pio2_2);
        String r1 = sub(r0, w1);
        w1 = sub(mul(fn, pio2_2t), sub(sub(r0, r1), w1));
        String y01 = sub(r1, w1);
        String lost1 = iop("sub.s32", jx, iop("and.b32", iop("shr.s32", hi(y01), "20"), "2047"));
        String iter2 = w.reg(Reg.PRED);
        w.op("setp.gt.s32 " + iter2 + ", " + lost1 + ", 49");
        w.op("and.pred " + iter2 + ", " + iter2 + ", " + iter1);
        String w2 = mul(fn, c(0x1.3198a2ep-69));
        String r2 = sub(r1, w2);
        w2 = sub(mul(fn, c(0x1.b839a252049c1p-104)), sub(sub(r1, r2), w2));
        String y02 = sub(r2, w2);
        String r = sel(iter2, r2, sel(iter1, r1, r0));
        String ww = sel(iter2, w2, sel(iter1, w1, w0));
        String y0Med = sel(iter2, y02, sel(iter1, y01, y00));
        String y1Med = sub(sub(r, y0Med), ww);
        // pick the reduction by size
        String tiny = cmp("le", "s32", ix, "1072243195");    // 0x3fe921fb: |x| <= pi/4
        String one = cmp("lt", "s32", ix, "1073928572");     // 0x4002d97c: |x| < 3pi/4
        String y0 = sel(tiny, x, sel(one, y0One, y0Med));
        String y1 = sel(tiny, c(0.0), sel(one, y1One, y1Med));
        String q = w.reg(Reg.B32);
        w.op("selp.s32 " + q + ", 1, " + n + ", " + one);
        w.op("selp.s32 " + q + ", 0, " + q + ", " + tiny);
        w.op("and.b32 " + q + ", " + q + ", 3");
        String kc = kernelCos(y0, y1);
        String ks = kernelSin(y0, y1);
        String res = sel(cmp("eq", "s32", q, "1"), neg(ks), kc);
        res = sel(cmp("eq", "s32", q, "2"), neg(kc), res);
        return sel(cmp("eq", "s32", q, "3"), ks, res);
    }

    private String kernelCos(String x, String y) {
        String ix = iop("and.b32", hi(x), "2147483647");
        String z = mul(x, x);
        String r = mul(z, add(c(0x1.555555555554cp-5), mul(z, add(c(-0x1.6c16c16c15177p-10), mul(z, add(c(0x1.a01a019cb159p-16),
                mul(z, add(c(-0x1.27e4f809c52adp-22), mul(z, add(c(0x1.1ee9ebdb4b1c4p-29), mul(z, c(-0x1.8fae9be8838d4p-37))))))))))));
        String inner = sub(mul(z, r), mul(x, y));
        String small = sub(c(1.0), sub(mul(c(0.5), z), inner));
        String qx = sel(cmp("gt", "s32", ix, "1072234496"), c(0.28125), hiLo(iop("add.s32", ix, "-2097152"), zero())); // 0x3fe90000
        String hz = sub(mul(c(0.5), z), qx);
        String big = sub(sub(c(1.0), qx), sub(hz, inner));
        String res = sel(cmp("lt", "s32", ix, "1070805811"), small, big); // 0x3FD33333: |x| < 0.3
        return sel(cmp("lt", "s32", ix, "1044381696"), c(1.0), res);    // 0x3e400000: |x| < 2^-27
    }

    private String kernelSin(String x, String y) {
        String ix = iop("and.b32", hi(x), "2147483647");
        String z = mul(x, x);
        String v = mul(z, x);
        String r = add(c(0x1.111111110f8a6p-7), mul(z, add(c(-0x1.a01a019c161d5p-13), mul(z, add(c(0x1.71de357b1fe7dp-19),
                mul(z, add(c(-0x1.ae5e68a2b9cebp-26), mul(z, c(0x1.5d93a5acfd57cp-33)))))))));
        String res = sub(x, sub(sub(mul(z, sub(mul(c(0.5), y), mul(v, r))), y), mul(v, c(-0x1.5555555555549p-3))));
        return sel(cmp("lt", "s32", ix, "1044381696"), x, res);
    }
}
