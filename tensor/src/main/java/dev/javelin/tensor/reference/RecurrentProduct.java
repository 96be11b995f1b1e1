package dev.javelin.tensor.reference;

/**
 * The recurrent product of one step of one example, shared by the reference cells
 * ({@link RecurrenceMath}, {@link GruMath}, {@link RnnMath}): {@code base + h·w} forward, and backward
 * {@code dh_prev = direct + dz·wᵀ} with {@code dw += h_prevᵀ·dz}, in double, in a fixed order.
 */
final class RecurrentProduct {
    private RecurrentProduct() {}

    /** {@code out[j] = base[baseAt + j] + Σ_k h[k]·w[k, j]} for w [h.length, out.length], row-major. */
    static void forward(double[] h, double[] w, double[] base, int baseAt, double[] out) {
        int width = out.length;
        for (int j = 0; j < width; j++) {
            double acc = base[baseAt + j];
            for (int k = 0; k < h.length; k++) acc += h[k] * w[k * width + j];
            out[j] = acc;
        }
    }

    /**
     * {@code dh[k] += Σ_j dz[j]·w[k, j]}, where {@code dh} holds the direct path to the previous h on
     * entry (zero, or h's own gradient on a masked step), and {@code r[dwAt + k·width + j] += hPrev[hAt + k]·dz[j]}.
     */
    static void backward(double[] dz, double[] w, double[] hPrev, int hAt, double[] r, int dwAt, double[] dh) {
        int width = dz.length;
        for (int k = 0; k < dh.length; k++) {
            double acc = dh[k];
            for (int j = 0; j < width; j++) {
                acc += dz[j] * w[k * width + j];
                r[dwAt + k * width + j] += hPrev[hAt + k] * dz[j];
            }
            dh[k] = acc;
        }
    }
}
