package dev.javelin.kernels.ir;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.kernels.ir.KernelIR.Instr;
import dev.javelin.kernels.ir.KernelIR.Prim;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data and the IR shape of sin's large-argument reduction (its accuracy: {@code DecompositionAccuracyTest}). */
class LargeArgumentReductionTest {
    /** arctan(1/n) times 2^bits, by its series, truncated. */
    private static BigInteger arctanInverse(int n, int bits) {
        BigInteger one = BigInteger.ONE.shiftLeft(bits), nn = BigInteger.valueOf((long) n * n);
        BigInteger term = one.divide(BigInteger.valueOf(n)), sum = term;
        for (int k = 3, sign = -1; term.signum() != 0; k += 2, sign = -sign) {
            term = term.divide(nn);
            sum = sum.add(term.divide(BigInteger.valueOf(k)).multiply(BigInteger.valueOf(sign)));
        }
        return sum;
    }

    @Test
    void theBitsOfTwoOverPiAreMachinsFormulas() {
        int bits = 256 + 64;
        // pi = 16 arctan(1/5) - 4 arctan(1/239), scaled by 2^bits; 2/pi scaled by 2^256 from it
        BigInteger pi = arctanInverse(5, bits).shiftLeft(4).subtract(arctanInverse(239, bits).shiftLeft(2));
        BigInteger twoOverPi = BigInteger.ONE.shiftLeft(256 + 1 + bits).divide(pi);
        assertEquals(twoOverPi.toString(16), LargeArgumentReduction.TWO_OVER_PI_HEX);
    }

    @Test
    void eachWindowIsTwentyFourBitsOfTwoOverPi() {
        float[] w = KernelTable.TWO_OVER_PI_WINDOWS.entries();
        BigInteger g = new BigInteger(LargeArgumentReduction.TWO_OVER_PI_HEX, 16);
        int e = 200; // bits e - 151 = 49 on
        for (int k = 0; k < 4; k++) {
            long m = g.shiftRight(256 - (49 + 24 * k + 23)).longValue() & 0xffffff;
            assertEquals(Math.scalb((float) m, -22 - 24 * k), w[e + 256 * k], "window " + k);
        }
        assertTrue(Float.isNaN(w[255]), "infinities reduce to NaN");
    }

    /**
     * sin's body opens one region for the large arguments; its values reach the rest of the body only
     * as the chosen side of a select on the region's mask, which is what lets a renderer skip it.
     */
    @Test
    void theLargeArgumentRegionIsOnlyReadThroughItsMask() {
        KernelIR sin = new KernelIR("E_sin", KernelIR.Mode.ELEMENTWISE, null, List.of(new KernelIR.Load(DType.FLOAT32, Access.CONTIGUOUS)),
                List.of(Instr.load(0, DType.FLOAT32), Instr.op(Op.SIN, List.of(0), DType.FLOAT32)), DType.FLOAT32);
        List<Instr> body = Decompositions.apply(sin).body();
        int regions = 0;
        for (int k = 0; k < body.size(); k++) {
            if (body.get(k).prim() != Prim.IF_ANY) continue;
            regions++;
            int end = k + body.get(k).constant();
            assertTrue(body.get(k).constant() > 40, "the region holds the reduction");
            for (int j = end + 1; j < body.size(); j++) {
                List<Integer> args = body.get(j).args();
                for (int a = 0; a < args.size(); a++) {
                    if (args.get(a) <= k || args.get(a) > end) continue;
                    assertEquals(Op.WHERE, body.get(j).op(), "%" + j + " reads %" + args.get(a) + " of the region");
                    assertEquals(1, a, "%" + j + " takes the region's value where the mask is set");
                    assertEquals(k, args.get(0), "%" + j + " selects on the region's mask");
                }
            }
        }
        assertEquals(1, regions);
        assertTrue(body.stream().anyMatch(in -> in.prim() == Prim.TABLE));
    }
}
