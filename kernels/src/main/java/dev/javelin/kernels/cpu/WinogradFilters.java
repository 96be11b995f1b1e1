package dev.javelin.kernels.cpu;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.ir.WinogradKernels;
import dev.javelin.kernels.ir.WinogradKernels.Operand;
import dev.javelin.kernels.ir.WinogradKernels.Transform;

/**
 * Runs Winograd's filter transform and its adjoint ({@link WinogradKernels}: generated kernels over
 * the filter's output channels) over a range of input channels in one {@link FusedKernel#runRows}
 * call: each input channel is a row, every slot's offset stepping by a row of the filter.
 *
 * <pre>{@code
 * WinogradFilters.filter(f, cin, cout, 0, cout, u, 0, cin * cout);   // all of f's output channels
 * }</pre>
 */
final class WinogradFilters {
    private static final FusedKernel FILTER = GeneratedLoops.compile(WinogradKernels.FILTER.ir());
    private static final FusedKernel GRADIENT = GeneratedLoops.compile(WinogradKernels.FILTER_GRADIENT.ir());

    private WinogradFilters() {}

    /**
     * Output channels {@code [col0, col0 + cols)} of the dense HWIO 3x3 filter {@code f} ([3, 3, cin,
     * cout]) transformed into {@code u[uOff + p·plane + ci·cols + j]} for plane p, input channel ci and
     * channel {@code col0 + j}.
     */
    static void filter(float[] f, int cin, int cout, int col0, int cols, float[] u, int uOff, int plane) {
        run(WinogradKernels.FILTER, FILTER, f, col0, cin * cout, cout, u, uOff, plane, cols, cin, cols);
    }

    /**
     * The 16 point gradients of input channels {@code [ci0, ci1)}, {@code w[p·cin·cout + ci·cout + co]},
     * transformed into the filter gradient's taps {@code df[tap·cin·cout + ci·cout + co]} (tap = 3·ky + kx).
     */
    static void gradient(float[] w, int cin, int cout, int ci0, int ci1, float[] df) {
        int tap = cin * cout;
        run(WinogradKernels.FILTER_GRADIENT, GRADIENT, df, ci0 * cout, tap, cout, w, ci0 * cout, tap, cout, ci1 - ci0, cout);
    }

    /**
     * {@code rows} rows of {@code n} channels: tap k of row r at {@code taps[tapOff + k·tapStride + r·tapRow]},
     * plane p at {@code planes[planeOff + p·planeStride + r·planeRow]}.
     */
    private static void run(Transform t, FusedKernel kernel, float[] taps, int tapOff, int tapStride, int tapRow,
                            float[] planes, int planeOff, int planeStride, int planeRow, int rows, int n) {
        int slots = t.slots().size();
        Object[] arrays = new Object[slots];
        int[] offsets = new int[slots], strides = new int[slots];
        for (int s = 0; s < slots; s++) {
            Operand o = t.slots().get(s);
            arrays[s] = o.plane() ? planes : taps;
            offsets[s] = o.plane() ? planeOff + o.index() * planeStride : tapOff + o.index() * tapStride;
            strides[s] = o.plane() ? planeRow : tapRow;
        }
        kernel.runRows(arrays, offsets, new int[slots][], n, strides, rows);
    }
}
