package dev.javelin.kernels.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Dimension coalescing for strided kernels: drops size-1 dimensions and merges neighbours that are
 * contiguous in every operand, so dense tensors become rank 1 and a kernel's index arithmetic
 * shrinks to what the layout needs. Always at least rank 1.
 *
 * <pre>{@code
 * StridedLayout l = StridedLayout.coalesce(new int[] {4, 5}, List.of(new int[] {5, 1}, new int[] {0, 1}));
 * // l.dims() = [4, 5]: the second operand broadcasts rows, so nothing merges
 * }</pre>
 *
 * @param dims    the merged shape
 * @param strides per operand, the merged strides
 */
public record StridedLayout(int[] dims, List<int[]> strides) {
    public int rank() {
        return dims.length;
    }

    public static StridedLayout coalesce(int[] dims, List<int[]> operandStrides) {
        int ops = operandStrides.size();
        List<Integer> keptDims = new ArrayList<>();
        List<int[]> keptStrides = new ArrayList<>(); // per dim: stride of each operand
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] == 1) continue;
            int[] s = new int[ops];
            for (int k = 0; k < ops; k++) s[k] = operandStrides.get(k)[d];
            if (!keptDims.isEmpty()) {
                int last = keptDims.size() - 1;
                int inner = keptDims.get(last);
                int[] innerStrides = keptStrides.get(last);
                boolean merge = true;
                for (int k = 0; k < ops; k++) merge &= s[k] == innerStrides[k] * inner;
                if (merge) {
                    keptDims.set(last, inner * dims[d]);
                    continue;
                }
            }
            keptDims.add(dims[d]);
            keptStrides.add(s);
        }
        if (keptDims.isEmpty()) {
            keptDims.add(1);
            keptStrides.add(new int[ops]);
        }
        int r = keptDims.size();
        int[] outDims = new int[r];
        List<int[]> outStrides = new ArrayList<>();
        for (int k = 0; k < ops; k++) outStrides.add(new int[r]);
        for (int i = 0; i < r; i++) { // collected innermost first
            outDims[r - 1 - i] = keptDims.get(i);
            for (int k = 0; k < ops; k++) outStrides.get(k)[r - 1 - i] = keptStrides.get(i)[k];
        }
        return new StridedLayout(outDims, outStrides);
    }

    /** Row-major strides of {@code dims}. */
    public static int[] dense(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= dims[d];
        }
        return s;
    }
}
