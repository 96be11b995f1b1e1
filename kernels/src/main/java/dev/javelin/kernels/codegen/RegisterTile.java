package dev.javelin.kernels.codegen;

/**
 * A generated register tile ({@link RegisterTiles}): {@code rows × vectors} vectors of C held in
 * registers while {@code p} walks {@code kc} steps, every element one chain
 * {@code c = fma(A[r][p], B[p][j], c)} for p in order, from the stored C when {@code load} and from 0
 * otherwise. A tile generated with constant A strides ignores the {@code ars} / {@code acs} it is passed.
 *
 * <pre>{@code
 * // an 8-row tile of two vectors over a packed A panel ([p][8]) and a B row-major with n columns
 * RegisterTile t = RegisterTiles.of(new RegisterTiles.Shape(8, 2, 2, 1, 8, false));
 * t.run(k, ap, 0, 1, 8, b, 0, n, 0, c, 0, n, false);
 * }</pre>
 */
public interface RegisterTile {
    /**
     * The tile: A's element (r, p) at {@code a[ai + r·ars + p·acs]}; B's vector v at step p from
     * {@code bi + p·bStep + (v / group)·bGroup + (v % group)·L}; C's vector (r, v) at {@code ci + r·ldc + v·L}
     * (with {@code cGrouped}, at {@code ci + r·ldc + (v / group)·bGroup + (v % group)·L}).
     */
    void run(int kc, float[] a, int ai, int ars, int acs, float[] b, int bi, int bStep, int bGroup,
             float[] c, int ci, int ldc, boolean load);

    /**
     * {@link #run} over {@code segments} runs of {@code kc} steps that continue one chain: run s reads A from
     * {@code ai + s·aSegment} and B from {@code bi + s·bSegment} (a convolution's patch rows).
     */
    void runSegments(int segments, int aSegment, int bSegment, int kc, float[] a, int ai, int ars, int acs,
                     float[] b, int bi, int bStep, int bGroup, float[] c, int ci, int ldc, boolean load);
}
