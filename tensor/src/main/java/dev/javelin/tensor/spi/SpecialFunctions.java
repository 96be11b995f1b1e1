package dev.javelin.tensor.spi;

/** Special functions the JDK lacks, accurate to about 1e-15 in double. */
public final class SpecialFunctions {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double ONE_OVER_SQRT_PI = 1.0 / Math.sqrt(Math.PI);

    private SpecialFunctions() {}

    /**
     * a^b with C99's (and PyTorch's) special cases: {@link StrictMath#pow}'s, except that 1^b = 1 and
     * (-1)^(+-inf) = 1 even for a NaN or infinite b, where Java gives NaN.
     *
     * <pre>{@code
     * double p = SpecialFunctions.pow(1, Double.NaN); // 1.0 (Math.pow: NaN)
     * }</pre>
     */
    public static double pow(double a, double b) {
        if (a == 1 || (a == -1 && Double.isInfinite(b))) return 1;
        return StrictMath.pow(a, b);
    }

    /**
     * The error function. Below |x| = 3 a series with only positive terms (no cancellation):
     * {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}; above it,
     * {@code 1 - erfc(x)} with erfc from its continued fraction, which converges fast there.
     *
     * <pre>{@code
     * double e = SpecialFunctions.erf(0.5); // 0.5204998778130466 (the true value is 0.52049987781304654)
     * }</pre>
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r;
        if (ax < 3.0) {
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200 && term > sum * 1e-17; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else if (ax < 6.5) {
            r = 1.0 - erfcContinuedFraction(ax);
        } else {
            r = 1.0; // erfc(6.5) < 1e-19: below double's resolution at 1
        }
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x >= 3: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), by modified Lentz. */
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 300; n++) {
            double an = n * 0.5;
            d = x + an * d;
            d = d == 0 ? tiny : d;
            c = x + an / c;
            c = c == 0 ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
