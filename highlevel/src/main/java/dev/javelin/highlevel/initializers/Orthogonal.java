package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A (semi-)orthogonal matrix times {@code gain}, as Keras's Orthogonal (the default recurrent
 * kernel initializer of SimpleRNN, LSTM and GRU): a normal matrix of
 * {@code [prod(shape[:-1]), shape[-1]]} is orthonormalised along its longer side, the QR factor
 * with a positive diagonal of R (Gram-Schmidt in double gives exactly that).
 *
 * <pre>{@code
 * Tensor u = new Orthogonal(1.0, 3L).apply(Shape.of(64, 256), DType.FLOAT32);  // orthonormal rows
 * }</pre>
 */
public final class Orthogonal implements Initializer {
    private final double gain;
    private final Long seed;

    public Orthogonal() {
        this(1.0, null);
    }

    /** @param seed null draws one from the global sequence */
    public Orthogonal(double gain, Long seed) {
        this.gain = gain;
        this.seed = seed;
    }

    @Override
    public Tensor apply(Shape shape, DType dtype) {
        if (shape.rank() < 2) throw new IllegalArgumentException("Orthogonal: expected a shape of rank >= 2, got " + shape);
        if (!dtype.isFloating()) throw new IllegalArgumentException("Orthogonal: expected a floating dtype, got " + dtype);
        int cols = shape.dim(-1);
        int rows = shape.sizeAsInt() / Math.max(cols, 1);
        boolean transposed = rows < cols;
        int tall = Math.max(rows, cols);
        int narrow = Math.min(rows, cols);
        SplittableRandom rng = new SplittableRandom(HostRandom.seedOrNext(seed));
        double[][] q = new double[narrow][tall]; // the columns of the tall matrix
        for (int i = 0; i < tall; i++) for (int j = 0; j < narrow; j++) q[j][i] = HostRandom.gaussian(rng);
        for (int j = 0; j < narrow; j++) {
            for (int pass = 0; pass < 2; pass++) { // twice: Gram-Schmidt loses orthogonality in one pass
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < tall; i++) dot += q[j][i] * q[k][i];
                    for (int i = 0; i < tall; i++) q[j][i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < tall; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < tall; i++) q[j][i] /= norm;
        }
        HeapStorage h = HeapStorage.allocate(dtype, rows * cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) h.setDouble(r * cols + c, gain * (transposed ? q[r][c] : q[c][r]));
        }
        return Tensor.wrap(h, shape);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("gain", gain);
        if (seed != null) c.put("seed", seed);
        return c;
    }
}
