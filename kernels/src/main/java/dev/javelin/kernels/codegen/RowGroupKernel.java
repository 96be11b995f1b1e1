package dev.javelin.kernels.codegen;

/**
 * A row group's members generated into one class ({@link RowGroupCodegen}): each member's kernel is a
 * method of that class, and a loop over the rows calls them directly, so a row costs no call through
 * an interface or a method handle per member and no launcher bookkeeping between members.
 *
 * <p>Member {@code k}'s slot {@code s} (inputs, then its outputs, as in {@link FusedKernel}) is at
 * {@code origin[k][s] + row * stride[k][s]} in {@code arrays[k][s]} on row {@code row}; its loop is
 * {@code length[k]} long. A row reduction's value goes to its last slot at that offset.
 *
 * <pre>{@code
 * RowGroupKernel g = RowGroupCodegen.compile(irs, onePerRow);
 * g.rows(arrays, origin, stride, maps, length, 0, rows);   // every row through every member, in order
 * }</pre>
 */
public interface RowGroupKernel {
    /** Rows {@code [from, to)}: each row through every member in order before the next row. */
    void rows(Object[][] arrays, int[][] origin, int[][] stride, int[][][] maps, int[] length, int from, int to);

    /**
     * Rows {@code [from, to)} in blocks of {@link #ROWS_PER_BLOCK}: each member over the block's rows, then
     * the next member; a member of one value per row (see {@link RowGroupCodegen#compile}) runs once per block,
     * at the block's first row, over as many positions as the block has rows. Gives the same values as
     * {@link #rows} where no member reads another row's results.
     */
    void blocksOfRows(Object[][] arrays, int[][] origin, int[][] stride, int[][][] maps, int[] length, int from, int to);

    /** Rows a block of {@link #blocksOfRows} holds: one vector of floats for a member of one value per row. */
    int ROWS_PER_BLOCK = 16;
}
