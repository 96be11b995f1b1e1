package dev.javelin.tensor;

/** Prints tensors (placeholder until the NumPy-like formatter lands). */
final class TensorFormat {
    private TensorFormat() {}

    static String format(Tensor t) {
        return "tensor(" + t.dtype() + t.shape() + ")";
    }
}
