package dev.javelin.tensor.reference;

/**
 * The recurrent product of one step of one example, shared by the reference cells
 * ({@link RecurrenceMath}, {@link GruMath}, {@link RnnMath}): {@code base + h·w} forward, and backward
 * {@code dh_prev = direct + dz·wᵀ} with {@code dw += h_prevᵀ·dz}, in double, in a fixed order.
 */
final class RecurrentProduct {
    private RecurrentProduct() {}

    /**
     * {@code out[j] = base[baseAt + j] + Σ_k h[k]·m[k, j]·w[k, j]} for w [h.length, out.length], row-major,
     * where {@code m[k, j]} is the recurrent dropout multiplier of gate {@code j / h.length} for unit k,
     * {@code drop[dropAt + (j / h.length)·h.length + k]}, or 1 when {@code drop} is null.
     */
    static void forward(double[] h, double[] drop, int dropAt, double[] w, double[] base, int baseAt, double[] out) {
        int width = out.length, u = h.length;
        for (int j = 0; j < width; j++) {
            double acc = base[baseAt + j];
            int m = dropAt + (j / u) * u;
            for (int k = 0; k < u; k++) acc += h[k] * (drop == null ? 1 : drop[m + k]) * w[k * width + j];
            out[j] = acc;
        }
    }

    /**
     * {@code dh[k] += Σ_j dz[j]·m[k, j]·w[k, j]}, where {@code dh} holds the direct path to the previous h
     * on entry (zero, or h's own gradient on a masked step), and
     * {@code r[dwAt + k·width + j] += hPrev[hAt + k]·m[k, j]·dz[j]} (m as in {@link #forward}).
     */
    static void backward(double[] dz, double[] w, double[] hPrev, int hAt, double[] drop, int dropAt, double[] r, int dwAt, double[] dh) {
        int width = dz.length, u = dh.length;
        for (int k = 0; k < u; k++) {
            double acc = dh[k];
            for (int j = 0; j < width; j++) {
                double m = drop == null ? 1 : drop[dropAt + (j / u) * u + k];
                acc += dz[j] * m * w[k * width + j];
                r[dwAt + k * width + j] += hPrev[hAt + k] * m * dz[j];
            }
            dh[k] = acc;
        }
    }
}
