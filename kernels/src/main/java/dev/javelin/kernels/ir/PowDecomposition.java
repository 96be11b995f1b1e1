package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.Decompositions.Builder;

/**
 * {@code pow(x, y)} for float32 as kernel arithmetic: 2^(y log2|x|) with log2|x| and the product
 * carried in two floats, then the sign and C99's special cases (which PyTorch follows): x^0 = 1 and
 * 1^y = 1 even for NaN, (-1)^(+-inf) = 1, a negative finite base to a non-integral power is NaN, an
 * odd integral power keeps the base's sign (-0 and -inf included), 0 and infinity to +-y give 0 or
 * infinity. {@code x^1} is x and {@code x^2} is {@code x * x} exactly, the bits the JIT's algebraic
 * simplification gives, so eager and compiled pow agree whatever the exponent's source.
 *
 * <p>log2|x|: |x| = m 2^k with m in [0.699, 1.398); m's top four bits pick c from a 16-entry table
 * ({@link KernelTable#POW_INV_C}, {@link KernelTable#POW_LOG2_C}: 1/c and log2 c in two floats, c = 1 for the interval holding 1, so
 * powers of two have an exact logarithm); r = m/c - 1 exactly (an fma product), |r| < 0.03;
 * log(1 + r) = r - r^2/2 + r^3 P(r), the first two terms in two floats. 2^z: z = n + d, |d| <= 1/2,
 * 2^d - 1 = d c1 + d^2 Q(d) (a Chebyshev fit, relative error 2^-30, c1 in two floats), the product's
 * low part as 2^d z_lo ln2, scaled by 2^n: in one step where |z| < 126 (the result a normal float), in
 * two (overflow to infinity, gradual underflow) in the region of rare cases, with C99's.
 * Accuracy against the double-precision pow (C99's special cases): within 1 ulp; measured over 2^22
 * random pairs spanning the float range of the result (bases 2^-40 to 2^40 and any positive float,
 * negative bases with integral exponents, bases within 10^-3 of 1 to exponents up to 10^5): 0.61 ulp
 * where the result is normal, 0.75 where it is subnormal (rounded twice).
 */
final class PowDecomposition {
    private PowDecomposition() {}

    /** The bits of 0.69921875: m = |x| 2^-k lies in [it, twice it). */
    private static final int OFFSET = 0x3f330000;
    private static final int INTERVALS = 16;
    private static final float INV_LN2_HI = (float) (1 / Math.log(2)), INV_LN2_LO = (float) (1 / Math.log(2) - INV_LN2_HI);
    private static final float C1_HI = 0.6931472f, C1_LO = -1.9077682e-09f;
    /** (2^d - 1 - d c1) / d^2 on [-1/2, 1/2], highest degree first. */
    private static final float[] EXP2_Q = {1.5303702e-05f, 0.00015461448f, 0.0013333479f, 0.009618057f, 0.05550411f, 0.2402265f};
    /** (log(1 + r) - r + r^2/2) / r^3 to degree 4, highest first. */
    private static final float[] LOG_P = {1f / 7, -1f / 6, 1f / 5, -1f / 4, 1f / 3};

    /**
     * Part {@code part} of the table: entry i is 1/c for interval i of m (its midpoint c, or 1 for the
     * interval holding 1) for part 0, -log2(1/c) in two floats for parts 1 and 2.
     */
    static float[] log2Table(int part) {
        float[] t = new float[3 * INTERVALS];
        for (int i = 0; i < INTERVALS; i++) {
            float lo = Float.intBitsToFloat(OFFSET + (i << 19)), hi = Float.intBitsToFloat(OFFSET + ((i + 1) << 19));
            float invc = lo <= 1f && 1f < hi ? 1f : (float) (2 / ((double) lo + hi));
            double log2c = -StrictMath.log(invc) / StrictMath.log(2);
            t[i] = invc;
            t[INTERVALS + i] = (float) log2c;
            t[2 * INTERVALS + i] = (float) (log2c - (float) log2c);
        }
        return java.util.Arrays.copyOfRange(t, part * INTERVALS, (part + 1) * INTERVALS);
    }

    static int pow(Builder b, int x, int y) {
        int ax = b.abs(x);
        int[] l = log2(b, ax);
        int z = b.mul(y, l[0]);
        int zLo = b.fma(y, l[1], b.fma(y, l[0], b.neg(z)));
        Exp2 e = exp2(b, z, zLo);
        int core = b.mul(e.p, b.fromBits(b.shl(b.iadd(e.n, b.ci(127)), 23))); // 2^n in one factor: right while |z| < 126
        int inf = b.c(Float.POSITIVE_INFINITY);
        // a positive finite base to a power whose product z is within +-126 (so y is finite: an infinite or NaN y
        // makes z infinite or NaN) is the core's; results beyond the normal floats (overflow, gradual underflow)
        // and C99's special cases in a region that runs only for vectors holding one (computed always, the special
        // cases were half of pow's time, and the range's clamp and two-step scaling a tenth of the rest)
        int ordinary = b.and(b.and(b.gt(x, b.c(0f)), b.lt(x, inf)), b.lt(b.abs(z), b.c(126f)));
        int special = b.ifAny(b.not(ordinary));
        int r = specialCases(b, x, y, ax, b.abs(y), wide(b, z, e), inf);
        b.endRegion(special);
        r = b.select(special, r, core);
        r = b.select(b.eq(y, b.c(2f)), b.mul(x, x), r);
        return b.select(b.eq(y, b.c(1f)), x, r);
    }

    /**
     * 2^z for any z (inf and NaN included) from the core's 2^d and n, which hold while |z| < 2^22: 2^n in two
     * factors (gradual underflow rounds once more), infinity above 200 and 0 below -200, where zLo may be infinite.
     */
    private static int wide(Builder b, int z, Exp2 e) {
        int limit = b.c(200f);
        int n1 = b.shr(e.n, 1);
        int s1 = b.fromBits(b.shl(b.iadd(n1, b.ci(127)), 23));
        int s2 = b.fromBits(b.shl(b.iadd(b.isub(e.n, n1), b.ci(127)), 23));
        int r = b.mul(b.mul(e.p, s1), s2);
        return b.select(b.gt(z, limit), b.c(Float.POSITIVE_INFINITY), b.select(b.lt(z, b.neg(limit)), b.c(0f), r));
    }

    /** pow where the base is not positive and finite, the exponent not finite or the result not a normal float, from |x|^y ({@link #wide}). */
    private static int specialCases(Builder b, int x, int y, int ax, int ay, int core, int inf) {
        // y's kind: integral (infinities count as even), odd
        int two23 = b.c(8388608f);
        int integral = b.or(b.ge(ay, two23), b.eq(b.sub(b.add(ay, two23), two23), ay));
        int half = b.mul(ay, b.c(0.5f));
        int odd = b.and(b.and(integral, b.lt(ay, b.c(16777216f))), b.not(b.eq(b.sub(b.add(half, two23), two23), half)));
        // 0 or infinity to any power, anything to an infinite power: 0 or infinity by the signs of log|x| and y
        int toLimit = b.or(b.or(b.eq(ay, inf), b.eq(ax, inf)), b.eq(ax, b.c(0f)));
        int r = b.select(toLimit, b.select(b.maskEq(b.gt(ax, b.c(1f)), b.gt(y, b.c(0f))), inf, b.c(0f)), core);
        r = b.select(odd, b.withSignOf(r, x), r);
        int negativeFinite = b.and(b.lt(x, b.c(0f)), b.gt(x, b.c(Float.NEGATIVE_INFINITY)));
        r = b.select(b.or(b.and(negativeFinite, b.not(integral)), b.or(b.isNaN(x), b.isNaN(y))), b.c(Float.NaN), r);
        int one = b.c(1f);
        int toOne = b.or(b.or(b.eq(y, b.c(0f)), b.eq(x, one)), b.and(b.eq(ax, one), b.eq(ay, inf)));
        return b.select(toOne, one, r);
    }

    /** log2 of {@code ax} > 0 finite as {@code {hi, lo}}; garbage for 0, infinity, NaN (pow selects those). */
    private static int[] log2(Builder b, int ax) {
        int tiny = b.lt(ax, b.c(Float.MIN_NORMAL));
        int bits = b.bits(b.select(tiny, b.mul(ax, b.c(8388608f)), ax)); // subnormals scaled by 2^23
        int iz = b.isub(bits, b.ci(OFFSET));
        int i = b.iand(b.ushr(iz, 19), b.ci(INTERVALS - 1));
        int k = b.toFloat(b.shr(iz, 23));
        k = b.select(tiny, b.sub(k, b.c(23f)), k);
        int m = b.fromBits(b.isub(bits, b.iand(iz, b.ci(0xff800000))));
        int invc = b.table(KernelTable.POW_INV_C, i);
        int logcHi = b.table(KernelTable.POW_LOG2_C, i);
        int logcLo = b.table(KernelTable.POW_LOG2_C_LO, i);
        // r = m invc - 1 exactly: the product in two floats, its high part within [0.96, 1.04] (1 is subtracted exactly)
        int p = b.mul(m, invc);
        int pLo = b.fma(m, invc, b.neg(p));
        int[] r = fastTwoSum(b, b.sub(p, b.c(1f)), pLo);
        // log(1 + r) = r - r^2/2 + r^3 P(r): r^2 in two floats
        int sq = b.mul(r[0], r[0]);
        int sqLo = b.fma(r[0], r[0], b.neg(sq));
        sqLo = b.fma(b.add(r[0], r[0]), r[1], sqLo);
        int[] l = fastTwoSum(b, r[0], b.mul(sq, b.c(-0.5f)));
        int cube = b.mul(b.mul(sq, r[0]), horner(b, r[0], LOG_P));
        int lLo = b.add(b.add(l[1], r[1]), b.fma(sqLo, b.c(-0.5f), cube));
        // times 1/ln2, in two floats
        int hi = b.mul(l[0], b.c(INV_LN2_HI));
        int lo = b.add(b.fma(l[0], b.c(INV_LN2_HI), b.neg(hi)), b.fma(l[0], b.c(INV_LN2_LO), b.mul(lLo, b.c(INV_LN2_HI))));
        // plus k + log2 c: |k + log2c| >= 0.48 whenever it is not 0, above |log2(1 + r)| < 0.05, so the fast two-sums hold
        int[] a = fastTwoSum(b, k, logcHi);
        int[] s = fastTwoSum(b, a[0], hi);
        // normalized, so that the low part is below the high one's ulp (2^(y lo) is then 1 + y lo ln2 to 2^-33)
        return fastTwoSum(b, s[0], b.add(b.add(s[1], a[1]), b.add(logcLo, lo)));
    }

    /** 2^(z + zLo) = p 2^n: p = 2^(d + zLo) with |d| <= 1/2 and n an integer, for |z| < 2^22. */
    private record Exp2(int p, int n) {}

    private static Exp2 exp2(Builder b, int z, int zLo) {
        int t = b.add(z, b.c(MathDecompositions.ROUNDER)); // 1.5 * 2^23 + n
        int d = b.sub(z, b.sub(t, b.c(MathDecompositions.ROUNDER)));
        int dc = b.mul(d, b.c(C1_HI));
        int rest = b.fma(d, b.c(C1_LO), b.fma(d, b.c(C1_HI), b.neg(dc)));
        rest = b.fma(b.mul(d, d), horner(b, d, EXP2_Q), rest);
        int[] s = fastTwoSum(b, b.c(1f), dc);
        rest = b.add(s[1], rest);
        int twoToD = b.add(s[0], rest);
        int p = b.add(s[0], b.fma(b.mul(zLo, b.c(C1_HI)), twoToD, rest)); // 2^(d + zLo) = 2^d (1 + zLo ln2), to 2^-33
        return new Exp2(p, b.isub(b.bits(t), b.ci(0x4b400000)));
    }

    /** {@code {a + b rounded, its error}} when |a| >= |b| or a = 0 (Dekker). */
    private static int[] fastTwoSum(Builder b, int x, int y) {
        int s = b.add(x, y);
        return new int[] {s, b.sub(y, b.sub(s, x))};
    }

    private static int horner(Builder b, int x, float[] p) {
        int acc = b.fma(x, b.c(p[0]), b.c(p[1]));
        for (int k = 2; k < p.length; k++) acc = b.fma(acc, x, b.c(p[k]));
        return acc;
    }
}
