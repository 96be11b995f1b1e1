package dev.javelin.kernels.cuda.ptx;

import dev.javelin.kernels.cuda.ptx.ElementwiseOps.Val;
import dev.javelin.kernels.cuda.ptx.PtxWriter.Reg;
import dev.javelin.kernels.ir.AttentionKernels;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.tensor.DType;

/**
 * Fused scaled dot-product attention on the GPU ({@code Op.ATTENTION} and its backward): one thread
 * block per query row (forward, dq) or key row (dk, dv), keys or queries taken a tile of
 * {@link #BLOCK} at a time, one per thread. The forward keeps an online softmax (running max and sum,
 * the output row rescaled as the max grows), so no T×T score matrix exists; the backward recomputes
 * each weight from the forward's logsumexp, as the CPU's {@code FlashAttentionBackward} does, in two
 * kernels that need no atomics: per query row {@code dq} (and the row's {@code delta = rowsum(dO ∘ O) - g_lse}),
 * then per key row {@code dk} and {@code dv}. exp and log are the IR's decompositions
 * ({@link KernelIrPtx}), the CPU's arithmetic. Causal rows stop at their own index; a row whose every
 * score is -inf gives zeros and logsumexp -inf, and no gradient.
 *
 * <p>Every operand is a set of rows addressed as {@code ptr + (o·A + h·B + i·C)} elements, with the
 * flattened batch index {@code b = o·H + h}: a batch-major tensor, the heads-first view of a
 * time-major one, and the packed results' layouts ({@code AttentionLayout}) all fit it. Each operand's
 * parameters are {@code ptr, A, B, C} (the mask also its column stride); then {@code H, tq, tk, d, dv}
 * and {@code scale} (f32). Grid: (rows, batch).
 *
 * <pre>{@code
 * String entry = AttentionPtx.forward("attention_fwd", true, false);   // causal, no mask
 * }</pre>
 */
public final class AttentionPtx {
    /** Threads per block, and keys (or queries) per tile. */
    public static final int BLOCK = 128;
    private static final String NEG_INF = "0fFF800000";
    /** The IR's exp(x - y) and m + log(l), defined once ({@link AttentionKernels}): the CPU's tiled attention runs the same. */
    private static final KernelIR EXP_DIFF = KernelIrPtx.lower(AttentionKernels.expDiff(KernelIR.Access.STRIDED)),
            PLUS_LOG = KernelIrPtx.lower(AttentionKernels.plusLog(KernelIR.Access.STRIDED));

    private AttentionPtx() {}

    /** Rows of an operand: {@code ptr}, and the element strides A (outer batch), B (heads), C (row). */
    private record Rows(String ptr, String a, String b, String c) {
        static Rows param(PtxWriter w, String name) {
            return new Rows(w.paramPtr(name), w.paramU32(name + "_a"), w.paramU32(name + "_b"), w.paramU32(name + "_c"));
        }

        /** The address of row {@code i} of batch entry (o, h). */
        String row(PtxWriter w, String o, String h, String i) {
            String e = w.reg(Reg.B32);
            w.op("mul.lo.s32 " + e + ", " + o + ", " + a);
            w.op("mad.lo.s32 " + e + ", " + h + ", " + b + ", " + e);
            w.op("mad.lo.s32 " + e + ", " + i + ", " + c + ", " + e);
            return w.address(ptr, e, 4);
        }
    }

    /** The registers every kernel shares. */
    private static final class Common {
        Rows q, k, v, mask;
        String maskCol, heads, tq, tk, d, dv, scale, tid, row, o, h;

        void sizes(PtxWriter w) {
            heads = w.paramU32("heads");
            tq = w.paramU32("tq");
            tk = w.paramU32("tk");
            d = w.paramU32("d");
            dv = w.paramU32("dv");
            scale = w.paramValue("scale", "f32", Reg.F32);
            tid = w.reg(Reg.B32);
            row = w.reg(Reg.B32);
            String b = w.reg(Reg.B32);
            w.op("mov.u32 " + tid + ", %tid.x");
            w.op("mov.u32 " + row + ", %ctaid.x");
            w.op("mov.u32 " + b + ", %ctaid.y");
            o = w.reg(Reg.B32);
            h = w.reg(Reg.B32);
            w.op("div.u32 " + o + ", " + b + ", " + heads);
            w.op("mul.lo.s32 " + h + ", " + o + ", " + heads);
            w.op("sub.s32 " + h + ", " + b + ", " + h);
        }

        void operands(PtxWriter w, boolean masked) {
            q = Rows.param(w, "q");
            k = Rows.param(w, "k");
            v = Rows.param(w, "v");
            if (masked) {
                mask = Rows.param(w, "mask");
                maskCol = w.paramU32("mask_col");
            }
        }

        /** {@code q_i·k_j·scale + mask_ij} for in-range (i, j); rows given as addresses. */
        String score(PtxWriter w, String qRow, String kRow, String maskRow, String j) {
            String acc = dot(w, qRow, kRow, d);
            w.op("mul.rn.f32 " + acc + ", " + acc + ", " + scale);
            if (maskRow != null) {
                String e = w.reg(Reg.B32);
                w.op("mul.lo.s32 " + e + ", " + j + ", " + maskCol);
                String m = PtxTypes.load(w, DType.FLOAT32, w.address(maskRow, e, 4), true);
                w.op("add.rn.f32 " + acc + ", " + acc + ", " + m);
            }
            return acc;
        }
    }

    /** The forward: output rows and logsumexps (where {@code out} and {@code lse} say). */
    public static String forward(String name, boolean causal, boolean masked) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        Common c = new Common();
        c.operands(w, masked);
        Rows out = Rows.param(w, "out"), lse = Rows.param(w, "lse");
        c.sizes(w);
        String red = w.shared("red", BLOCK * 4), ps = w.shared("p", BLOCK * 4);
        String i = c.row;
        String qRow = c.q.row(w, c.o, c.h, i), outRow = out.row(w, c.o, c.h, i);
        String zero = w.reg(Reg.B32);
        w.op("mov.u32 " + zero + ", 0");
        String kBase = c.k.row(w, c.o, c.h, zero), vBase = c.v.row(w, c.o, c.h, zero);
        String maskRow = masked ? c.mask.row(w, c.o, c.h, i) : null;
        String end = keyEnd(w, c, causal, i);
        forColumns(w, c.tid, c.dv, col -> PtxTypes.store(w, DType.FLOAT32, w.address(outRow, col, 4), zeroF(w)));
        String m = w.reg(Reg.F32), l = w.reg(Reg.F32);
        w.op("mov.f32 " + m + ", " + NEG_INF);
        w.op("mov.f32 " + l + ", 0f00000000");
        tiles(w, end, j0 -> {
            String j = w.reg(Reg.B32), s = w.reg(Reg.F32), p = w.reg(Reg.PRED);
            w.op("add.s32 " + j + ", " + j0 + ", " + c.tid);
            w.op("mov.f32 " + s + ", " + NEG_INF);
            w.op("setp.lt.u32 " + p + ", " + j + ", " + end);
            String skip = w.newLabel("noscore");
            w.op("@!" + p + " bra " + skip);
            String kRow = w.reg(Reg.B64);
            rowOf(w, kBase, j, c.k.c(), kRow);
            w.op("mov.f32 " + s + ", " + c.score(w, qRow, kRow, maskRow, j));
            w.label(skip);
            String tileMax = blockReduce(w, red, c.tid, s, "max.f32");
            String newMax = w.reg(Reg.F32);
            w.op("max.f32 " + newMax + ", " + m + ", " + tileMax);
            String pj = expOrZero(w, s, newMax), corr = expOrZero(w, m, newMax);
            storeShared(w, ps, c.tid, pj);
            String tileSum = blockReduce(w, red, c.tid, pj, "add.rn.f32");
            w.op("fma.rn.f32 " + l + ", " + l + ", " + corr + ", " + tileSum);
            w.op("mov.f32 " + m + ", " + newMax);
            String count = tileCount(w, j0, end);
            forColumns(w, c.tid, c.dv, col -> {
                String addr = w.address(outRow, col, 4);
                String acc = PtxTypes.load(w, DType.FLOAT32, addr, false);
                w.op("mul.rn.f32 " + acc + ", " + acc + ", " + corr);
                String vCol = w.address(vBase, col, 4);
                sumOverTile(w, count, jj -> {
                    String pv = loadShared(w, ps, jj);
                    String vj = w.reg(Reg.B32);
                    w.op("add.s32 " + vj + ", " + j0 + ", " + jj);
                    String vAddr = w.reg(Reg.B64);
                    rowOf(w, vCol, vj, c.v.c(), vAddr);
                    w.op("fma.rn.f32 " + acc + ", " + pv + ", " + PtxTypes.load(w, DType.FLOAT32, vAddr, true) + ", " + acc);
                });
                PtxTypes.store(w, DType.FLOAT32, addr, acc);
            });
            w.op("bar.sync 0");
        });
        // out = acc / l (zero where every score was -inf), lse = m + log(l) (-inf there)
        String empty = w.reg(Reg.PRED);
        w.op("setp.eq.f32 " + empty + ", " + l + ", 0f00000000");
        forColumns(w, c.tid, c.dv, col -> {
            String addr = w.address(outRow, col, 4);
            String acc = PtxTypes.load(w, DType.FLOAT32, addr, false);
            w.op("div.rn.f32 " + acc + ", " + acc + ", " + l);
            w.op("selp.f32 " + acc + ", 0f00000000, " + acc + ", " + empty);
            PtxTypes.store(w, DType.FLOAT32, addr, acc);
        });
        String first = w.reg(Reg.PRED), done = w.newLabel("done");
        w.op("setp.ne.u32 " + first + ", " + c.tid + ", 0");
        w.opIf(first, "bra " + done);
        String value = KernelIrPtx.render(w, PLUS_LOG, slot -> new Val(slot == 0 ? m : l, DType.FLOAT32)).reg();
        w.op("selp.f32 " + value + ", " + NEG_INF + ", " + value + ", " + empty);
        PtxTypes.store(w, DType.FLOAT32, lse.row(w, c.o, c.h, i), value);
        w.label(done);
        return w.finish();
    }

    /**
     * The backward per query row: {@code delta = rowsum(dO ∘ O) - g_lse} (stored for the key kernel)
     * and {@code dq = scale·Σ_j p_ij (dO_i·v_j - delta)·k_j}.
     */
    public static String backwardQueries(String name, boolean causal, boolean masked) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        Common c = new Common();
        c.operands(w, masked);
        Rows out = Rows.param(w, "o"), lse = Rows.param(w, "lse"), g = Rows.param(w, "g"), gLse = Rows.param(w, "glse"), dq = Rows.param(w, "dq");
        String delta = w.paramPtr("delta");
        c.sizes(w);
        String red = w.shared("red", BLOCK * 4), ds = w.shared("ds", BLOCK * 4);
        String i = c.row;
        String qRow = c.q.row(w, c.o, c.h, i), gRow = g.row(w, c.o, c.h, i), dqRow = dq.row(w, c.o, c.h, i), oRow = out.row(w, c.o, c.h, i);
        String zero = w.reg(Reg.B32);
        w.op("mov.u32 " + zero + ", 0");
        String kBase = c.k.row(w, c.o, c.h, zero), vBase = c.v.row(w, c.o, c.h, zero);
        String maskRow = masked ? c.mask.row(w, c.o, c.h, i) : null;
        String rowLse = PtxTypes.load(w, DType.FLOAT32, lse.row(w, c.o, c.h, i), true);
        // delta: the block's sum of dO·O over the output columns, minus the logsumexp's gradient
        String part = w.reg(Reg.F32);
        w.op("mov.f32 " + part + ", 0f00000000");
        forColumns(w, c.tid, c.dv, col -> w.op("fma.rn.f32 " + part + ", " + PtxTypes.load(w, DType.FLOAT32, w.address(gRow, col, 4), true) + ", "
                + PtxTypes.load(w, DType.FLOAT32, w.address(oRow, col, 4), true) + ", " + part));
        String dlt = blockReduce(w, red, c.tid, part, "add.rn.f32");
        w.op("sub.rn.f32 " + dlt + ", " + dlt + ", " + PtxTypes.load(w, DType.FLOAT32, gLse.row(w, c.o, c.h, i), true));
        String b = w.reg(Reg.B32), first = w.reg(Reg.PRED);
        w.op("mov.u32 " + b + ", %ctaid.y");
        w.op("mad.lo.s32 " + b + ", " + b + ", " + c.tq + ", " + i);
        w.op("setp.eq.u32 " + first + ", " + c.tid + ", 0");
        w.opIf(first, "st.global.f32 [" + w.address(delta, b, 4) + "], " + dlt);
        forColumns(w, c.tid, c.d, col -> PtxTypes.store(w, DType.FLOAT32, w.address(dqRow, col, 4), zeroF(w)));
        String end = keyEnd(w, c, causal, i);
        tiles(w, end, j0 -> {
            String j = w.reg(Reg.B32), dsj = w.reg(Reg.F32), p = w.reg(Reg.PRED);
            w.op("add.s32 " + j + ", " + j0 + ", " + c.tid);
            w.op("mov.f32 " + dsj + ", 0f00000000");
            w.op("setp.lt.u32 " + p + ", " + j + ", " + end);
            String skip = w.newLabel("nods");
            w.op("@!" + p + " bra " + skip);
            String kRow = w.reg(Reg.B64), vRow = w.reg(Reg.B64);
            rowOf(w, kBase, j, c.k.c(), kRow);
            rowOf(w, vBase, j, c.v.c(), vRow);
            weightGradient(w, c, c.score(w, qRow, kRow, maskRow, j), rowLse, gRow, vRow, dlt, dsj);
            w.label(skip);
            storeShared(w, ds, c.tid, dsj);
            w.op("bar.sync 0");
            String count = tileCount(w, j0, end);
            forColumns(w, c.tid, c.d, col -> {
                String addr = w.address(dqRow, col, 4);
                String acc = PtxTypes.load(w, DType.FLOAT32, addr, false);
                String kCol = w.address(kBase, col, 4);
                sumOverTile(w, count, jj -> {
                    String kj = w.reg(Reg.B32), kAddr = w.reg(Reg.B64);
                    w.op("add.s32 " + kj + ", " + j0 + ", " + jj);
                    rowOf(w, kCol, kj, c.k.c(), kAddr);
                    w.op("fma.rn.f32 " + acc + ", " + loadShared(w, ds, jj) + ", " + PtxTypes.load(w, DType.FLOAT32, kAddr, true) + ", " + acc);
                });
                PtxTypes.store(w, DType.FLOAT32, addr, acc);
            });
            w.op("bar.sync 0");
        });
        return w.finish();
    }

    /** The backward per key row: {@code dk = scale·Σ_i ds_ij q_i} and {@code dv = Σ_i p_ij dO_i}, from the query kernel's deltas. */
    public static String backwardKeys(String name, boolean causal, boolean masked) {
        PtxWriter w = new PtxWriter(name);
        w.maxThreads(BLOCK);
        Common c = new Common();
        c.operands(w, masked);
        Rows lse = Rows.param(w, "lse"), g = Rows.param(w, "g"), dk = Rows.param(w, "dk"), dvRows = Rows.param(w, "dvalues");
        String delta = w.paramPtr("delta");
        c.sizes(w);
        String dss = w.shared("ds", BLOCK * 4), pss = w.shared("p", BLOCK * 4);
        String j = c.row;
        String zero = w.reg(Reg.B32);
        w.op("mov.u32 " + zero + ", 0");
        String kRow = c.k.row(w, c.o, c.h, j), vRow = c.v.row(w, c.o, c.h, j);
        String qBase = c.q.row(w, c.o, c.h, zero), gBase = g.row(w, c.o, c.h, zero), lseBase = lse.row(w, c.o, c.h, zero);
        String maskBase = c.mask != null ? c.mask.row(w, c.o, c.h, zero) : null;
        String dkRow = dk.row(w, c.o, c.h, j), dvRow = dvRows.row(w, c.o, c.h, j);
        String deltaBase = w.reg(Reg.B32);
        w.op("mov.u32 " + deltaBase + ", %ctaid.y");
        w.op("mul.lo.s32 " + deltaBase + ", " + deltaBase + ", " + c.tq);
        forColumns(w, c.tid, c.d, col -> PtxTypes.store(w, DType.FLOAT32, w.address(dkRow, col, 4), zeroF(w)));
        forColumns(w, c.tid, c.dv, col -> PtxTypes.store(w, DType.FLOAT32, w.address(dvRow, col, 4), zeroF(w)));
        // queries from j on see key j under the causal mask
        String start = w.reg(Reg.B32);
        w.op("mov.u32 " + start + ", " + (causal ? j : "0"));
        tilesFrom(w, start, c.tq, i0 -> {
            String i = w.reg(Reg.B32), dsi = w.reg(Reg.F32), pi = w.reg(Reg.F32), p = w.reg(Reg.PRED);
            w.op("add.s32 " + i + ", " + i0 + ", " + c.tid);
            w.op("mov.f32 " + dsi + ", 0f00000000");
            w.op("mov.f32 " + pi + ", 0f00000000");
            w.op("setp.lt.u32 " + p + ", " + i + ", " + c.tq);
            String skip = w.newLabel("nods");
            w.op("@!" + p + " bra " + skip);
            String qRow = w.reg(Reg.B64), gRow = w.reg(Reg.B64), lAddr = w.reg(Reg.B64);
            rowOf(w, qBase, i, c.q.c(), qRow);
            rowOf(w, gBase, i, g.c(), gRow);
            rowOf(w, lseBase, i, lse.c(), lAddr);
            String maskRow = null;
            if (maskBase != null) {
                maskRow = w.reg(Reg.B64);
                rowOf(w, maskBase, i, c.mask.c(), maskRow);
            }
            String di = w.reg(Reg.B32);
            w.op("add.s32 " + di + ", " + deltaBase + ", " + i);
            String dlt = PtxTypes.load(w, DType.FLOAT32, w.address(delta, di, 4), false);
            String rowLse = PtxTypes.load(w, DType.FLOAT32, lAddr, true);
            String weight = weightGradient(w, c, c.score(w, qRow, kRow, maskRow, j), rowLse, gRow, vRow, dlt, dsi);
            w.op("mov.f32 " + pi + ", " + weight);
            w.label(skip);
            storeShared(w, dss, c.tid, dsi);
            storeShared(w, pss, c.tid, pi);
            w.op("bar.sync 0");
            String end = w.reg(Reg.B32);
            w.op("mov.u32 " + end + ", " + c.tq);
            String count = tileCount(w, i0, end);
            for (boolean keys : new boolean[] {true, false}) {
                String width = keys ? c.d : c.dv, rowOut = keys ? dkRow : dvRow, base = keys ? qBase : gBase, stride = keys ? c.q.c() : g.c();
                forColumns(w, c.tid, width, col -> {
                    String addr = w.address(rowOut, col, 4);
                    String acc = PtxTypes.load(w, DType.FLOAT32, addr, false);
                    String colBase = w.address(base, col, 4);
                    sumOverTile(w, count, ii -> {
                        String qi = w.reg(Reg.B32), a = w.reg(Reg.B64);
                        w.op("add.s32 " + qi + ", " + i0 + ", " + ii);
                        rowOf(w, colBase, qi, stride, a);
                        w.op("fma.rn.f32 " + acc + ", " + loadShared(w, keys ? dss : pss, ii) + ", " + PtxTypes.load(w, DType.FLOAT32, a, true) + ", " + acc);
                    });
                    PtxTypes.store(w, DType.FLOAT32, addr, acc);
                });
            }
            w.op("bar.sync 0");
        });
        return w.finish();
    }

    /**
     * With {@code s} the score: {@code p = exp(s - lse)} (0 where either is -inf), {@code ds = p·(dO_i·v_j - delta)·scale}
     * into {@code ds}; returns p.
     */
    private static String weightGradient(PtxWriter w, Common c, String s, String rowLse, String gRow, String vRow, String delta, String ds) {
        String p = expOrZero(w, s, rowLse);
        String dp = dot(w, gRow, vRow, c.dv);
        w.op("sub.rn.f32 " + dp + ", " + dp + ", " + delta);
        w.op("mul.rn.f32 " + dp + ", " + p + ", " + dp);
        w.op("mul.rn.f32 " + ds + ", " + dp + ", " + c.scale);
        return p;
    }

    /** {@code exp(x - y)}, 0 where x or y is -inf (a masked score, an empty row). */
    private static String expOrZero(PtxWriter w, String x, String y) {
        String e = KernelIrPtx.render(w, EXP_DIFF, slot -> new Val(slot == 0 ? x : y, DType.FLOAT32)).reg();
        String r = w.reg(Reg.F32), px = w.reg(Reg.PRED), py = w.reg(Reg.PRED);
        w.op("setp.eq.f32 " + px + ", " + x + ", " + NEG_INF);
        w.op("setp.eq.f32 " + py + ", " + y + ", " + NEG_INF);
        w.op("or.pred " + px + ", " + px + ", " + py);
        w.op("selp.f32 " + r + ", 0f00000000, " + e + ", " + px);
        return r;
    }

    /** Keys a query row sees: all, or up to and including its own index. */
    private static String keyEnd(PtxWriter w, Common c, boolean causal, String i) {
        String end = w.reg(Reg.B32);
        if (causal) {
            w.op("add.s32 " + end + ", " + i + ", 1");
            w.op("min.u32 " + end + ", " + end + ", " + c.tk);
        } else {
            w.op("mov.u32 " + end + ", " + c.tk);
        }
        return end;
    }

    /** {@code Σ_c a[c]·b[c]} over {@code n} adjacent floats, in order. */
    private static String dot(PtxWriter w, String a, String b, String n) {
        String acc = w.reg(Reg.F32), col = w.reg(Reg.B32), p = w.reg(Reg.PRED);
        String loop = w.newLabel("dot"), end = w.newLabel("dotend");
        w.op("mov.f32 " + acc + ", 0f00000000");
        w.op("mov.u32 " + col + ", 0");
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + col + ", " + n);
        w.opIf(p, "bra " + end);
        w.op("fma.rn.f32 " + acc + ", " + PtxTypes.load(w, DType.FLOAT32, w.address(a, col, 4), true) + ", "
                + PtxTypes.load(w, DType.FLOAT32, w.address(b, col, 4), true) + ", " + acc);
        w.op("add.s32 " + col + ", " + col + ", 1");
        w.op("bra " + loop);
        w.label(end);
        return acc;
    }

    /** {@code into = base + index·stride} elements (64-bit address). */
    private static void rowOf(PtxWriter w, String base, String index, String stride, String into) {
        String e = w.reg(Reg.B32);
        w.op("mul.lo.s32 " + e + ", " + index + ", " + stride);
        w.op("mul.wide.s32 " + into + ", " + e + ", 4");
        w.op("add.s64 " + into + ", " + base + ", " + into);
    }

    /** Runs {@code body} for each tile start {@code j0 = 0, BLOCK, ...} below {@code end}; every thread takes every tile. */
    private static void tiles(PtxWriter w, String end, java.util.function.Consumer<String> body) {
        String start = w.reg(Reg.B32);
        w.op("mov.u32 " + start + ", 0");
        tilesFrom(w, start, end, body);
    }

    private static void tilesFrom(PtxWriter w, String start, String end, java.util.function.Consumer<String> body) {
        String j0 = w.reg(Reg.B32), p = w.reg(Reg.PRED);
        String loop = w.newLabel("tile"), done = w.newLabel("tiles");
        w.op("mov.u32 " + j0 + ", " + start);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + j0 + ", " + end);
        w.opIf(p, "bra.uni " + done);
        body.accept(j0);
        w.op("add.s32 " + j0 + ", " + j0 + ", " + BLOCK);
        w.op("bra.uni " + loop);
        w.label(done);
    }

    /** {@code min(BLOCK, end - j0)}: the tile's valid entries. */
    private static String tileCount(PtxWriter w, String j0, String end) {
        String n = w.reg(Reg.B32);
        w.op("sub.s32 " + n + ", " + end + ", " + j0);
        w.op("min.u32 " + n + ", " + n + ", " + BLOCK);
        return n;
    }

    /** {@code body(col)} for the columns {@code tid, tid + BLOCK, ...} below {@code n}. */
    private static void forColumns(PtxWriter w, String tid, String n, java.util.function.Consumer<String> body) {
        String col = w.reg(Reg.B32), p = w.reg(Reg.PRED);
        String loop = w.newLabel("col"), done = w.newLabel("cols");
        w.op("mov.u32 " + col + ", " + tid);
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + col + ", " + n);
        w.opIf(p, "bra " + done);
        body.accept(col);
        w.op("add.s32 " + col + ", " + col + ", " + BLOCK);
        w.op("bra " + loop);
        w.label(done);
    }

    /** {@code body(jj)} for jj in 0..count-1, in order. */
    private static void sumOverTile(PtxWriter w, String count, java.util.function.Consumer<String> body) {
        String jj = w.reg(Reg.B32), p = w.reg(Reg.PRED);
        String loop = w.newLabel("tj"), done = w.newLabel("tjs");
        w.op("mov.u32 " + jj + ", 0");
        w.label(loop);
        w.op("setp.ge.u32 " + p + ", " + jj + ", " + count);
        w.opIf(p, "bra " + done);
        body.accept(jj);
        w.op("add.s32 " + jj + ", " + jj + ", 1");
        w.op("bra " + loop);
        w.label(done);
    }

    /**
     * The block's {@code op} ({@code max.f32}, {@code add.rn.f32}) over every thread's {@code value}: a
     * shared-memory tree in a fixed order, the result in every thread.
     */
    private static String blockReduce(PtxWriter w, String red, String tid, String value, String op) {
        storeShared(w, red, tid, value);
        w.op("bar.sync 0");
        for (int s = BLOCK / 2; s > 0; s /= 2) {
            String p = w.reg(Reg.PRED), skip = w.newLabel("red");
            w.op("setp.ge.u32 " + p + ", " + tid + ", " + s);
            w.opIf(p, "bra " + skip);
            String other = w.reg(Reg.B32);
            w.op("add.s32 " + other + ", " + tid + ", " + s);
            String a = loadShared(w, red, tid), b = loadShared(w, red, other);
            w.op(op + " " + a + ", " + a + ", " + b);
            storeShared(w, red, tid, a);
            w.label(skip);
            w.op("bar.sync 0");
        }
        String zero = w.reg(Reg.B32);
        w.op("mov.u32 " + zero + ", 0");
        String r = loadShared(w, red, zero);
        w.op("bar.sync 0"); // the array is free again for the next reduction
        return r;
    }

    private static String zeroF(PtxWriter w) {
        return w.f32(0f);
    }

    private static void storeShared(PtxWriter w, String array, String index, String value) {
        w.op("st.shared.f32 [" + sharedAddress(w, array, index) + "], " + value);
    }

    private static String loadShared(PtxWriter w, String array, String index) {
        String r = w.reg(Reg.F32);
        w.op("ld.shared.f32 " + r + ", [" + sharedAddress(w, array, index) + "]");
        return r;
    }

    private static String sharedAddress(PtxWriter w, String array, String index) {
        String a = w.reg(Reg.B32);
        w.op("mov.u32 " + a + ", " + array);
        w.op("mad.lo.s32 " + a + ", " + index + ", 4, " + a);
        return a;
    }
}
