package dev.javelin.kernels.ir;

import dev.javelin.kernels.ir.Decompositions.Builder;
import java.math.BigInteger;

/**
 * sin's and cos's argument reduction for every finite float32 (Payne and Hanek): |x| (2/pi) modulo 4,
 * as a quadrant and a remainder r in [-pi/4, pi/4] carried in two floats, with no error that reaches
 * the result's last bit. It is exact float arithmetic (products split by fma, sums with their
 * rounding errors kept) on a window of 2/pi's bits picked by x's exponent from
 * {@link KernelTable#TWO_OVER_PI_WINDOWS}; {@link MathDecompositions#sin} runs it only where
 * |x| is past the reach of its three-part Cody-Waite reduction.
 *
 * <p>Why it is exact enough: x = M 2^E with M an integer below 2^24. Bits of 2/pi worth 2^-j with
 * j <= E - 2 add multiples of 4 to x (2/pi), which the quadrant ignores, so the window starts at
 * j = E - 1; four 24-bit windows W0..W3 (scaled so that M Wk is the contribution) reach j = E + 94,
 * and the rest adds under M 2^(E - E - 94) < 2^-70. Each M Wk is an exact sum hi + lo (fma); with
 * M Wk below 2^26, 4, 2^-22, 2^-46, the integer parts are taken out exactly (every subtraction is
 * of numbers on a common grid that fits 24 bits), the fractions summed with two-sums, so the
 * remainder f = x (2/pi) - n is known to about 2^-67 absolute. The smallest |f| over all floats is
 * about 2^-29 (measured by the test), so f, and r = f pi/2, keep a relative error near 2^-38.
 */
final class LargeArgumentReduction {
    private LargeArgumentReduction() {}

    /** 2/pi's first 256 bits after the binary point (fdlibm's table; the test checks them against Machin's formula). */
    static final String TWO_OVER_PI_HEX = "a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebbc561";
    private static final float ROUNDER = MathDecompositions.ROUNDER, TWO_23 = 8388608f;
    private static final float PIO2_HI = (float) (Math.PI / 2), PIO2_LO = (float) (Math.PI / 2 - PIO2_HI);

    /**
     * The table: entry {@code e + 256 k} is window k (k < 4) for biased exponent e, the integer of 2/pi's
     * bits j = e - 151 + 24 k ... + 23 times 2^(-22 - 24 k); NaN for e = 255, so infinities give NaN.
     */
    static float[] windows() {
        BigInteger g = new BigInteger(TWO_OVER_PI_HEX, 16);
        int bits = TWO_OVER_PI_HEX.length() * 4;
        float[] w = new float[4 * 256];
        for (int e = 0; e < 256; e++) {
            for (int k = 0; k < 4; k++) {
                int first = e - 151 + 24 * k, m = 0;
                for (int j = first; j < first + 24; j++) {
                    if (j > bits) throw new IllegalStateException("LargeArgumentReduction: 2/pi needs bit " + j);
                    m = 2 * m + (j >= 1 && g.testBit(bits - j) ? 1 : 0);
                }
                w[e + 256 * k] = e == 255 ? Float.NaN : Math.scalb((float) m, -22 - 24 * k);
            }
        }
        return w;
    }

    /**
     * {@code {r, lo, t}} for |x| = {@code ax} >= 2^-126: ax (2/pi) = n + f with |f| <= 1/2 (and a hair),
     * r + lo = f pi/2, and t = 1.5 2^23 + (n modulo 4 plus a multiple of 4), whose low bits hold n's,
     * as the Cody-Waite path leaves them for the polynomials.
     */
    static int[] reduce(Builder b, int ax) {
        int bits = b.bits(ax);
        int e = b.ushr(bits, 23); // ax >= 0: the biased exponent
        int m = b.fromBits(b.ior(b.iand(bits, b.ci(0x7fffff)), b.ci(0x4b000000))); // the significand as an integer below 2^24
        int[] hi = new int[4], lo = new int[3];
        for (int k = 0; k < 4; k++) {
            int w = b.table(KernelTable.TWO_OVER_PI_WINDOWS, k == 0 ? e : b.iadd(e, b.ci(256 * k)));
            hi[k] = b.mul(m, w);
            if (k < 3) lo[k] = b.fma(m, w, b.neg(hi[k])); // hi + lo = M Wk exactly
        }
        // M W0 < 2^26 on the grid 2^-22: its integer part, exactly (rint by the rounder only below 2^22)
        int n0 = b.select(b.ge(hi[0], b.c(TWO_23)), hi[0], rint(b, hi[0]));
        int q = b.fma(b.c(-4f), rint(b, b.mul(n0, b.c(0.25f))), n0); // n0 less a multiple of 4: within [-4, 4]
        int s = b.add(b.sub(hi[0], n0), lo[0]); // |s| < 4 on the grid 2^-22: exact
        int n1 = rint(b, s);
        s = b.sub(s, n1);
        int n2 = rint(b, hi[1]);
        int[] d = twoSum(b, s, b.sub(hi[1], n2));
        int n3 = rint(b, d[0]);
        q = b.add(b.add(q, n1), b.add(n2, n3));
        int[] t1 = twoSum(b, d[1], lo[1]);
        int[] t2 = twoSum(b, t1[0], hi[2]);
        int small = b.add(b.add(t1[1], t2[1]), b.add(lo[2], hi[3]));
        int[] f = twoSum(b, b.sub(d[0], n3), t2[0]);
        int fhi = f[0], flo = b.add(f[1], small);
        // r = f pi/2 in two floats
        int rhi = b.mul(fhi, b.c(PIO2_HI));
        int rlo = b.add(b.fma(fhi, b.c(PIO2_HI), b.neg(rhi)), b.fma(fhi, b.c(PIO2_LO), b.mul(flo, b.c(PIO2_HI))));
        int r = b.add(rhi, rlo);
        return new int[] {r, b.add(b.sub(rhi, r), rlo), b.add(q, b.c(ROUNDER))};
    }

    /** Round to the nearest integer, ties to even: exact for |v| <= 2^22. */
    private static int rint(Builder b, int v) {
        return b.sub(b.add(v, b.c(ROUNDER)), b.c(ROUNDER));
    }

    /** {@code {a + b rounded, its rounding error}} (Knuth's two-sum: no ordering of |a|, |b| needed). */
    private static int[] twoSum(Builder b, int x, int y) {
        int s = b.add(x, y);
        int yy = b.sub(s, x);
        return new int[] {s, b.add(b.sub(x, b.sub(s, yy)), b.sub(y, yy))};
    }
}
