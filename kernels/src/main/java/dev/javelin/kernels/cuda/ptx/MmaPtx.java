package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;

/**
 * TF32 tensor-core GEMM with {@code mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32} (sm_80+),
 * same parameters and grid layout as {@link SgemmPtx}. A block of four warps computes a 64x64 tile
 * of C; each warp a 32x32 quarter as 2 x 4 mma tiles. Each k-step of 8 stages A (64x8, row-major)
 * and B (8x64) in shared memory, rounded to TF32 with {@code cvt.rna.tf32.f32} as they arrive;
 * the row paddings (A by 4, B by 8 words) make every warp's fragment reads hit 32 different banks.
 * Fragment layouts are the PTX ISA's for m16n8k8 .tf32: A a0..a3 at (g, t), (g+8, t), (g, t+4),
 * (g+8, t+4); B b0, b1 at (t, g), (t+4, g); C c0..c3 at (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1),
 * where g = lane / 4 and t = lane % 4. Every load and store checks bounds, so any M, N, K works.
 *
 * <pre>{@code
 * String entry = MmaPtx.kernel();
 * }</pre>
 */
public final class MmaPtx {
    public static final int BM = 64;
    public static final int BN = 64;
    public static final int BK = 8;
    public static final int THREADS = 128;
    private static final int A_LD = BK + 4;
    private static final int B_LD = BN + 8;

    private MmaPtx() {}

    public static String name() {
        return "gemm_tf32_mma_64x64x8";
    }

    public static String kernel() {
        PtxWriter w = new PtxWriter(name());
        w.maxThreads(THREADS);
        String asName = w.shared("As", BM * A_LD * 4);
        String bsName = w.shared("Bs", BK * B_LD * 4);
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
        String as = w.reg(Reg.B32);
        String bs = w.reg(Reg.B32);
        w.op("mov.u32 " + as + ", " + asName);
        w.op("mov.u32 " + bs + ", " + bsName);
        String tid = special(w, "%tid.x");
        String m0 = special(w, "%ctaid.y");
        String n0 = special(w, "%ctaid.x");
        String z = special(w, "%ctaid.z");
        w.op("mul.lo.s32 " + m0 + ", " + m0 + ", " + BM);
        w.op("mul.lo.s32 " + n0 + ", " + n0 + ", " + BN);
        String ab = batchIndex(w, z, sa);
        String bb = batchIndex(w, z, sb);
        String cb = batchIndex(w, z, sc);
        String lane = w.reg(Reg.B32);
        String warp = w.reg(Reg.B32);
        String g = w.reg(Reg.B32);
        String t4 = w.reg(Reg.B32);
        w.op("and.b32 " + lane + ", " + tid + ", 31");
        w.op("shr.u32 " + warp + ", " + tid + ", 5");
        w.op("shr.u32 " + g + ", " + lane + ", 2");
        w.op("and.b32 " + t4 + ", " + lane + ", 3");
        String wm = w.reg(Reg.B32);
        String wn = w.reg(Reg.B32);
        w.op("shr.u32 " + wm + ", " + warp + ", 1");
        w.op("and.b32 " + wn + ", " + warp + ", 1");
        w.op("shl.b32 " + wm + ", " + wm + ", 5");
        w.op("shl.b32 " + wn + ", " + wn + ", 5");

        String[][] acc = new String[2 * 4][4];
        for (String[] tile : acc) {
            for (int i = 0; i < 4; i++) {
                tile[i] = w.reg(Reg.F32);
                w.op("mov.f32 " + tile[i] + ", 0f00000000");
            }
        }
        String k0 = w.reg(Reg.B32);
        w.op("mov.u32 " + k0 + ", 0");
        String p = w.reg(Reg.PRED);
        String loop = w.newLabel("k");
        String done = w.newLabel("epilogue");
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + k0 + ", " + k);
        w.opIf(p, "bra.uni " + done);
        // stage: A 64x8 and B 8x64, four elements of each per thread
        for (int e = 0; e < 4; e++) {
            String idx = w.reg(Reg.B32);
            w.op("add.s32 " + idx + ", " + tid + ", " + (e * THREADS));
            String row = w.reg(Reg.B32);
            String col = w.reg(Reg.B32);
            w.op("shr.u32 " + row + ", " + idx + ", 3");
            w.op("and.b32 " + col + ", " + idx + ", 7");
            stage(w, a, ab, lda, m0, row, k0, col, m, k, as, row, col, A_LD);
            String krow = w.reg(Reg.B32);
            String ncol = w.reg(Reg.B32);
            w.op("shr.u32 " + krow + ", " + idx + ", 6");
            w.op("and.b32 " + ncol + ", " + idx + ", 63");
            stage(w, b, bb, ldb, k0, krow, n0, ncol, k, n, bs, krow, ncol, B_LD);
        }
        w.op("bar.sync 0");
        String[][] fa = new String[2][4];
        for (int mi = 0; mi < 2; mi++) {
            for (int i = 0; i < 4; i++) {
                fa[mi][i] = w.reg(Reg.B32);
                int rowOff = mi * 16 + ((i & 1) == 1 ? 8 : 0);
                int colOff = i >= 2 ? 4 : 0;
                String addr = sharedAddr(w, as, wm, rowOff, g, A_LD, t4, colOff);
                w.op("ld.shared.b32 " + fa[mi][i] + ", [" + addr + "]");
            }
        }
        for (int ni = 0; ni < 4; ni++) {
            String[] fb = new String[2];
            for (int i = 0; i < 2; i++) {
                fb[i] = w.reg(Reg.B32);
                // B[k = t (+4)][n = wn + ni*8 + g]
                String addr = w.reg(Reg.B32);
                w.op("add.s32 " + addr + ", " + t4 + ", " + (i * 4));
                w.op("mul.lo.s32 " + addr + ", " + addr + ", " + B_LD);
                w.op("add.s32 " + addr + ", " + addr + ", " + wn);
                w.op("add.s32 " + addr + ", " + addr + ", " + g);
                w.op("add.s32 " + addr + ", " + addr + ", " + (ni * 8));
                w.op("shl.b32 " + addr + ", " + addr + ", 2");
                w.op("add.s32 " + addr + ", " + addr + ", " + bs);
                w.op("ld.shared.b32 " + fb[i] + ", [" + addr + "]");
            }
            for (int mi = 0; mi < 2; mi++) {
                String[] d = acc[mi * 4 + ni];
                w.op("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {" + String.join(", ", d) + "}, {"
                        + String.join(", ", fa[mi]) + "}, {" + fb[0] + ", " + fb[1] + "}, {" + String.join(", ", d) + "}");
            }
        }
        w.op("bar.sync 0");
        w.op("add.s32 " + k0 + ", " + k0 + ", " + BK);
        w.op("bra.uni " + loop);
        w.label(done);
        for (int mi = 0; mi < 2; mi++) {
            for (int ni = 0; ni < 4; ni++) {
                for (int i = 0; i < 4; i++) {
                    String row = w.reg(Reg.B32);
                    String col = w.reg(Reg.B32);
                    w.op("add.s32 " + row + ", " + m0 + ", " + wm);
                    w.op("add.s32 " + row + ", " + row + ", " + g);
                    w.op("add.s32 " + row + ", " + row + ", " + (mi * 16 + (i >= 2 ? 8 : 0)));
                    w.op("add.s32 " + col + ", " + n0 + ", " + wn);
                    w.op("mad.lo.s32 " + col + ", " + t4 + ", 2, " + col);
                    w.op("add.s32 " + col + ", " + col + ", " + (ni * 8 + (i & 1)));
                    String ok = w.reg(Reg.PRED);
                    String ok2 = w.reg(Reg.PRED);
                    w.op("setp.lt.u32 " + ok + ", " + row + ", " + m);
                    w.op("setp.lt.u32 " + ok2 + ", " + col + ", " + n);
                    w.op("and.pred " + ok + ", " + ok + ", " + ok2);
                    String e = w.reg(Reg.B32);
                    w.op("mad.lo.s32 " + e + ", " + row + ", " + ldc + ", " + cb);
                    w.op("add.s32 " + e + ", " + e + ", " + col);
                    w.opIf(ok, "st.global.f32 [" + w.address(c, e, 4) + "], " + acc[mi * 4 + ni][i]);
                }
            }
        }
        return w.finish();
    }

    private static String special(PtxWriter w, String sreg) {
        String r = w.reg(Reg.B32);
        w.op("mov.u32 " + r + ", " + sreg);
        return r;
    }

    private static String batchIndex(PtxWriter w, String z, String stride) {
        String r = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + r + ", " + z + ", " + stride);
        return r;
    }

    /** Loads src[(r0 + r) * ld + c0 + c] (zero outside rows x cols), rounds to TF32, stores to shared[sr * sld + sc]. */
    private static void stage(PtxWriter w, String src, String batchBase, String ld, String r0, String r, String c0, String c,
                              String rows, String cols, String shared, String sr, String sc, int sld) {
        String gr = w.reg(Reg.B32);
        String gc = w.reg(Reg.B32);
        w.op("add.s32 " + gr + ", " + r0 + ", " + r);
        w.op("add.s32 " + gc + ", " + c0 + ", " + c);
        String ok = w.reg(Reg.PRED);
        String ok2 = w.reg(Reg.PRED);
        w.op("setp.lt.u32 " + ok + ", " + gr + ", " + rows);
        w.op("setp.lt.u32 " + ok2 + ", " + gc + ", " + cols);
        w.op("and.pred " + ok + ", " + ok + ", " + ok2);
        String e = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + e + ", " + gr + ", " + ld + ", " + batchBase);
        w.op("add.s32 " + e + ", " + e + ", " + gc);
        String v = w.reg(Reg.F32);
        w.op("mov.f32 " + v + ", 0f00000000");
        w.opIf(ok, "ld.global.nc.f32 " + v + ", [" + w.address(src, e, 4) + "]");
        String tf = w.reg(Reg.B32);
        w.op("cvt.rna.tf32.f32 " + tf + ", " + v);
        String s = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + s + ", " + sr + ", " + sld + ", " + sc);
        w.op("shl.b32 " + s + ", " + s + ", 2");
        w.op("add.s32 " + s + ", " + s + ", " + shared);
        w.op("st.shared.b32 [" + s + "], " + tf);
    }

    /** Shared address of A[wm + rowOff + g][t + colOff]. */
    private static String sharedAddr(PtxWriter w, String base, String wm, int rowOff, String g, int ld, String t, int colOff) {
        String r = w.reg(Reg.B32);
        w.op("add.s32 " + r + ", " + wm + ", " + g);
        w.op("add.s32 " + r + ", " + r + ", " + rowOff);
        w.op("mad.lo.s32 " + r + ", " + r + ", " + ld + ", " + t);
        w.op("add.s32 " + r + ", " + r + ", " + colOff);
        w.op("shl.b32 " + r + ", " + r + ", 2");
        w.op("add.s32 " + r + ", " + r + ", " + base);
        return r;
    }
}
