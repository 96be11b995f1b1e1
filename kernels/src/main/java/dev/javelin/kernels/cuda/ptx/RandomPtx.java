package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;

/**
 * RANDOM_UNIFORM as {@code dev.javelin.tensor.spi.CounterRng} computes it, bit for bit: SplitMix64's
 * finalizer over a key-dependent counter, 24 bits scaled by 2^-24. All of it is 64-bit integer
 * arithmetic (wrapping multiplies, shifts, xor) and one exact conversion, so the GPU and the host
 * agree exactly. The seed is read from the int64 scalar input in device memory, so no copy to the
 * host is needed. Parameters: {@code out, n, seed, seedOffset}.
 *
 * <pre>{@code
 * String entry = RandomPtx.uniform();
 * }</pre>
 */
public final class RandomPtx {
    public static final String UNIFORM = "rand_uniform_f32";
    public static final String NORMAL = "rand_normal_f32";
    public static final int BLOCK = 256;

    private RandomPtx() {}

    public static String uniform() {
        return kernel(UNIFORM, false);
    }

    /**
     * RANDOM_NORMAL as CounterRng computes it: Box-Muller in double from the uniforms at 2i and
     * 2i + 1, with {@link StrictMathPtx}'s bit-exact fdlibm log and cos, rounded once to float.
     */
    public static String normal() {
        return kernel(NORMAL, true);
    }

    private static String kernel(String name, boolean normal) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        String out = w.paramPtr("out");
        String n = w.paramU32("n");
        String seedPtr = w.paramPtr("seed");
        String seedOff = w.paramU32("seedOff");
        String seed = PtxTypes.load(w, dev.javelin.tensor.DType.INT64, w.address(seedPtr, seedOff, 8), true);
        String key = w.reg(Reg.B64);
        w.op("xor.b64 " + key + ", " + seed + ", 0x6A09E667F3BCC909");
        mix64(w, key);
        IndexPtx.Loop loop = IndexPtx.Loop.open(w, n);
        String idx = w.reg(Reg.B64);
        w.op("cvt.u64.u32 " + idx + ", " + loop.index);
        String f;
        if (normal) {
            String i1 = w.reg(Reg.B64);
            w.op("shl.b64 " + idx + ", " + idx + ", 1");
            w.op("add.s64 " + i1 + ", " + idx + ", 1");
            String u1 = w.reg(Reg.F64);
            String u2 = w.reg(Reg.F64);
            w.op("cvt.f64.f32 " + u1 + ", " + uniformAt(w, key, idx));
            w.op("cvt.f64.f32 " + u2 + ", " + uniformAt(w, key, i1));
            StrictMathPtx m = new StrictMathPtx(w);
            String x = w.reg(Reg.F64);
            w.op("sub.rn.f64 " + x + ", " + PtxWriter.f64Literal(1.0) + ", " + u1);
            String radius = w.reg(Reg.F64);
            w.op("mul.rn.f64 " + radius + ", " + PtxWriter.f64Literal(-2.0) + ", " + m.log(x));
            w.op("sqrt.rn.f64 " + radius + ", " + radius);
            String angle = w.reg(Reg.F64);
            w.op("mul.rn.f64 " + angle + ", " + PtxWriter.f64Literal(2 * Math.PI) + ", " + u2);
            String prod = w.reg(Reg.F64);
            w.op("mul.rn.f64 " + prod + ", " + radius + ", " + m.cos(angle));
            f = w.reg(Reg.F32);
            w.op("cvt.rn.f32.f64 " + f + ", " + prod);
        } else {
            f = uniformAt(w, key, idx);
        }
        PtxTypes.store(w, dev.javelin.tensor.DType.FLOAT32, w.address(out, loop.index, 4), f);
        loop.close(w);
        return w.finish();
    }

    /** CounterRng.uniform(seed, index) for the mixed key: 24 bits of mix64(key + (index + 1) * golden) scaled by 2^-24. */
    private static String uniformAt(PtxWriter w, String key, String index) {
        String z = w.reg(Reg.B64);
        w.op("add.s64 " + z + ", " + index + ", 1");
        w.op("mad.lo.u64 " + z + ", " + z + ", 0x9E3779B97F4A7C15, " + key);
        mix64(w, z);
        w.op("shr.u64 " + z + ", " + z + ", 40");
        String f = w.reg(Reg.F32);
        w.op("cvt.rn.f32.u64 " + f + ", " + z);
        w.op("mul.f32 " + f + ", " + f + ", " + PtxWriter.f32Literal(0x1.0p-24f));
        return f;
    }

    /** z = SplitMix64's finalizer of z, in place. */
    static void mix64(PtxWriter w, String z) {
        String t = w.reg(Reg.B64);
        w.op("shr.u64 " + t + ", " + z + ", 30");
        w.op("xor.b64 " + z + ", " + z + ", " + t);
        w.op("mul.lo.u64 " + z + ", " + z + ", 0xBF58476D1CE4E5B9");
        w.op("shr.u64 " + t + ", " + z + ", 27");
        w.op("xor.b64 " + z + ", " + z + ", " + t);
        w.op("mul.lo.u64 " + z + ", " + z + ", 0x94D049BB133111EB");
        w.op("shr.u64 " + t + ", " + z + ", 31");
        w.op("xor.b64 " + z + ", " + z + ", " + t);
    }
}
