package dev.javelin.kernels.cpu.gemm;

import dev.javelin.kernels.codegen.RegisterTile;
import dev.javelin.kernels.codegen.RegisterTiles;
import dev.javelin.kernels.codegen.RegisterTiles.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked FMA micro-kernel: an {@code MR×NR} tile of C ({@code NR} = two vectors of the
 * widest float species, 32 floats on AVX-512) held in {@code 2·MR} vector registers while it walks
 * {@code kc} steps of a packed A panel and a B panel (packed, or read in place from a row-major B).
 *
 * <p>Each C element gets {@code c = fma(a[p], b[p], c)} for p in order, starting from the stored C
 * when {@code load} and from 0 otherwise; edge tiles run the same arithmetic on a scratch tile.
 * The tiles are the one generated register tile ({@link RegisterTiles}), with A's strides constants
 * of each: a packed A panel's step is {@code MR} floats, an A read in place steps by 1.
 */
public final class SgemmMicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    public static final int MR = 8;
    public static final int NR = 2 * L;

    private SgemmMicroKernel() {}

    /**
     * A full {@code MR×NR} tile over a packed A panel ({@code ap[ai + p·MR + r]}): call
     * {@code TILE.run(kc, ap, ai, 1, MR, b, bi, bStep, 0, c, ci, ldc, load)}, B's {@code NR} floats per
     * step from {@code bi}, steps {@code bStep} apart. No masks here, nor anywhere in these tiles: a
     * masked vector op that C2 does not intrinsify made the whole method fall back to boxed vectors,
     * about 40 times slower for the rest of the JVM's life, once an edge tile had run through it. Edge
     * tiles go through {@link #edge}.
     */
    static final RegisterTile TILE = RegisterTiles.of(new Shape(MR, 2, 2, 1, MR, false));
    /** {@link #TILE} for 4 rows: the same panel layout, half the accumulators. */
    static final RegisterTile TILE4 = RegisterTiles.of(new Shape(4, 2, 2, 1, MR, false));
    /**
     * {@link #TILE} with A read in place: row {@code r} of the tile is {@code a[ai + r·lda + p]} (a row-major A,
     * such as a convolution's column tile). Eight rows are eight sequential streams, each line of them used for
     * 16 steps from L1, so no packing is needed.
     */
    private static final RegisterTile ROWS = RegisterTiles.of(new Shape(MR, 2, 2, RegisterTiles.ARG, 1, false));
    /**
     * One row of C across four full strips ({@code 4·NR} columns), strip {@code t} of B starting
     * {@code t·stripStride} (the {@code bGroup} argument) after {@code bi}: enough independent accumulators to hide
     * FMA latency in a matrix-vector product, where one strip alone would leave the FMA units waiting.
     */
    static final RegisterTile ROW4_STRIPS = RegisterTiles.of(new Shape(1, 8, 2, 1, MR, false));
    /**
     * B's column sums over {@code kc} steps across four full strips (strip {@code t} from {@code bi + t·bGroup}):
     * {@code c[j] = c[j] + b[p][j]} for p in order, from the stored {@code c} when {@code load}, else from 0. The row a
     * row of ones in A gives ({@code fma(1, b, c)} is {@code c + b}, rounded once), without reading the ones.
     */
    static final RegisterTile SUMS4_STRIPS = RegisterTiles.of(new Shape(1, 8, 2, 1, MR, true));
    /** {@link #SUMS4_STRIPS} for one full strip. */
    static final RegisterTile SUMS_STRIP = RegisterTiles.of(new Shape(1, 2, 2, 1, MR, true));

    /**
     * The in-place tile ({@link #ROWS}) over {@code segments} runs of {@code kc} steps that continue one chain: run s
     * reads A from {@code ai + s·aSegment} and B from {@code bi + s·bSegment} (its one caller, {@code SgemmRowMajorTile},
     * passes one run). The same FMA chain per element as {@link #TILE}, so the same bits.
     */
    public static void tileRows(int segments, int aSegment, int bSegment, int kc, float[] a, int ai, int lda,
                                float[] bArr, int bi, int bStep, float[] c, int ci, int ldc, boolean load) {
        ROWS.runSegments(segments, aSegment, bSegment, kc, a, ai, lda, 1, bArr, bi, bStep, 0, c, ci, ldc, load);
    }

    /**
     * An edge tile ({@code rows ≤ MR} valid rows, {@code cols ≤ NR} valid columns): the valid part
     * of C is copied into {@code scratch} ({@code MR×NR}, zeros elsewhere), a full tile runs there
     * (A and B panels are zero-padded, so reading past the edge is safe), and the valid part is
     * copied back. The same FMA chain per element as a full tile, so the same bits.
     */
    static void edge(int kc, float[] ap, int ai, float[] bArr, int bi, int bStep,
                     float[] c, int ci, int ldc, int rows, int cols, boolean load, float[] scratch) {
        java.util.Arrays.fill(scratch, 0, MR * NR, 0f);
        if (load) {
            for (int r = 0; r < rows; r++) System.arraycopy(c, ci + r * ldc, scratch, r * NR, cols);
        }
        (rows > 4 ? TILE : TILE4).run(kc, ap, ai, 1, MR, bArr, bi, bStep, 0, scratch, 0, NR, true);
        for (int r = 0; r < rows; r++) System.arraycopy(scratch, r * NR, c, ci + r * ldc, cols);
    }
}
