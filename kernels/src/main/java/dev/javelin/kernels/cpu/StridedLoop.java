package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Shape;

/**
 * Walks several strided operands of one shape together, row by row: dimensions of size 1 are
 * dropped and neighbours that every operand addresses as one run are merged, so a dense tensor is
 * one long row and a broadcast bias becomes rows with an inner stride of 0. Rows run in parallel on
 * {@link CpuThreads} (one long row is cut into fixed chunks); small work stays on the calling thread.
 *
 * <pre>{@code
 * StridedLoop p = StridedLoop.of(out.shape(), x.strides(), out.strides());
 * int xs = p.innerStride(0), os = p.innerStride(1);
 * p.forEachRow(new int[] {x.offset(), 0}, (off, n) -> GeneratedLoops.unary(Op.EXP, xa, off[0], xs, oa, off[1], os, n));
 * }</pre>
 */
final class StridedLoop {
    /** Elements per parallel task: big enough to amortize a fork, small enough to balance 2..16 threads. */
    static final int CHUNK = 1 << 15;
    /**
     * Tiles for an operand that runs across the rows (a transposed view): TILE rows of TILE_COLS
     * elements. Narrow, because that operand's TILE_COLS cache lines lie a power-of-two stride apart
     * in the usual case and so share one L1 set (8-12 ways).
     */
    static final int TILE = 64, TILE_COLS = 8;

    /** One row: each operand's offset of its first element, and the row's length. */
    @FunctionalInterface
    interface Row {
        void run(int[] offsets, int n);
    }

    private final int[] dims;       // collapsed; the last is the row
    private final int[][] strides;  // [operand][dim]
    private final long total;

    private StridedLoop(int[] dims, int[][] strides, long total) {
        this.dims = dims;
        this.strides = strides;
        this.total = total;
    }

    /** A plan for operands of {@code shape}, each given by its strides (output included). */
    static StridedLoop of(Shape shape, int[]... operandStrides) {
        int rank = shape.rank();
        int k = operandStrides.length;
        long total = shape.size();
        int[] d = new int[Math.max(rank, 1)];
        int[][] s = new int[k][Math.max(rank, 1)];
        int r = 0;
        // From the innermost dim outwards: drop size-1 dims, merge a dim into the run inside it when
        // every operand steps over that run exactly.
        for (int i = rank - 1; i >= 0; i--) {
            int n = shape.dim(i);
            if (n == 1) continue;
            boolean merge = r > 0;
            for (int j = 0; j < k && merge; j++) merge = operandStrides[j][i] == s[j][r - 1] * d[r - 1];
            if (merge) {
                d[r - 1] *= n;
            } else {
                d[r] = n;
                for (int j = 0; j < k; j++) s[j][r] = operandStrides[j][i];
                r++;
            }
        }
        if (r == 0) {
            d[0] = 1;
            r = 1;
        }
        // Reverse into outer-to-inner order.
        int[] dims = new int[r];
        int[][] strides = new int[k][r];
        for (int i = 0; i < r; i++) {
            dims[i] = d[r - 1 - i];
            for (int j = 0; j < k; j++) strides[j][i] = s[j][r - 1 - i];
        }
        return new StridedLoop(dims, strides, total);
    }

    /** The stride of operand {@code k} along a row. */
    int innerStride(int k) {
        return strides[k][dims.length - 1];
    }

    /**
     * Runs {@code row} over every row, in parallel when the work is large: rows longer than {@link #CHUNK}
     * (a dense tensor is one row) in pieces of CHUNK, so a long row spreads over the threads too.
     */
    void forEachRow(int[] offsets, Row row) {
        if (total == 0) return;
        if (crossesRows()) {
            tiled(offsets, row);
            return;
        }
        int inner = dims[dims.length - 1], pieces = (inner + CHUNK - 1) / CHUNK;
        CpuThreads.parallelFor(Math.toIntExact(total / inner * pieces), Math.max(1, CHUNK / Math.min(inner, CHUNK)),
                (from, to) -> walk(offsets, row, CHUNK, from, to));
    }

    /** Runs {@code row} over every row on the calling thread, in row-major order (a scatter's sums keep their order so). */
    void forEachRowInOrder(int[] offsets, Row row) {
        if (total > 0) walk(offsets, row, dims[dims.length - 1], 0, Math.toIntExact(total / dims[dims.length - 1]));
    }

    /**
     * True when some operand steps through memory by more than one element along the rows while it
     * is (nearly) contiguous down the columns: a transposed view, where walking whole rows touches
     * a new cache line and TLB page per element. Tiles keep those lines in cache.
     */
    private boolean crossesRows() {
        int r = dims.length;
        if (r < 2 || dims[r - 1] < 2 * TILE_COLS || dims[r - 2] < 2 * TILE) return false;
        for (int[] s : strides) {
            int inner = Math.abs(s[r - 1]);
            if (inner >= 2 * TILE && Math.abs(s[r - 2]) < inner) return true;
        }
        return false;
    }

    /** TILE x TILE_COLS blocks of the two inner dims, each a run of short rows. */
    private void tiled(int[] base, Row row) {
        int r = dims.length;
        int rowsDim = dims[r - 2], cols = dims[r - 1];
        int rb = (rowsDim + TILE - 1) / TILE, cb = (cols + TILE_COLS - 1) / TILE_COLS;
        long outer = total / ((long) rowsDim * cols);
        int units = (int) (outer * rb * cb);
        int k = base.length;
        CpuThreads.parallelFor(units, Math.max(1, CHUNK / (TILE * TILE_COLS)), (from, to) -> {
            int[] off = new int[k];
            for (int u = from; u < to; u++) {
                int ci = u % cb, ri = (u / cb) % rb;
                long o = u / ((long) cb * rb);
                for (int j = 0; j < k; j++) off[j] = base[j] + ri * TILE * strides[j][r - 2] + ci * TILE_COLS * strides[j][r - 1];
                for (int d = r - 3; d >= 0; d--) {
                    int c = (int) (o % dims[d]);
                    o /= dims[d];
                    for (int j = 0; j < k; j++) off[j] += c * strides[j][d];
                }
                int n = Math.min(TILE_COLS, cols - ci * TILE_COLS);
                int[] pass = new int[k];
                for (int i = 0, end = Math.min(TILE, rowsDim - ri * TILE); i < end; i++) {
                    for (int j = 0; j < k; j++) pass[j] = off[j] + i * strides[j][r - 2];
                    row.run(pass, n);
                }
            }
        });
    }

    /** Pieces {@code [from, to)} of rows cut into pieces of at most {@code piece} elements, in row-major order. */
    private void walk(int[] base, Row row, int piece, int from, int to) {
        int outer = dims.length - 1, inner = dims[outer], k = base.length, pieces = (inner + piece - 1) / piece;
        int[] idx = new int[outer], off = base.clone(), pass = new int[k];
        for (int d = outer - 1, rest = from / pieces; d >= 0; d--) {
            idx[d] = rest % dims[d];
            rest /= dims[d];
            for (int j = 0; j < k; j++) off[j] += idx[d] * strides[j][d];
        }
        for (int u = from; u < to; u++) {
            int start = u % pieces * piece;
            for (int j = 0; j < k; j++) pass[j] = off[j] + start * strides[j][outer];
            row.run(pass, Math.min(piece, inner - start));
            if (start + piece < inner) continue;
            for (int d = outer - 1; d >= 0; d--) { // odometer step to the next row
                for (int j = 0; j < k; j++) off[j] += strides[j][d];
                if (++idx[d] < dims[d]) break;
                for (int j = 0; j < k; j++) off[j] -= strides[j][d] * dims[d];
                idx[d] = 0;
            }
        }
    }
}
