package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AttentionScores#rows} of an {@link AttentionOperand#transposed} view (the keys' and values' copy that every
 * score and dP tile reads), dense and in key blocks, against the definition {@code dst(c, r) = x[b][r][c]}: row and
 * column counts around a 16-lane vector and a key block, one row, heads of a time-major [B,T,H*D] (rows H*D apart, as
 * the char-GPT's projections give them), strided columns, long rows.
 */
class AttentionTransposeTest {
    private final SplittableRandom rng = new SplittableRandom(11);

    @Test
    void transposeCopiesEveryElementToItsColumn() {
        int[][] shapes = {{1, 1}, {1, 32}, {15, 16}, {16, 16}, {17, 33}, {32, 31}, {128, 32}, {127, 64}, {100, 17}, {129, 32}, {300, 20}};
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1];
            for (int heads : new int[] {1, 4}) {
                for (int colStride : new int[] {1, 2}) {
                    int rowStride = heads * cols * colStride, batch = 3;
                    float[] data = new float[batch * rows * rowStride + 5];
                    for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextGaussian();
                    int[] offsets = new int[batch];
                    for (int b = 0; b < batch; b++) offsets[b] = 5 + b * rows * rowStride + (heads - 1) * cols * colStride;
                    AttentionOperand x = new AttentionOperand(data, offsets, rowStride, colStride);
                    for (int b = 0; b < 2 * batch; b++) {
                        boolean blocked = b >= batch;
                        int size = blocked ? AttentionScores.blockedSize(cols, rows) : rows * cols;
                        float[] dst = new float[size + 3];
                        AttentionScores.Rows t = AttentionScores.rows(x.transposed(), b % batch, cols, rows, dst, blocked);
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < cols; c++) {
                                assertEquals(Float.floatToRawIntBits(data[x.at(b % batch, r, c)]), Float.floatToRawIntBits(t.data()[t.at(c, r)]),
                                        rows + "x" + cols + " heads " + heads + " blocked " + blocked + " col stride " + colStride + " at (" + r + ", " + c + ")");
                            }
                        }
                        assertEquals(0f, dst[size]);
                    }
                }
            }
        }
    }
}
