package dev.javelin.jit.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.codegen.KernelSupport;
import dev.javelin.kernels.codegen.TieredKernel;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.ReductionOrder;
import dev.javelin.jit.plan.Launch;
import dev.javelin.jit.plan.RowGroups;
import dev.javelin.kernels.cpu.ColumnSums;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.Arrays;

/**
 * Runs a generated kernel over its iteration space on the shared thread pool. Work is cut into
 * chunks whose size depends only on the shape ({@link #GRAIN} elements), and every reduction walks
 * its reduced positions in one fixed order, so results are the same for any number of threads.
 */
final class Launcher {
    /** Elements per parallel chunk. */
    static final int GRAIN = 1 << 15;
    /**
     * Columns per kernel call at least, when a column reduction walks its reduced positions around the
     * call: each call pays its launch, and with 16 columns per call a [4096, 1024] bias gradient took
     * 262,144 calls (about 20x its memory traffic's time; rnn-perf, perf/NOTES.md).
     */
    static final int MIN_REDUCED_COLUMNS = 512;

    private Launcher() {}

    /**
     * Runs {@code kernel}; {@code base} holds each slot's tensor offset, {@code maps} the gather map
     * of each strided slot.
     */
    static void launch(FusedKernel tiered, KernelIR ir, Launch l, Object[] arrays, int[] base, int[][] maps) {
        FusedKernel kernel = current(tiered);
        int slots = arrays.length;
        if (ir.mode() != KernelIR.Mode.ELEMENTWISE) fillIdentity(ir, l, arrays[slots - 1], base[slots - 1]);
        if (l.n() == 0 || l.keptCount() == 0 || l.reducedCount() == 0) return;
        switch (ir.mode()) {
            case ELEMENTWISE, REDUCE_COLUMNS -> columns(kernel, ir, l, arrays, base, maps);
            case REDUCE_ROW -> rows(kernel, ir, l, arrays, base, maps);
        }
    }

    /** Elementwise (no reduced positions) and column reductions: the kernel writes along the loop. */
    private static void columns(FusedKernel kernel, KernelIR ir, Launch l, Object[] arrays, int[] base, int[][] maps) {
        int n = l.n();
        long kept = l.keptCount();
        long reducedCount = l.reducedCount();
        int slots = arrays.length;
        if (reducedCount > 1) {
            reduceColumns(kernel, ir, l, arrays, base, maps);
            return;
        }
        if (kept == 1) {
            CpuThreads.parallelFor(n, chunk(GRAIN), (from, to) -> {
                int[] offs = new int[slots];
                l.offsetsAt(0, 0, base, offs);
                for (int s = 0; s < slots; s++) offs[s] += from * l.innerStrides()[s];
                kernel.run(arrays, offs, maps, to - from);
            });
            return;
        }
        CpuThreads.parallelFor(Math.toIntExact(kept), (int) Math.max(1, GRAIN / Math.max(1, n)), (from, to) -> {
            int[] offs = new int[slots]; // the next row's offsets by additions (a head merge's copy runs 131,072 rows of 32)
            int[] index = l.keptIndex(from);
            l.offsetsAt(from, 0, base, offs);
            for (int row = from; row < to; row++) {
                kernel.run(arrays, offs, maps, n);
                if (row + 1 < to) l.nextKept(index, offs);
            }
        });
    }

    /**
     * Column reductions: every reduced position in order into its row of outputs. The innermost reduced
     * dimension's positions go to the kernel as one {@link FusedKernel#runRows} call, a loop written into
     * the generated class (a [4096, 128] bias gradient: one call instead of 4,096); one output row's
     * columns are cut into chunks of at least {@link #MIN_REDUCED_COLUMNS} for the threads, which changes
     * no output's order.
     */
    private static void reduceColumns(FusedKernel kernel, KernelIR ir, Launch l, Object[] arrays, int[] base, int[][] maps) {
        int n = l.n(), slots = arrays.length, last = l.reducedDims().length - 1;
        int inner = l.reducedDims()[last];
        long outer = l.reducedCount() / inner, kept = l.keptCount();
        int[] rowStrides = new int[slots];
        for (int s = 0; s < slots; s++) rowStrides[s] = l.reducedStrides()[s][last];
        int columns = kept > 1 ? n : chunk(Math.max(GRAIN / (int) Math.min(l.reducedCount(), GRAIN), MIN_REDUCED_COLUMNS));
        int plainStride = kept == 1 ? plainColumnSumStride(ir, l, arrays) : -1;
        if (plainStride >= 0) { // each chunk's rows in one call, in order
            int[] start = new int[slots];
            l.offsetsAt(0, 0, base, start);
            float[] x = (float[]) arrays[0], out = (float[]) arrays[1];
            int rows = Math.toIntExact(l.reducedCount());
            CpuThreads.parallelFor(n, columns, (from, to) -> ColumnSums.accumulate(x, start[0] + from, plainStride, rows, out, start[1] + from, to - from));
            return;
        }
        int pieces = (n + columns - 1) / columns;
        int grain = (int) Math.max(1, GRAIN / Math.max(1, (long) n * l.reducedCount()));
        CpuThreads.parallelFor(Math.toIntExact(kept * pieces), grain, (from, to) -> {
            int[] offs = new int[slots];
            for (int t = from; t < to; t++) {
                int row = t / pieces, first = (t % pieces) * columns;
                for (long q = 0; q < outer; q++) {
                    l.offsetsAt(row, q * inner, base, offs);
                    for (int s = 0; s < slots; s++) offs[s] += first * l.innerStrides()[s];
                    kernel.runRows(arrays, offs, maps, Math.min(columns, n - first), rowStrides, inner);
                }
            }
        });
    }

    /**
     * The row stride of a plain float32 column sum (a bias gradient: the kernel only loads its one input,
     * dense along the loop) whose reduced positions walk the input at one stride, else -1. Such a sum
     * runs each chunk of columns in one call of {@link ColumnSums}: the same adds in the same order as the
     * generated kernel's {@code runRows}, so the same bits, and measured faster on a compiled [4096, 128]
     * bias gradient (38 against 46-50 us, perf/NOTES.md `lines3`), though the two loops measured alike alone.
     */
    private static int plainColumnSumStride(KernelIR ir, Launch l, Object[] arrays) {
        if (ir.mode() != KernelIR.Mode.REDUCE_COLUMNS || ir.reduceOp() != Op.REDUCE_SUM || ir.loads().size() != 1
                || ir.body().size() != 1 || !ir.body().get(0).load() || ir.loads().get(0).dtype() != DType.FLOAT32
                || !(arrays[0] instanceof float[]) || !(arrays[1] instanceof float[])
                || l.innerStrides()[0] != 1 || l.innerStrides()[1] != 1) return -1;
        return l.reducedRowStride();
    }

    /** Row reductions: one scalar per kept position, from the reduced positions in order. */
    private static void rows(FusedKernel kernel, KernelIR ir, Launch l, Object[] arrays, int[] base, int[][] maps) {
        int n = l.n();
        long kept = l.keptCount();
        long reducedCount = l.reducedCount();
        int slots = arrays.length;
        float[] out = (float[]) arrays[slots - 1];
        int outSlot = slots - 1;
        if (kept == 1 && (long) n * reducedCount > ReductionOrder.BLOCK) { // one long reduction: fixed partials, combined in order, as eager's
            int perRow = (n + ReductionOrder.BLOCK - 1) / ReductionOrder.BLOCK;
            int tasks = Math.toIntExact(perRow * reducedCount);
            float[] partial = new float[tasks];
            CpuThreads.parallelFor(tasks, 1, (from, to) -> {
                int[] offs = new int[slots];
                for (int t = from; t < to; t++) {
                    l.offsetsAt(0, t / perRow, base, offs);
                    int start = (t % perRow) * ReductionOrder.BLOCK;
                    for (int s = 0; s < slots; s++) offs[s] += start * l.innerStrides()[s];
                    partial[t] = kernel.reduce(arrays, offs, maps, Math.min(ReductionOrder.BLOCK, n - start));
                }
            });
            float acc = ReductionOrder.identity(ir.reduceOp());
            for (float p : partial) acc = ReductionOrder.combine(ir.reduceOp(), acc, p);
            int[] offs = new int[slots];
            l.offsetsAt(0, 0, base, offs);
            out[offs[outSlot]] = acc;
            return;
        }
        int rowsPerChunk = reductionRowsPerChunk((long) n * reducedCount);
        CpuThreads.parallelFor(Math.toIntExact(kept), rowsPerChunk, (from, to) -> {
            int[] offs = new int[slots];
            for (int row = from; row < to; row++) {
                float acc = ReductionOrder.identity(ir.reduceOp());
                int target = -1;
                for (long r = 0; r < reducedCount; r++) {
                    l.offsetsAt(row, r, base, offs);
                    target = offs[outSlot];
                    acc = ReductionOrder.combine(ir.reduceOp(), acc, kernel.reduce(arrays, offs, maps, n));
                }
                out[target] = acc;
            }
        });
    }

    /**
     * Runs a row group (see {@link dev.javelin.jit.plan.RowGroups}): a block of rows goes through every member before the
     * next block starts, member by member, each member over the block's rows. {@code owner[k][s]}, when not -1, is the
     * member whose value slot s of member k reads and which lives in a scratch row per row of the block (a value only
     * the group reads), or in the row of the output of member {@code home[owner]} when that is not -1. A group of
     * elementwise kernels without kept rows takes blocks of {@link RowGroups#BLOCK} positions as rows. A member whose
     * launch has n = 1 computes one value per row (its loop has length 1). Each member reads earlier members' values
     * of the same row only, so every value is the same whatever the block.
     */
    static void rowGroup(FusedKernel[] kernels, KernelIR[] irs, Launch[] launches, Object[][] arrays, int[][] base,
                         int[][][] maps, int[][] owner, int[] home) {
        int members = kernels.length, n = launches[0].n();
        if (n == 0) { // empty rows: each reduction's outputs are its identity, and no kernel runs (it would read an empty row)
            for (int k = 0; k < members; k++) {
                if (irs[k].mode() != KernelIR.Mode.ELEMENTWISE) fillIdentity(irs[k], launches[k], arrays[k][arrays[k].length - 1], base[k][base[k].length - 1]);
            }
            return;
        }
        FusedKernel[] current = new FusedKernel[members];
        for (int k = 0; k < members; k++) current[k] = current(kernels[k]);
        boolean blocks = launches[0].keptCount() == 1;
        int rowLength = blocks ? Math.min(n, RowGroups.BLOCK) : n;
        long rowCount = blocks ? (n + RowGroups.BLOCK - 1) / RowGroups.BLOCK : launches[0].keptCount();
        int[][] origin = new int[members][], step = new int[members][]; // per slot: the offset of row 0, the step per row (null: no one step)
        for (int k = 0; k < members; k++) {
            origin[k] = new int[arrays[k].length];
            launches[k].offsetsAt(0, 0, base[k], origin[k]);
            step[k] = blocks ? launches[k].innerStrides().clone() : launches[k].keptRowStrides();
            if (blocks) for (int s = 0; s < step[k].length; s++) step[k][s] *= RowGroups.BLOCK;
        }
        int blockRows = rowsMemberByMember(irs, launches, owner, step) ? ROWS_PER_BLOCK : 1;
        boolean[] hasScratchRow = new boolean[members];
        for (int[] o : owner) for (int p : o) if (p >= 0 && home[p] < 0) hasScratchRow[p] = true;
        // A chunk's rows: an object whose method runs once per block, so HotSpot compiles that method as an ordinary one
        // within a few calls instead of the chunk's whole walk on stack, repeatedly (perf/NOTES.md, "The LSTM train step's spread").
        final class Rows {
            final int[][] offs = new int[members][], homeOffs = new int[members][];
            final Object[][] local = new Object[members][];

            Rows() {
                Object[] rows = new Object[members];
                for (int k = 0; k < members; k++) {
                    if (hasScratchRow[k]) rows[k] = HeapStorage.allocate(irs[k].outDtype(), blockRows * rowLength).array(); // of the member's dtype: a comparison's bool value may live in one too
                }
                for (int k = 0; k < members; k++) {
                    local[k] = arrays[k].clone();
                    offs[k] = new int[arrays[k].length];
                    homeOffs[k] = new int[arrays[k].length];
                    for (int s = 0; s < local[k].length; s++) {
                        int o = owner[k][s];
                        if (o >= 0) local[k][s] = home[o] >= 0 ? arrays[home[o]][arrays[home[o]].length - 1] : rows[o];
                    }
                }
            }

            /** Rows {@code [first, end)}, each member over them in turn; a member of one value per row over all of them in one call when blockRows > 1. */
            void block(int first, int end) {
                for (int k = 0; k < members; k++) {
                    boolean once = !blocks && launches[k].n() == 1 && irs[k].mode() == KernelIR.Mode.ELEMENTWISE;
                    int[] o = offs[k];
                    int last = o.length - 1;
                    for (int row = first; row < (once ? first + 1 : end); row++) {
                        offsets(k, row, o);
                        for (int s = 0; s <= last; s++) { // scratch slots: the row's place in the home member's output, or in the scratch
                            int p = owner[k][s], h = p < 0 ? -1 : home[p];
                            if (h >= 0) offsets(h, row, homeOffs[h]);
                            if (p >= 0) o[s] = h >= 0 ? homeOffs[h][homeOffs[h].length - 1] : (row - first) * rowLength;
                        }
                        if (irs[k].mode() == KernelIR.Mode.REDUCE_ROW) {
                            ((float[]) local[k][last])[o[last]] = current[k].reduce(local[k], o, maps[k], n);
                        } else {
                            current[k].run(local[k], o, maps[k], once ? end - first : blocks ? Math.min(RowGroups.BLOCK, n - row * RowGroups.BLOCK) : launches[k].n());
                        }
                    }
                }
            }

            private void offsets(int k, int row, int[] into) {
                if (step[k] == null) launches[k].offsetsAt(row, 0, base[k], into);
                else for (int s = 0; s < step[k].length; s++) into[s] = origin[k][s] + row * step[k][s];
            }
        }
        CpuThreads.parallelFor(Math.toIntExact(rowCount), reductionRowsPerChunk(rowLength), (from, to) -> {
            Rows rows = new Rows();
            for (int first = from; first < to; first += blockRows) rows.block(first, Math.min(to, first + blockRows));
        });
    }

    /** Rows a row group takes member by member when {@link #rowsMemberByMember}: one vector of floats. */
    static final int ROWS_PER_BLOCK = 16;

    /**
     * True when a row group may run {@link #ROWS_PER_BLOCK} rows member by member: it keeps no value in a scratch row,
     * and it has a member of one value per row whose slots step through the rows as its loop would (a stride of 1, or 0
     * for a broadcast), so that member runs once per block as one vector instead of once per row: layer norm's
     * 1/sqrt(var + eps), whose calls of length 1 per row cost more than the pass they save (perf/NOTES.md). The block's
     * rows (8 KB of each [*, 128] operand) stay in L1 between members. Other groups go row by row.
     */
    private static boolean rowsMemberByMember(KernelIR[] irs, Launch[] launches, int[][] owner, int[][] step) {
        for (int[] o : owner) for (int p : o) if (p >= 0) return false;
        boolean onePerRow = false;
        for (int k = 0; k < irs.length; k++) {
            if (launches[k].n() != 1 || launches[0].n() == 1 || irs[k].mode() != KernelIR.Mode.ELEMENTWISE) continue;
            if (step[k] == null || launches[0].keptCount() == 1) return false;
            for (int s = 0; s < step[k].length; s++) {
                KernelIR.Access a = s < irs[k].loads().size() ? irs[k].loads().get(s).access() : KernelIR.Access.CONTIGUOUS; // the output is written along
                if (a == KernelIR.Access.STRIDED || step[k][s] != (a == KernelIR.Access.BROADCAST ? 0 : 1)) return false;
            }
            onePerRow = true;
        }
        return onePerRow;
    }

    /**
     * Runs an elementwise kernel over rows {@code [row0, row0 + rows)} and columns
     * {@code [col0, col0 + cols)} of its {@code rowLength}-wide iteration space: a GEMM epilogue on
     * one finished block of C. The launch either keeps the rows (n is the row) or is one flat run.
     * Rows one stride apart (every epilogue of the char-GPT's step) go to the kernel's own row loop in one
     * call, not one call per row of the block, each with its prologue: the same arithmetic per row, and
     * 3-15% less time per product with its epilogue at one thread (perf/NOTES.md, `rows5`).
     */
    static void block(FusedKernel kernel, Launch l, Object[] arrays, int[] base, int[][] maps,
                      int row0, int rows, int col0, int cols, int rowLength) {
        boolean flat = l.keptCount() == 1;
        int slots = arrays.length;
        int[] rowStrides = flat ? new int[slots] : l.keptRowStrides();
        if (flat) for (int s = 0; s < slots; s++) rowStrides[s] = Math.toIntExact((long) rowLength * l.innerStrides()[s]);
        CpuThreads.parallelFor(rows, Math.max(1, GRAIN / Math.max(1, cols)), (from, to) -> {
            int[] offs = new int[slots];
            for (int r = row0 + from; r < row0 + to; r++) {
                long position = flat ? (long) r * rowLength + col0 : col0;
                l.offsetsAt(flat ? 0 : r, 0, base, offs);
                for (int s = 0; s < slots; s++) offs[s] += (int) (position * l.innerStrides()[s]);
                if (rowStrides == null) {
                    kernel.run(arrays, offs, maps, cols);
                } else { // rows one stride apart: the chunk's rows in one call of the kernel's own row loop
                    kernel.runRows(arrays, offs, maps, cols, rowStrides, row0 + to - r);
                    return;
                }
            }
        });
    }

    /**
     * The tier a kernel's calls take for this launch: its generated code once that is warm, called
     * directly rather than through the tier check per row (about a tenth of a layer norm's row
     * groups at one thread went to that check); else the tiered kernel, which counts its cold calls.
     */
    private static FusedKernel current(FusedKernel kernel) {
        return kernel instanceof TieredKernel t && t.usesGeneratedCode() ? t.generatedCode() : kernel;
    }

    /**
     * Rows per parallel chunk of row reductions: {@link #GRAIN} elements, rounded up to 16 rows, so
     * that two threads seldom write their per-row results (floats, adjacent) into the same 64-byte
     * cache line. Softmax over 4096-wide rows took chunks of 8 rows, and the two threads' max and sum
     * stores shared every line.
     */
    private static int reductionRowsPerChunk(long rowLength) {
        long rows = Math.max(1, GRAIN / Math.max(1, rowLength));
        return (int) ((rows + 15) / 16 * 16);
    }

    private static int chunk(int grain) {
        int g = Math.max(KernelSupport.S.length(), grain);
        return g - g % KernelSupport.S.length(); // whole vectors, so only the last chunk has a tail
    }

    private static void fillIdentity(KernelIR ir, Launch l, Object out, int offset) {
        Arrays.fill((float[]) out, offset, offset + Math.toIntExact(l.outputSize()), ReductionOrder.identity(ir.reduceOp()));
    }
}
