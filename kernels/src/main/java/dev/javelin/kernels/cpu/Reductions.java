package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Tensor;

/**
 * float32 REDUCE_SUM / MAX / MIN and ARGMAX / ARGMIN over any axes of any strided view (UNFOLD windows
 * for pooling included; other dtypes run on the reference backend). The order in which float32 values are combined depends only on the shape:
 * rows reduce in {@link FloatLoops#reduce}'s fixed order, and when few outputs each reduce many
 * elements the reduced range is cut into fixed blocks whose partials are combined left to right.
 * So a result is bit-identical whatever the thread count; and a float32 sum over a view whose layout
 * would change that order is taken over its dense copy, so it is bit-identical whatever the layout.
 */
final class Reductions {
    /** Elements per block of a blocked reduction. */
    static final int BLOCK = 1 << 14;
    /** Below this many output groups a long reduction is cut into blocks, to have parallel work. */
    static final int FEW_GROUPS = 64;

    private final FloatLoops loops;
    private final Elementwise elementwise;

    Reductions(FloatLoops loops, Elementwise elementwise) {
        this.loops = loops;
        this.elementwise = elementwise;
    }

    void reduce(Op op, Tensor x, OpAttrs.Reduce attrs, Tensor out) {
        ReducePlan p = ReducePlan.of(x, attrs.axes());
        if (p.outSize == 0) return;
        if (op == Op.REDUCE_SUM && !p.sameOrder(ReducePlan.ofDense(x.shape(), attrs.axes()))) {
            // a view whose layout would change the order of the sum (a transposed row, dims that do not merge):
            // summed as its dense copy is, so the bits do not depend on the layout (max and min do not depend on the order)
            x = elementwise.dense(x);
            p = ReducePlan.of(x, attrs.axes());
        }
        switch (op) {
            case ARGMAX, ARGMIN -> arg(op, x, p, Elementwise.heap(out).longs());
            default -> reduceFloat(op, Elementwise.heap(x).floats(), x.offset(), p, Elementwise.heap(out).floats());
        }
    }

    private void reduceFloat(Op op, float[] x, int xOff, ReducePlan p, float[] out) {
        int kRank = p.keptDims.length, rRank = p.redDims.length;
        boolean rows = p.accumulatesRows();
        int groupLen = rows ? p.keptDims[kRank - 1] : 1;
        int groups = (int) (p.outSize / groupLen);
        float identity = op == Op.REDUCE_SUM ? 0f : op == Op.REDUCE_MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        if (p.redSize == 0) {
            java.util.Arrays.fill(out, 0, (int) p.outSize, identity);
            return;
        }
        // Units of work along the reduced range: a row of the reduced inner dim, or single elements.
        boolean unitIsRow = !rows && rRank >= 2;
        int rowLen = rRank == 0 ? 1 : p.redDims[rRank - 1];
        long units = unitIsRow ? p.redSize / rowLen : p.redSize;
        long unitCost = unitIsRow ? rowLen : rows ? groupLen : 1;
        long perBlock = groups < FEW_GROUPS ? Math.max(1, BLOCK / unitCost) : units;
        int blocks = (int) ((units + perBlock - 1) / perBlock);
        float[] partial = blocks == 1 ? out : new float[blocks * (int) p.outSize];
        int rs = rRank == 0 ? 0 : p.redStrides[rRank - 1];
        long taskCost = Math.min(units, perBlock) * unitCost;
        int grain = (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, taskCost));
        CpuThreads.parallelFor(groups * blocks, grain, (from, to) -> {
            for (int t = from; t < to; t++) {
                int g = t % groups, b = t / groups;
                long lo = b * perBlock, hi = Math.min(units, lo + perBlock);
                int base = xOff + p.keptOffset(g, rows ? 1 : 0);
                int dst = b * (int) p.outSize + g * groupLen;
                if (rows) {
                    java.util.Arrays.fill(partial, dst, dst + groupLen, identity);
                    for (long u = lo; u < hi; u++) loops.accumulate(op, x, base + p.redOffset(u, 0), 1, partial, dst, groupLen);
                } else if (unitIsRow) {
                    float acc = identity;
                    for (long u = lo; u < hi; u++) acc = loops.reduce(op, x, base + p.redOffset(u, 1), rs, rowLen, acc);
                    partial[dst] = acc;
                } else {
                    partial[dst] = loops.reduce(op, x, base + (int) lo * rs, rs, (int) (hi - lo), identity);
                }
            }
        });
        if (blocks > 1) combine(op, partial, blocks, (int) p.outSize, out);
    }

    /** out[i] = partial[0][i] op partial[1][i] op ..., left to right. */
    private static void combine(Op op, float[] partial, int blocks, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            float acc = partial[i];
            for (int b = 1; b < blocks; b++) {
                float v = partial[b * n + i];
                acc = op == Op.REDUCE_SUM ? acc + v : op == Op.REDUCE_MAX ? Math.max(acc, v) : Math.min(acc, v);
            }
            out[i] = acc;
        }
    }

    /** The index of the first maximum (minimum) along the one reduced axis; NaN counts as the extreme, as in PyTorch. */
    private static void arg(Op op, Tensor x, ReducePlan p, long[] out) {
        float[] xa = Elementwise.heap(x).floats();
        int n = (int) p.redSize;
        int rs = p.redDims.length == 0 ? 0 : p.redStrides[0];
        boolean max = op == Op.ARGMAX;
        int grain = Math.max(1, (int) (CpuThreads.SMALL_WORK / Math.max(1, n)));
        CpuThreads.parallelFor((int) p.outSize, grain, (from, to) -> {
            for (int g = from; g < to; g++) {
                int base = x.offset() + p.keptOffset(g, 0);
                int best = 0;
                float bv = xa[base];
                for (int i = 1; i < n && bv == bv; i++) {
                    float v = xa[base + i * rs];
                    if (v != v || (max ? v > bv : v < bv)) {
                        bv = v;
                        best = i;
                    }
                }
                out[g] = best;
            }
        });
    }
}
