package dev.javelin.kernels.cpu;

import dev.javelin.tensor.Tensor;

/**
 * How a reduction walks its input: the kept dims (in output order) and the reduced dims, each with
 * size-1 dims dropped and neighbours merged where the input lays them out as one run. Whether the
 * kept or the reduced inner dim is contiguous decides the kernel: reduce along rows, or accumulate
 * whole rows of outputs (the pooling case, where channels are kept and contiguous).
 */
final class ReducePlan {
    /** The reduced tensor. */
    final Tensor x;
    final int[] keptDims, keptStrides;
    final int[] redDims, redStrides;
    final long outSize, redSize;

    /** The plan to reduce {@code axes} of {@code x}. */
    static ReducePlan of(Tensor x, int[] axes) {
        boolean[] reduced = new boolean[x.rank()];
        for (int a : axes) reduced[a] = true;
        return new ReducePlan(x, collapse(x, reduced, false), collapse(x, reduced, true));
    }

    private ReducePlan(Tensor x, int[][] kept, int[][] red) {
        this.x = x;
        keptDims = kept[0];
        keptStrides = kept[1];
        redDims = red[0];
        redStrides = red[1];
        outSize = product(keptDims);
        redSize = product(redDims);
    }

    /** Whether whole rows of outputs are accumulated: the kept inner dim is contiguous and the reduced one is not. */
    boolean accumulatesRows() {
        int k = keptDims.length, r = redDims.length;
        return k > 0 && keptStrides[k - 1] == 1 && (r == 0 || redStrides[r - 1] != 1);
    }

    /** The dims whose reduced flag equals {@code which}, collapsed: {dims, strides}. */
    private static int[][] collapse(Tensor x, boolean[] reduced, boolean which) {
        int[] dims = x.shape().toArray(), strides = x.strides();
        int[] d = new int[dims.length];
        int[] s = new int[dims.length];
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            if (reduced[i] != which) continue;
            if (dims[i] == 0) return new int[][] {{0}, {0}};
            if (dims[i] == 1) continue;
            if (r > 0 && s[r - 1] == strides[i] * dims[i]) { // the previous dim steps over this one exactly
                d[r - 1] *= dims[i];
                s[r - 1] = strides[i];
            } else {
                d[r] = dims[i];
                s[r] = strides[i];
                r++;
            }
        }
        return new int[][] {java.util.Arrays.copyOf(d, r), java.util.Arrays.copyOf(s, r)};
    }

    /** Offset of element {@code index} (row-major) of the kept dims, else of the reduced ones, the inner {@code skip} dims left out. */
    int offset(boolean kept, long index, int skip) {
        int[] dims = kept ? keptDims : redDims, strides = kept ? keptStrides : redStrides;
        int off = 0;
        for (int d = dims.length - 1 - skip; d >= 0; d--) {
            off += (int) (index % dims[d]) * strides[d];
            index /= dims[d];
        }
        return off;
    }

    static long product(int[] d) {
        long p = 1;
        for (int v : d) p *= v;
        return p;
    }
}
