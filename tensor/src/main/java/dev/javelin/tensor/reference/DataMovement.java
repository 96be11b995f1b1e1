package dev.javelin.tensor.reference;

import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Strided;

/** PAD and FOLD: each input element has one computable place in the output (FOLD adds, PAD copies). */
final class DataMovement {
    private DataMovement() {}

    /** Fills with the pad value, then writes input element (i0, i1, ...) at (low_d + i_d * (interior_d + 1)). */
    static void pad(OpCall call, Tensor out) {
        Tensor x = call.input(0);
        OpAttrs.Pad p = call.attrs(OpAttrs.Pad.class);
        int[] outStrides = out.shape().contiguousStrides();
        int[] strides = new int[x.rank()];
        int start = 0;
        for (int d = 0; d < x.rank(); d++) {
            strides[d] = outStrides[d] * (p.interior()[d] + 1);
            start += p.low()[d] * outStrides[d];
        }
        int[] target = Strided.offsets(x.shape(), strides, start);
        int n = out.shape().sizeAsInt();
        if (x.dtype().isFloating()) {
            double[] v = Dense.doubles(x);
            double[] r = new double[n];
            java.util.Arrays.fill(r, p.value());
            for (int i = 0; i < v.length; i++) r[target[i]] = v[i];
            Dense.store(out, r);
        } else {
            long[] v = Dense.longs(x);
            long[] r = new long[n];
            // An integer pad value is whole (Ops documents it); bool pads with value != 0.
            java.util.Arrays.fill(r, x.dtype() == dev.javelin.tensor.DType.BOOL ? (p.value() != 0 ? 1 : 0) : (long) p.value());
            for (int i = 0; i < v.length; i++) r[target[i]] = v[i];
            Dense.store(out, r);
        }
    }

    /** Adds window element [b,i,j,r,s,c] into out[b, i*strideH + r*dilationH, j*strideW + s*dilationW, c]. */
    static void fold(OpCall call, Tensor out) {
        Tensor win = call.input(0);
        OpAttrs.Window w = call.attrs(OpAttrs.Window.class);
        int[] os = out.shape().contiguousStrides();
        int[] strides = {os[0], os[1] * w.strideH(), os[2] * w.strideW(), os[1] * w.dilationH(), os[2] * w.dilationW(), os[3]};
        int[] target = Strided.offsets(win.shape(), strides, 0);
        int n = out.shape().sizeAsInt();
        if (win.dtype().isFloating()) {
            double[] v = Dense.doubles(win);
            double[] r = new double[n];
            for (int i = 0; i < v.length; i++) r[target[i]] += v[i];
            Dense.store(out, r);
        } else {
            long[] v = Dense.longs(win);
            long[] r = new long[n];
            for (int i = 0; i < v.length; i++) r[target[i]] += v[i];
            Dense.store(out, r);
        }
    }
}
