package dev.javelin.highlevel.initializers;

import dev.javelin.tensor.Shape;

/** Keras's fan-in / fan-out of a weight shape: [in, out] for dense, HWIO for convolutions. */
record Fans(double in, double out) {
    static Fans of(Shape shape) {
        int r = shape.rank();
        if (r == 0) return new Fans(1, 1);
        if (r == 1) return new Fans(shape.dim(0), shape.dim(0));
        if (r == 2) return new Fans(shape.dim(0), shape.dim(1));
        double receptive = 1;
        for (int i = 0; i < r - 2; i++) receptive *= shape.dim(i);
        return new Fans(shape.dim(r - 2) * receptive, shape.dim(r - 1) * receptive);
    }
}
