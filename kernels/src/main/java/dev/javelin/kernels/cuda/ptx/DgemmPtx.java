package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;

/**
 * float64 matrix product, one thread per output element and a plain loop over K. float64 on the GPU
 * serves gradient checks, not speed; same parameters and batching (grid z) as {@link SgemmPtx}.
 *
 * <pre>{@code
 * String entry = DgemmPtx.kernel();
 * }</pre>
 */
public final class DgemmPtx {
    public static final String NAME = "gemm_f64_naive";
    public static final int BLOCK = 256;

    private DgemmPtx() {}

    public static String kernel() {
        PtxWriter w = new PtxWriter(NAME);
        w.maxThreads(BLOCK);
        String a = w.paramPtr("A");
        String b = w.paramPtr("B");
        String c = w.paramPtr("C");
        String m = w.paramU32("M");
        String n = w.paramU32("N");
        String k = w.paramU32("K");
        String lda = w.paramU32("lda");
        String ldb = w.paramU32("ldb");
        String ldc = w.paramU32("ldc");
        String sa = w.paramU32("sA");
        String sb = w.paramU32("sB");
        String sc = w.paramU32("sC");
        String z = w.reg(Reg.B32);
        w.op("mov.u32 " + z + ", %ctaid.z");
        String i = w.globalThreadId();
        String total = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + total + ", " + m + ", " + n);
        String p = w.reg(Reg.PRED);
        String end = w.newLabel("end");
        w.op("setp.ge.u32 " + p + ", " + i + ", " + total);
        w.opIf(p, "bra.uni " + end);
        String row = w.reg(Reg.B32);
        String col = w.reg(Reg.B32);
        w.op("div.u32 " + row + ", " + i + ", " + n);
        w.op("rem.u32 " + col + ", " + i + ", " + n);
        String ai = w.reg(Reg.B32);
        String bi = w.reg(Reg.B32);
        String ci = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + ai + ", " + z + ", " + sa);
        w.op("mad.lo.s32 " + ai + ", " + row + ", " + lda + ", " + ai);
        w.op("mul.lo.s32 " + bi + ", " + z + ", " + sb);
        w.op("add.s32 " + bi + ", " + bi + ", " + col);
        w.op("mul.lo.s32 " + ci + ", " + z + ", " + sc);
        w.op("mad.lo.s32 " + ci + ", " + row + ", " + ldc + ", " + ci);
        w.op("add.s32 " + ci + ", " + ci + ", " + col);
        String acc = w.reg(Reg.F64);
        w.op("mov.f64 " + acc + ", 0d0000000000000000");
        String kk = w.reg(Reg.B32);
        w.op("mov.u32 " + kk + ", 0");
        String loop = w.newLabel("k");
        String exit = w.newLabel("kend");
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + kk + ", " + k);
        w.opIf(p, "bra.uni " + exit);
        String x = PtxTypes.load(w, dev.javelin.tensor.DType.FLOAT64, w.address(a, ai, 8), true);
        String y = PtxTypes.load(w, dev.javelin.tensor.DType.FLOAT64, w.address(b, bi, 8), true);
        w.op("fma.rn.f64 " + acc + ", " + x + ", " + y + ", " + acc);
        w.op("add.s32 " + ai + ", " + ai + ", 1");
        w.op("add.s32 " + bi + ", " + bi + ", " + ldb);
        w.op("add.s32 " + kk + ", " + kk + ", 1");
        w.op("bra.uni " + loop);
        w.label(exit);
        w.op("st.global.f64 [" + w.address(c, ci, 8) + "], " + acc);
        w.label(end);
        return w.finish();
    }
}
