package dev.javelin.kernels.cpu;

import dev.javelin.kernels.ir.ReductionOrder;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.stream.IntStream;

/**
 * float32 REDUCE_SUM / MAX / MIN over any axes of any strided view (UNFOLD windows for pooling included;
 * other dtypes, and ARGMAX / ARGMIN, run on the reference backend). float32 values are combined in
 * {@link ReductionOrder}'s order, which depends only on the shape and is the JIT launcher's too, so a
 * sum is bit-identical eager and compiled and whatever the thread count: rows reduce in
 * {@link GeneratedLoops#reduce}'s fixed order, rows of outputs accumulate the reduced positions in order,
 * and a single output over a long range combines fixed blocks left to right. A float32 sum over a view
 * is taken over its dense copy, so it is bit-identical whatever the layout.
 */
final class Reductions {
    /** Columns per task at least when rows of outputs are accumulated: the JIT launcher's {@code MIN_REDUCED_COLUMNS}. */
    static final int MIN_COLUMNS = 512;

    static void reduce(Op op, Tensor x, OpAttrs.Reduce attrs, Tensor out) {
        // a sum over a view (a transposed row, dims that do not merge) is taken over its dense copy, so its order,
        // and so its bits, do not depend on the layout (max and min do not depend on the order)
        Tensor t = op == Op.REDUCE_SUM && !x.isContiguous() ? Elementwise.dense(x) : x;
        StridedLoop kept = dims(t, attrs.axes(), false), red = dims(t, attrs.axes(), true);
        if (kept.size() == 0) return;
        float[] xa = Elementwise.heap(t).floats(), o = Elementwise.heap(out).floats();
        float identity = ReductionOrder.identity(op);
        if (red.size() == 0) java.util.Arrays.fill(o, 0, (int) kept.size(), identity);
        else if (kept.innerStride(0) == 1 && red.innerStride(0) != 1) accumulateRows(op, xa, t.offset(), kept, red, o, identity);
        else reduceRows(op, xa, t.offset(), kept, red, o, identity);
    }

    /**
     * The kept (or the reduced) dims of {@code t}, in order, collapsed: size-1 dims dropped, neighbours merged where
     * t lays them out as one run. Whether the kept or the reduced row is contiguous decides the kernel.
     */
    private static StridedLoop dims(Tensor t, int[] axes, boolean reduced) {
        boolean[] r = new boolean[t.rank()];
        for (int a : axes) r[a] = true;
        int[] which = IntStream.range(0, t.rank()).filter(i -> r[i] == reduced).toArray();
        return StridedLoop.of(Shape.of(IntStream.of(which).map(t::dim).toArray()), IntStream.of(which).map(t::stride).toArray());
    }

    /**
     * The kept inner dim is contiguous: every reduced position, in order, is accumulated into its row
     * of outputs, starting from the identity, as the JIT's column reductions do. Cutting the row into
     * column chunks spreads the work over threads without changing any output's order.
     */
    private static void accumulateRows(Op op, float[] x, int xOff, StridedLoop kept, StridedLoop red, float[] out, float identity) {
        int groupLen = kept.rowLength(), groups = (int) (kept.size() / groupLen);
        long units = red.size();
        int inner = red.rowLength(), rs = red.innerStride(0); // one call per run of rows
        int chunk = (int) Math.min(groupLen, Math.max(MIN_COLUMNS, ReductionOrder.BLOCK / Math.min(units, ReductionOrder.BLOCK)));
        int chunksPerGroup = (groupLen + chunk - 1) / chunk;
        int grain = (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, units * chunk));
        CpuThreads.parallelFor(groups * chunksPerGroup, grain, (from, to) -> {
            for (int t = from; t < to; t++) {
                int g = t / chunksPerGroup, c0 = (t % chunksPerGroup) * chunk, len = Math.min(chunk, groupLen - c0);
                int base = xOff + kept.offset(g, 1) + c0, dst = g * groupLen + c0;
                java.util.Arrays.fill(out, dst, dst + len, identity);
                for (long q = 0; q < units / inner; q++) GeneratedLoops.accumulateRows(op, x, base + red.offset(q, 1), rs, inner, out, dst, len);
            }
        });
    }

    /**
     * The reduced inner dim is a row: each output folds its rows in order, as the JIT's row reductions
     * do. A single output over more than {@link ReductionOrder#BLOCK} elements is cut into blocks (row by row) whose
     * partials are combined left to right from the identity, the JIT's long-reduction order, so the
     * work spreads over threads with the same bits.
     */
    private static void reduceRows(Op op, float[] x, int xOff, StridedLoop kept, StridedLoop red, float[] out, float identity) {
        int rowLen = red.rowLength(), rs = red.innerStride(0);
        long rowsPerOutput = red.size() / rowLen;
        if (kept.size() == 1 && red.size() > ReductionOrder.BLOCK) {
            int chunksPerRow = (rowLen + ReductionOrder.BLOCK - 1) / ReductionOrder.BLOCK;
            int tasks = Math.toIntExact(rowsPerOutput * chunksPerRow);
            float[] partial = new float[tasks];
            CpuThreads.parallelFor(tasks, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int start = (t % chunksPerRow) * ReductionOrder.BLOCK;
                    int row = xOff + red.offset(t / chunksPerRow, 1) + start * rs;
                    partial[t] = GeneratedLoops.reduce(op, x, row, rs, Math.min(ReductionOrder.BLOCK, rowLen - start), identity);
                }
            });
            float acc = identity;
            for (float v : partial) acc = ReductionOrder.combine(op, acc, v);
            out[0] = acc;
            return;
        }
        int grain = (int) Math.max(1, CpuThreads.SMALL_WORK / Math.max(1, red.size()));
        CpuThreads.parallelFor((int) kept.size(), grain, (from, to) -> {
            for (int g = from; g < to; g++) {
                int base = xOff + kept.offset(g, 0);
                float acc = identity;
                for (long u = 0; u < rowsPerOutput; u++) acc = GeneratedLoops.reduce(op, x, base + red.offset(u, 1), rs, rowLen, acc);
                out[g] = acc;
            }
        });
    }
}
