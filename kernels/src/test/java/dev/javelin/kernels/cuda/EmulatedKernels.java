package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.List;

/** The contracts of the non-elementwise kernels, carried out on {@link EmulatedRunner}'s memory. */
final class EmulatedKernels {
    private EmulatedKernels() {}

    private static int i(List<Object> a, int k) {
        return (int) a.get(k);
    }

    private static long p(List<Object> a, int k) {
        return (long) a.get(k);
    }

    /** Element offset of linear index {@code idx} over dims (dims[0] unused) with strides. */
    private static long decode(long idx, int[] dims, int[] strides) {
        long e = 0;
        long rest = idx;
        for (int d = dims.length - 1; d >= 0; d--) {
            long c = d == 0 ? rest : rest % dims[d];
            rest = d == 0 ? 0 : rest / dims[d];
            e += c * strides[d];
        }
        return e;
    }

    /** r_<op>_<tag>_k<K>_r<R>_(blk|thr): out, in, off, nOut, R, chunk, kd1.., ks0.., rd1.., rs0.. */
    static void reduce(EmulatedRunner m, String name, Launch l) {
        List<Object> a = l.args();
        String[] parts = name.split("_");
        boolean block = name.endsWith("_blk");
        int redRank = Integer.parseInt(parts[parts.length - 2].substring(1));
        int keptRank = Integer.parseInt(parts[parts.length - 3].substring(1));
        DType t = EmulatedRunner.TAGS.get(parts[parts.length - 4]);
        Op op = Op.valueOf(String.join("_", java.util.Arrays.copyOfRange(parts, 1, parts.length - 4)).toUpperCase(java.util.Locale.ROOT));
        int nOut = i(a, 3);
        int total = i(a, 4);
        int chunk = i(a, 5);
        int k = 6;
        int[] kd = new int[keptRank];
        int[] ks = new int[keptRank];
        int[] rd = new int[redRank];
        int[] rs = new int[redRank];
        for (int d = 1; d < keptRank; d++) kd[d] = i(a, k++);
        for (int d = 0; d < keptRank; d++) ks[d] = i(a, k++);
        for (int d = 1; d < redRank; d++) rd[d] = i(a, k++);
        for (int d = 0; d < redRank; d++) rs[d] = i(a, k++);
        int chunks = block ? l.gridY() : 1;
        boolean arg = op == Op.ARGMAX || op == Op.ARGMIN;
        DType ot = arg ? DType.INT64 : t;
        for (int o = 0; o < nOut; o++) {
            long base = i(a, 2) + decode(o, kd, ks);
            for (int y = 0; y < chunks; y++) {
                int start = block ? y * chunk : 0;
                int stop = block ? Math.min(total, start + chunk) : total;
                double acc = op == Op.REDUCE_SUM ? 0 : op == Op.REDUCE_MAX || op == Op.ARGMAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                long lacc = 0;
                int best = -1;
                for (int r = start; r < stop; r++) {
                    long addr = p(a, 1) + (base + decode(r, rd, rs)) * t.byteSize();
                    double v = m.get(t, addr);
                    switch (op) {
                        case REDUCE_SUM -> {
                            if (t.isInteger()) lacc += m.getLong(t, addr);
                            else acc += v;
                        }
                        case REDUCE_MAX -> acc = Math.max(acc, v);
                        case REDUCE_MIN -> acc = Math.min(acc, v);
                        default -> {
                            boolean better = best < 0 || (op == Op.ARGMAX ? v > acc : v < acc) || (Double.isNaN(v) && !Double.isNaN(acc));
                            if (better) {
                                acc = v;
                                best = r;
                            }
                        }
                    }
                }
                long dst = p(a, 0) + (long) (o * chunks + y) * ot.byteSize();
                if (arg) m.putLong(DType.INT64, dst, best);
                else if (op == Op.REDUCE_SUM && t.isInteger()) m.putLong(t, dst, lacc);
                else m.put(t, dst, acc);
            }
        }
    }

    /** gemm_*: A, B, C, M, N, K, lda, ldb, ldc, sA, sB, sC; batch = grid z. */
    static void gemm(EmulatedRunner m, DType t, Launch l) {
        List<Object> a = l.args();
        int mm = i(a, 3), n = i(a, 4), k = i(a, 5), lda = i(a, 6), ldb = i(a, 7), ldc = i(a, 8);
        int es = t.byteSize();
        for (int z = 0; z < l.gridZ(); z++) {
            for (int r = 0; r < mm; r++) {
                for (int c = 0; c < n; c++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += m.get(t, p(a, 0) + ((long) z * i(a, 9) + (long) r * lda + q) * es)
                                * m.get(t, p(a, 1) + ((long) z * i(a, 10) + (long) q * ldb + c) * es);
                    }
                    m.put(t, p(a, 2) + ((long) z * i(a, 11) + (long) r * ldc + c) * es, s);
                }
            }
        }
    }

    /** im2col: dst, total, rows, cols, x, xoff, xs0..3, H, W, Cg, KW, OH, OW, sh, sw, dh, dw, pt, pl, rowStride, colStride. */
    static void im2col(EmulatedRunner m, List<Object> a) {
        int total = i(a, 1), rows = i(a, 2), cols = i(a, 3);
        int h = i(a, 10), w = i(a, 11), cg = i(a, 12), kw = i(a, 13), oh = i(a, 14), ow = i(a, 15);
        int sh = i(a, 16), sw = i(a, 17), dh = i(a, 18), dw = i(a, 19), pt = i(a, 20), pl = i(a, 21), rsd = i(a, 22), csd = i(a, 23);
        for (int e = 0; e < total; e++) {
            int col = e % cols, rest = e / cols, row = rest % rows, g = rest / rows;
            int ci = col % cg, khkw = col / cg, kwi = khkw % kw, khi = khkw / kw;
            int owi = row % ow, nohi = row / ow, ohi = nohi % oh, ni = nohi / oh;
            int hi = ohi * sh + khi * dh - pt, wi = owi * sw + kwi * dw - pl;
            double v = 0;
            if (hi >= 0 && hi < h && wi >= 0 && wi < w) {
                long off = i(a, 5) + (long) ni * i(a, 6) + (long) hi * i(a, 7) + (long) wi * i(a, 8) + (long) (g * cg + ci) * i(a, 9);
                v = m.get(DType.FLOAT32, p(a, 4) + off * 4);
            }
            m.put(DType.FLOAT32, p(a, 0) + ((long) g * rows * cols + (long) row * rsd + (long) col * csd) * 4, v);
        }
    }

    /** fold: out, total, H, W, Ctot, Cg, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, src, soff, sg, s0..s5. */
    static void fold(EmulatedRunner m, DType t, List<Object> a) {
        int total = i(a, 1), h = i(a, 2), w = i(a, 3), ctot = i(a, 4), cg = i(a, 5), kh = i(a, 6), kw = i(a, 7), oh = i(a, 8), ow = i(a, 9);
        int sh = i(a, 10), sw = i(a, 11), dh = i(a, 12), dw = i(a, 13), pt = i(a, 14), pl = i(a, 15);
        for (int e = 0; e < total; e++) {
            int ch = e % ctot, rest = e / ctot, wi = rest % w, nh = rest / w, hi = nh % h, ni = nh / h;
            int g = ch / cg, c = ch % cg;
            double s = 0;
            for (int i = 0; i < kh; i++) {
                int hp = hi + pt - i * dh;
                if (hp < 0 || hp % sh != 0 || hp / sh >= oh) continue;
                for (int j = 0; j < kw; j++) {
                    int wp = wi + pl - j * dw;
                    if (wp < 0 || wp % sw != 0 || wp / sw >= ow) continue;
                    long off = i(a, 17) + (long) g * i(a, 18) + (long) ni * i(a, 19) + (long) (hp / sh) * i(a, 20) + (long) (wp / sw) * i(a, 21)
                            + (long) i * i(a, 22) + (long) j * i(a, 23) + (long) c * i(a, 24);
                    s += m.get(t, p(a, 16) + off * t.byteSize());
                }
            }
            m.put(t, p(a, 0) + (long) e * t.byteSize(), s);
        }
    }

    /** pad_<tag>_r<R>: out, n, dim1.., low0.., step0.., indim0.., in, ioff, is0.., value. */
    static void pad(EmulatedRunner m, String name, List<Object> a) {
        int rank = Integer.parseInt(name.substring(name.lastIndexOf("_r") + 2));
        DType t = EmulatedRunner.TAGS.get(name.split("_")[1]);
        int n = i(a, 1);
        int k = 2;
        int[] dims = new int[rank];
        for (int d = 1; d < rank; d++) dims[d] = i(a, k++);
        int[] low = new int[rank], step = new int[rank], in = new int[rank], is = new int[rank];
        for (int d = 0; d < rank; d++) low[d] = i(a, k++);
        for (int d = 0; d < rank; d++) step[d] = i(a, k++);
        for (int d = 0; d < rank; d++) in[d] = i(a, k++);
        long src = p(a, k++);
        int ioff = i(a, k++);
        for (int d = 0; d < rank; d++) is[d] = i(a, k++);
        Object value = a.get(k);
        for (int e = 0; e < n; e++) {
            long off = ioff;
            boolean inside = true;
            int rest = e;
            for (int d = rank - 1; d >= 0; d--) {
                int c = d == 0 ? rest : rest % dims[d];
                rest = d == 0 ? 0 : rest / dims[d];
                int j = c - low[d];
                if (j < 0 || j % step[d] != 0 || j / step[d] >= in[d]) inside = false;
                else off += (long) (j / step[d]) * is[d];
            }
            long dst = p(a, 0) + (long) e * t.byteSize();
            if (inside && t.isInteger()) m.putLong(t, dst, m.getLong(t, src + off * t.byteSize()));
            else if (inside) m.put(t, dst, m.get(t, src + off * t.byteSize()));
            else m.put(t, dst, ((Number) value).doubleValue());
        }
    }

    /** gather_<x>_<idx>_r<R> and scatter_add_<x>_<idx>_r<R> (see IndexPtx for the parameters). */
    static void index(EmulatedRunner m, String name, List<Object> a) {
        boolean gather = name.startsWith("gather_");
        String[] parts = name.split("_");
        int rank = Integer.parseInt(parts[parts.length - 1].substring(1));
        DType xt = EmulatedRunner.TAGS.get(parts[parts.length - 3]);
        DType it = EmulatedRunner.TAGS.get(parts[parts.length - 2]);
        int n = i(a, 1);
        int k = 2;
        int[] dims = new int[rank];
        for (int d = 1; d < rank; d++) dims[d] = i(a, k++);
        long first = p(a, k++);
        int firstOff = i(a, k++);
        int[] fs = new int[rank];
        for (int d = 0; d < rank; d++) fs[d] = i(a, k++);
        long idx = p(a, k++);
        int idxOff = i(a, k++);
        int[] is = new int[rank];
        for (int d = 0; d < rank; d++) is[d] = i(a, k++);
        int[] os = new int[rank];
        if (!gather) for (int d = 0; d < rank; d++) os[d] = i(a, k++);
        int size = i(a, k++);
        int axisStride = i(a, k++);
        long flag = p(a, k);
        for (int e = 0; e < n; e++) {
            long v = m.getLong(it, idx + (idxOff + decode(e, dims, is)) * it.byteSize());
            if (v < 0 || v >= size) {
                m.putLong(DType.INT32, flag, 1);
                m.putLong(DType.INT64, flag + 8, v);
                v = 0;
            }
            if (gather) {
                long src = first + (firstOff + decode(e, dims, fs) + v * axisStride) * xt.byteSize();
                long dst = p(a, 0) + (long) e * xt.byteSize();
                if (xt.isInteger()) m.putLong(xt, dst, m.getLong(xt, src));
                else m.put(xt, dst, m.get(xt, src));
            } else {
                long src = first + (firstOff + decode(e, dims, fs)) * xt.byteSize();
                long dst = p(a, 0) + (decode(e, dims, os) + v * axisStride) * xt.byteSize();
                if (xt.isInteger()) m.putLong(xt, dst, m.getLong(xt, dst) + m.getLong(xt, src));
                else m.put(xt, dst, m.get(xt, dst) + m.get(xt, src));
            }
        }
    }
}
