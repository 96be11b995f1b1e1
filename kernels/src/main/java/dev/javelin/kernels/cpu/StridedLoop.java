package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Shape;
import java.util.Arrays;

/**
 * Walks several strided operands of one shape together, row by row: dimensions of size 1 are
 * dropped and neighbours that every operand addresses as one run are merged, so a dense tensor is
 * one long row and a broadcast bias becomes rows with an inner stride of 0. Rows run in parallel on
 * {@link CpuThreads} (one long row is cut into fixed chunks); small work stays on the calling thread.
 * A reduction walks its kept and its reduced dims each as such a plan of one operand ({@link #offset}).
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
        int rank = shape.rank(), k = operandStrides.length, r = 2;
        int[] d = new int[rank + 2];
        int[][] s = new int[k][rank + 2];
        d[0] = d[1] = 1; // at least two dims (rows of one row), each operand's stride 0
        // From the outermost dim inwards: drop size-1 dims, merge a dim into the run outside it when every operand's
        // stride there steps over this dim exactly.
        for (int i = 0; i < rank; i++) {
            int n = shape.dim(i);
            if (n == 1) continue;
            boolean merge = r > 2;
            for (int j = 0; j < k && merge; j++) merge = s[j][r - 1] == operandStrides[j][i] * n;
            if (!merge) d[r++] = 1;
            d[r - 1] *= n;
            for (int j = 0; j < k; j++) s[j][r - 1] = operandStrides[j][i];
        }
        int from = Math.min(r - 2, 2);
        int[][] strides = new int[k][];
        for (int j = 0; j < k; j++) strides[j] = Arrays.copyOfRange(s[j], from, r);
        return new StridedLoop(Arrays.copyOfRange(d, from, r), strides, shape.size());
    }

    /** The stride of operand {@code k} along a row. */
    int innerStride(int k) {
        return strides[k][dims.length - 1];
    }

    /** The length of a row. */
    int rowLength() {
        return dims[dims.length - 1];
    }

    /** The number of elements. */
    long size() {
        return total;
    }

    /** Operand 0's offset of element {@code index}, in row-major order, of the dims but the inner {@code skip}. */
    int offset(long index, int skip) {
        int off = 0;
        for (int d = dims.length - 1 - skip; d >= 0; d--) {
            off += (int) (index % dims[d]) * strides[0][d];
            index /= dims[d];
        }
        return off;
    }

    /**
     * Runs {@code row} over every row, in parallel when the work is large: rows longer than {@link #CHUNK}
     * (a dense tensor is one row) in pieces of CHUNK, so a long row spreads over the threads too; where an
     * operand runs across the rows (see {@link #crossesRows}), in tiles of TILE rows by TILE_COLS.
     */
    void forEachRow(int[] offsets, Row row) {
        boolean tiles = crossesRows();
        int block = tiles ? TILE : 1, piece = tiles ? TILE_COLS : CHUNK;
        CpuThreads.parallelFor(units(block, piece), Math.max(1, CHUNK / Math.max(1, block * Math.min(piece, rowLength()))),
                (from, to) -> walk(offsets, row, block, piece, from, to));
    }

    /** Runs {@code row} over every row on the calling thread, in row-major order (a scatter's sums keep their order so). */
    void forEachRowInOrder(int[] offsets, Row row) {
        int piece = Math.max(1, rowLength()); // whole rows (none when empty)
        walk(offsets, row, 1, piece, 0, units(1, piece));
    }

    /**
     * True when some operand steps through memory by more than one element along the rows while it
     * is (nearly) contiguous down the columns: a transposed view, where walking whole rows touches
     * a new cache line and TLB page per element. Tiles keep those lines in cache.
     */
    private boolean crossesRows() {
        int r = dims.length;
        if (dims[r - 1] < 2 * TILE_COLS || dims[r - 2] < 2 * TILE) return false;
        for (int[] s : strides) {
            int inner = Math.abs(s[r - 1]);
            if (inner >= 2 * TILE && Math.abs(s[r - 2]) < inner) return true;
        }
        return false;
    }

    /** Units of {@code block} rows (of the second-to-last dim) by a piece of at most {@code piece} elements of each. */
    private int units(int block, int piece) {
        int r = dims.length, rows = dims[r - 2], inner = dims[r - 1];
        return total == 0 ? 0 : Math.toIntExact(total / ((long) rows * inner) * ((rows + block - 1) / block) * ((inner + piece - 1) / piece));
    }

    /** Units {@code [from, to)}, in row-major order of (outer dims, block of rows, piece); each unit's rows in order. */
    private void walk(int[] base, Row row, int block, int piece, int from, int to) {
        int r = dims.length, rows = dims[r - 2], inner = dims[r - 1], k = base.length;
        int pieces = (inner + piece - 1) / piece, blocks = (rows + block - 1) / block;
        int[] off = new int[k];
        for (int u = from; u < to; u++) {
            int start = u % pieces * piece, first = u / pieces % blocks * block, n = Math.min(piece, inner - start);
            for (int j = 0; j < k; j++) off[j] = base[j] + start * strides[j][r - 1] + first * strides[j][r - 2];
            for (int d = r - 3, o = u / pieces / blocks; d >= 0; o /= dims[d--]) {
                for (int j = 0; j < k; j++) off[j] += o % dims[d] * strides[j][d];
            }
            for (int i = first, end = Math.min(rows, first + block); i < end; i++) {
                row.run(off, n);
                for (int j = 0; j < k; j++) off[j] += strides[j][r - 2];
            }
        }
    }
}
