package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.tensor.DType;
import java.util.List;

/**
 * Tiled SGEMM {@code C[z] = A[z] @ B[z]} for row-major A [M,K] and B [K,N] with leading dimensions
 * and batch strides as parameters. A block of 256 threads computes a BM x BN tile of C: each k-step
 * stages a BM x BK slice of A (transposed) and a BK x BN slice of B in shared memory, and each thread
 * accumulates a TM x TN register block, reading its A and B fragments as {@code ld.shared.v4}. The
 * next tile's global loads are issued before the current one is consumed (register prefetch) and
 * land in the other of two shared stages, so one barrier per k-step suffices (double buffering). A
 * thread's rows and columns come in groups of four spaced half a tile apart, so a warp's fragment
 * reads and C stores are contiguous 16-byte runs.
 *
 * <p>The vectorized variant loads A and B with {@code ld.global.nc.v4.f32} and stores C with
 * {@code st.global.v4.f32}; the host picks it only when K, N, the leading dimensions, batch strides
 * and base addresses are multiples of four elements (16 bytes), and otherwise the scalar variant,
 * which checks every element's bounds. Grid: (ceil(N/BN), ceil(M/BM), batch).
 *
 * <p>Parameters: {@code A, B, C, M, N, K, lda, ldb, ldc, strideA, strideB, strideC}.
 *
 * <pre>{@code
 * String entry = SgemmPtx.kernel(SgemmPtx.LARGE, true);   // 128x128x8, v4 loads
 * }</pre>
 */
public final class SgemmPtx {
    /** A tile configuration: BM x BN per block, BK deep, TM x TN per thread (256 threads, one v4 load of A and B each). */
    public record Tile(int bm, int bn, int bk, int tm, int tn) {
        public Tile {
            if ((bm / tm) * (bn / tn) != THREADS || bm * bk != 4 * THREADS || bk * bn != 4 * THREADS || tm % 4 != 0 || tn % 4 != 0) {
                throw new IllegalArgumentException("SgemmPtx: tile " + bm + "x" + bn + "x" + bk + " / " + tm + "x" + tn
                        + " does not map onto " + THREADS + " threads with one v4 load each");
            }
        }

        String tag() {
            return bm + "x" + bn + "x" + bk;
        }
    }

    public static final int THREADS = 256;
    /** For large matrices: 128x128 tiles, 8x8 per thread. */
    public static final Tile LARGE = new Tile(128, 128, 8, 8, 8);
    /** For small ones, where 128-wide tiles would leave most of the GPU idle. */
    public static final Tile SMALL = new Tile(64, 64, 16, 4, 4);

    private SgemmPtx() {}

    public static String name(Tile t, boolean vec) {
        return "gemm_f32_" + t.tag() + (vec ? "_v4" : "_s");
    }

    /** The name of the variant that applies {@code epilogue} as it stores (null: none). */
    public static String name(Tile t, boolean vec, EpiloguePtx.Shape epilogue) {
        return name(t, vec) + (epilogue == null ? "" : "_" + epilogue.tag());
    }

    public static String kernel(Tile t, boolean vec) {
        return kernel(t, vec, null);
    }

    /**
     * The kernel with {@code epilogue} applied to each element of C as it is stored (see
     * {@link EpiloguePtx}; its parameters follow the GEMM's). C is stored too only where
     * {@code epilogue.storesProduct()}; otherwise the C parameters are not read.
     */
    public static String kernel(Tile t, boolean vec, EpiloguePtx.Shape epilogue) {
        PtxWriter w = new PtxWriter(name(t, vec, epilogue));
        w.maxThreads(THREADS);
        int gm = t.tm() / 4;
        int gn = t.tn() / 4;
        int aBuf = t.bk() * t.bm() * 4; // bytes of one A stage; two stages alternate (double buffering)
        int bBuf = t.bk() * t.bn() * 4;
        String asName = w.shared("As", 2 * aBuf);
        String bsName = w.shared("Bs", 2 * bBuf);
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
        EpiloguePtx epi = epilogue == null ? null : new EpiloguePtx(w, epilogue);

        String as = w.reg(Reg.B32);
        String bs = w.reg(Reg.B32);
        w.op("mov.u32 " + as + ", " + asName);
        w.op("mov.u32 " + bs + ", " + bsName);
        String tid = w.reg(Reg.B32);
        String bx = w.reg(Reg.B32);
        String by = w.reg(Reg.B32);
        String bz = w.reg(Reg.B32);
        w.op("mov.u32 " + tid + ", %tid.x");
        w.op("mov.u32 " + bx + ", %ctaid.x");
        w.op("mov.u32 " + by + ", %ctaid.y");
        w.op("mov.u32 " + bz + ", %ctaid.z");
        String m0 = w.reg(Reg.B32);
        String n0 = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + m0 + ", " + by + ", " + t.bm());
        w.op("mul.lo.s32 " + n0 + ", " + bx + ", " + t.bn());
        // batch offsets
        a = offsetPtr(w, a, bz, sa);
        b = offsetPtr(w, b, bz, sb);
        c = offsetPtr(w, c, bz, sc);
        // this thread's slice of the A tile: row aRow, columns aCol..aCol+3
        int aPerRow = t.bk() / 4;
        String aRow = w.reg(Reg.B32);
        String aCol = w.reg(Reg.B32);
        w.op("div.u32 " + aRow + ", " + tid + ", " + aPerRow);
        w.op("rem.u32 " + aCol + ", " + tid + ", " + aPerRow);
        w.op("shl.b32 " + aCol + ", " + aCol + ", 2");
        int bPerRow = t.bn() / 4;
        String bRow = w.reg(Reg.B32);
        String bCol = w.reg(Reg.B32);
        w.op("div.u32 " + bRow + ", " + tid + ", " + bPerRow);
        w.op("rem.u32 " + bCol + ", " + tid + ", " + bPerRow);
        w.op("shl.b32 " + bCol + ", " + bCol + ", 2");
        // global pointers to this thread's first A and B elements
        String gRowA = w.reg(Reg.B32);
        w.op("add.s32 " + gRowA + ", " + m0 + ", " + aRow);
        String aPtr = rowPtr(w, a, gRowA, lda, aCol);
        String gColB = w.reg(Reg.B32);
        w.op("add.s32 " + gColB + ", " + n0 + ", " + bCol);
        String bPtr = rowPtr(w, b, bRow, ldb, gColB);
        String aRowOk = w.reg(Reg.PRED);
        w.op("setp.lt.u32 " + aRowOk + ", " + gRowA + ", " + m);
        String[] bColOk = new String[4];
        for (int j = 0; j < 4; j++) {
            bColOk[j] = w.reg(Reg.PRED);
            String cj = w.reg(Reg.B32);
            w.op("add.s32 " + cj + ", " + gColB + ", " + j);
            w.op("setp.lt.u32 " + bColOk[j] + ", " + cj + ", " + n);
        }
        String bStep = w.reg(Reg.B64);
        w.op("mul.wide.u32 " + bStep + ", " + ldb + ", " + (t.bk() * 4));
        // shared addresses
        String aStore = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + aStore + ", " + aCol + ", " + t.bm() + ", " + aRow);
        w.op("shl.b32 " + aStore + ", " + aStore + ", 2");
        w.op("add.s32 " + aStore + ", " + aStore + ", " + as);
        String bStore = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + bStore + ", " + bRow + ", " + t.bn() + ", " + bCol);
        w.op("shl.b32 " + bStore + ", " + bStore + ", 2");
        w.op("add.s32 " + bStore + ", " + bStore + ", " + bs);
        int tpr = t.bn() / t.tn(); // threads per row of the thread grid
        String tx = w.reg(Reg.B32);
        String ty = w.reg(Reg.B32);
        w.op("rem.u32 " + tx + ", " + tid + ", " + tpr);
        w.op("div.u32 " + ty + ", " + tid + ", " + tpr);
        String aRead = w.reg(Reg.B32);
        String bRead = w.reg(Reg.B32);
        w.op("shl.b32 " + aRead + ", " + ty + ", 4");
        w.op("add.s32 " + aRead + ", " + aRead + ", " + as);
        w.op("shl.b32 " + bRead + ", " + tx + ", 4");
        w.op("add.s32 " + bRead + ", " + bRead + ", " + bs);

        String[][] acc = new String[t.tm()][t.tn()];
        for (int i = 0; i < t.tm(); i++) {
            for (int j = 0; j < t.tn(); j++) {
                acc[i][j] = w.reg(Reg.F32);
                w.op("mov.f32 " + acc[i][j] + ", 0f00000000");
            }
        }
        String[] pa = new String[4];
        String[] pb = new String[4];
        for (int j = 0; j < 4; j++) {
            pa[j] = w.reg(Reg.F32);
            pb[j] = w.reg(Reg.F32);
        }
        String k0 = w.reg(Reg.B32);
        w.op("mov.u32 " + k0 + ", 0");
        String done = w.newLabel("store");
        String pk = w.reg(Reg.PRED);
        w.op("setp.eq.u32 " + pk + ", " + k + ", 0");
        w.opIf(pk, "bra.uni " + done);
        loadTiles(w, vec, pa, pb, aPtr, bPtr, aRowOk, bColOk, aCol, bRow, k0, k);

        storeStage(w, t, pa, pb, aStore, bStore, null);
        w.op("bar.sync 0");
        String off = w.reg(Reg.B32); // the stage (0 or 1) this iteration reads
        w.op("mov.u32 " + off + ", 0");
        String more = w.reg(Reg.PRED);
        String loop = w.newLabel("kloop");
        w.label(loop);
        w.op("add.s32 " + k0 + ", " + k0 + ", " + t.bk());
        w.op("add.s64 " + aPtr + ", " + aPtr + ", " + (t.bk() * 4));
        w.op("add.s64 " + bPtr + ", " + bPtr + ", " + bStep);
        w.op("setp.lt.u32 " + more + ", " + k0 + ", " + k);
        String skip = w.newLabel("noprefetch");
        w.opIf("!" + more, "bra.uni " + skip);
        loadTiles(w, vec, pa, pb, aPtr, bPtr, aRowOk, bColOk, aCol, bRow, k0, k); // in flight while we compute
        w.label(skip);
        // read this stage (aRead/bRead + off), write the next one (aStore/bStore + the other half)
        String aCur = w.reg(Reg.B32);
        String bCur = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + aCur + ", " + off + ", " + aBuf + ", " + aRead);
        w.op("mad.lo.s32 " + bCur + ", " + off + ", " + bBuf + ", " + bRead);
        String[] fa = new String[t.tm()];
        String[] fb = new String[t.tn()];
        for (int i = 0; i < t.tm(); i++) fa[i] = w.reg(Reg.F32);
        for (int j = 0; j < t.tn(); j++) fb[j] = w.reg(Reg.F32);
        for (int kk = 0; kk < t.bk(); kk++) {
            for (int g = 0; g < gm; g++) {
                int o = (kk * t.bm() + g * (t.bm() / gm)) * 4;
                w.op("ld.shared.v4.f32 {" + fa[4 * g] + ", " + fa[4 * g + 1] + ", " + fa[4 * g + 2] + ", " + fa[4 * g + 3] + "}, [" + aCur + "+" + o + "]");
            }
            for (int g = 0; g < gn; g++) {
                int o = (kk * t.bn() + g * (t.bn() / gn)) * 4;
                w.op("ld.shared.v4.f32 {" + fb[4 * g] + ", " + fb[4 * g + 1] + ", " + fb[4 * g + 2] + ", " + fb[4 * g + 3] + "}, [" + bCur + "+" + o + "]");
            }
            for (int i = 0; i < t.tm(); i++) {
                for (int j = 0; j < t.tn(); j++) {
                    w.op("fma.rn.f32 " + acc[i][j] + ", " + fa[i] + ", " + fb[j] + ", " + acc[i][j]);
                }
            }
        }
        // the other stage was last read before the previous barrier, so it is free to fill now
        String next = w.reg(Reg.B32);
        w.op("xor.b32 " + next + ", " + off + ", 1");
        String aNext = w.reg(Reg.B32);
        String bNext = w.reg(Reg.B32);
        w.op("mad.lo.s32 " + aNext + ", " + next + ", " + aBuf + ", " + aStore);
        w.op("mad.lo.s32 " + bNext + ", " + next + ", " + bBuf + ", " + bStore);
        storeStage(w, t, pa, pb, aNext, bNext, more);
        w.op("bar.sync 0");
        w.op("mov.u32 " + off + ", " + next);
        w.opIf(more, "bra.uni " + loop);

        w.label(done);
        storeC(w, t, vec, acc, c, m, n, ldc, m0, n0, tx, ty, epi);
        return w.finish();
    }

    /**
     * The epilogue of four consecutive elements of a row (columns {@code col..col+3}, values
     * {@code v}, each stored where {@code oks[j]}): one v4 store of U when {@code vec} and U is
     * float32 (the host picks vec only when U's rows are 16-byte aligned), else four scalar ones.
     */
    private static void storeEpilogue(PtxWriter w, EpiloguePtx epi, String[] v, String row, String col, List<String> rowOffsets,
                                      String[] oks, boolean vec) {
        String[] u = new String[4];
        for (int j = 0; j < 4; j++) {
            String cj = col;
            if (j > 0) {
                cj = w.reg(Reg.B32);
                w.op("add.s32 " + cj + ", " + col + ", " + j);
            }
            u[j] = epi.apply(v[j], rowOffsets, cj, oks[j]).reg();
        }
        String addr = epi.outAddress(row, col);
        DType t = epi.outDtype();
        if (vec && t == DType.FLOAT32) {
            w.opIf(oks[0], "st.global.v4.f32 [" + addr + "], {" + u[0] + ", " + u[1] + ", " + u[2] + ", " + u[3] + "}");
            return;
        }
        for (int j = 0; j < 4; j++) w.opIf(oks[j], "st.global." + PtxTypes.mem(t) + " [" + addr + "+" + (PtxTypes.bytes(t) * j) + "], " + u[j]);
    }

    /** Stores the prefetched A (transposed, four scalars) and B (one v4) elements into a shared stage. */
    private static void storeStage(PtxWriter w, Tile t, String[] pa, String[] pb, String aStore, String bStore, String pred) {
        String at = pred == null ? "" : "@" + pred + " ";
        for (int j = 0; j < 4; j++) w.op(at + "st.shared.f32 [" + aStore + "+" + (j * t.bm() * 4) + "], " + pa[j]);
        w.op(at + "st.shared.v4.f32 [" + bStore + "], {" + pb[0] + ", " + pb[1] + ", " + pb[2] + ", " + pb[3] + "}");
    }

    private static String offsetPtr(PtxWriter w, String base, String z, String stride) {
        String off = w.reg(Reg.B64);
        String idx = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + idx + ", " + z + ", " + stride);
        w.op("mul.wide.u32 " + off + ", " + idx + ", 4");
        String r = w.reg(Reg.B64);
        w.op("add.s64 " + r + ", " + base + ", " + off);
        return r;
    }

    /** base + (row * ld + col) * 4, in 64-bit arithmetic. */
    private static String rowPtr(PtxWriter w, String base, String row, String ld, String col) {
        String r = w.reg(Reg.B64);
        String c64 = w.reg(Reg.B64);
        w.op("mul.wide.u32 " + r + ", " + row + ", " + ld);
        w.op("cvt.u64.u32 " + c64 + ", " + col);
        w.op("add.s64 " + r + ", " + r + ", " + c64);
        w.op("shl.b64 " + r + ", " + r + ", 2");
        w.op("add.s64 " + r + ", " + r + ", " + base);
        return r;
    }

    /** Loads this thread's four A and four B elements of the tile at k0 into registers (zeros out of bounds). */
    private static void loadTiles(PtxWriter w, boolean vec, String[] pa, String[] pb, String aPtr, String bPtr,
                                  String aRowOk, String[] bColOk, String aCol, String bRow, String k0, String k) {
        for (int j = 0; j < 4; j++) {
            w.op("mov.f32 " + pa[j] + ", 0f00000000");
            w.op("mov.f32 " + pb[j] + ", 0f00000000");
        }
        String ka = w.reg(Reg.B32);
        w.op("add.s32 " + ka + ", " + k0 + ", " + aCol);
        String kb = w.reg(Reg.B32);
        w.op("add.s32 " + kb + ", " + k0 + ", " + bRow);
        String bRowOk = w.reg(Reg.PRED);
        w.op("setp.lt.u32 " + bRowOk + ", " + kb + ", " + k);
        if (vec) {
            String pA = w.reg(Reg.PRED);
            w.op("setp.lt.u32 " + pA + ", " + ka + ", " + k);
            w.op("and.pred " + pA + ", " + pA + ", " + aRowOk);
            w.opIf(pA, "ld.global.nc.v4.f32 {" + pa[0] + ", " + pa[1] + ", " + pa[2] + ", " + pa[3] + "}, [" + aPtr + "]");
            String pB = w.reg(Reg.PRED);
            w.op("and.pred " + pB + ", " + bRowOk + ", " + bColOk[0]);
            w.opIf(pB, "ld.global.nc.v4.f32 {" + pb[0] + ", " + pb[1] + ", " + pb[2] + ", " + pb[3] + "}, [" + bPtr + "]");
            return;
        }
        for (int j = 0; j < 4; j++) {
            String pA = w.reg(Reg.PRED);
            String kj = w.reg(Reg.B32);
            w.op("add.s32 " + kj + ", " + ka + ", " + j);
            w.op("setp.lt.u32 " + pA + ", " + kj + ", " + k);
            w.op("and.pred " + pA + ", " + pA + ", " + aRowOk);
            w.opIf(pA, "ld.global.nc.f32 " + pa[j] + ", [" + aPtr + "+" + (4 * j) + "]");
            String pB = w.reg(Reg.PRED);
            w.op("and.pred " + pB + ", " + bRowOk + ", " + bColOk[j]);
            w.opIf(pB, "ld.global.nc.f32 " + pb[j] + ", [" + bPtr + "+" + (4 * j) + "]");
        }
    }

    private static void storeC(PtxWriter w, Tile t, boolean vec, String[][] acc, String c, String m, String n, String ldc,
                               String m0, String n0, String tx, String ty, EpiloguePtx epi) {
        int gm = t.tm() / 4;
        int gn = t.tn() / 4;
        boolean storesC = epi == null || epi.storesProduct();
        for (int g = 0; g < gm; g++) {
            for (int i = 0; i < 4; i++) {
                String row = w.reg(Reg.B32);
                w.op("mad.lo.s32 " + row + ", " + ty + ", 4, " + m0);
                w.op("add.s32 " + row + ", " + row + ", " + (g * (t.bm() / gm) + i));
                String rowOk = w.reg(Reg.PRED);
                w.op("setp.lt.u32 " + rowOk + ", " + row + ", " + m);
                List<String> rowOffsets = epi == null ? null : epi.rowOffsets(row);
                for (int h = 0; h < gn; h++) {
                    String col = w.reg(Reg.B32);
                    w.op("mad.lo.s32 " + col + ", " + tx + ", 4, " + n0);
                    w.op("add.s32 " + col + ", " + col + ", " + (h * (t.bn() / gn)));
                    String ptr = storesC ? rowPtr(w, c, row, ldc, col) : null;
                    String[] v = new String[4];
                    for (int j = 0; j < 4; j++) v[j] = acc[4 * g + i][4 * h + j];
                    if (vec) {
                        String ok = w.reg(Reg.PRED);
                        w.op("setp.lt.u32 " + ok + ", " + col + ", " + n);
                        w.op("and.pred " + ok + ", " + ok + ", " + rowOk);
                        if (storesC) w.opIf(ok, "st.global.v4.f32 [" + ptr + "], {" + v[0] + ", " + v[1] + ", " + v[2] + ", " + v[3] + "}");
                        if (epi != null) storeEpilogue(w, epi, v, row, col, rowOffsets, new String[] {ok, ok, ok, ok}, true);
                    } else {
                        String[] oks = new String[4];
                        for (int j = 0; j < 4; j++) {
                            String ok = w.reg(Reg.PRED);
                            String cj = w.reg(Reg.B32);
                            w.op("add.s32 " + cj + ", " + col + ", " + j);
                            w.op("setp.lt.u32 " + ok + ", " + cj + ", " + n);
                            w.op("and.pred " + ok + ", " + ok + ", " + rowOk);
                            if (storesC) w.opIf(ok, "st.global.f32 [" + ptr + "+" + (4 * j) + "], " + v[j]);
                            oks[j] = ok;
                        }
                        if (epi != null) storeEpilogue(w, epi, v, row, col, rowOffsets, oks, false);
                    }
                }
            }
        }
    }
}
