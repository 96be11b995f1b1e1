package dev.javelin.highlevel;

import dev.javelin.tensor.OpCall;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.OpObserver;

/**
 * The NaN check of steps run op by op ({@code compile(... nanCheck(true))} with
 * {@code jitCompile(false)} or off the CPU): every op's result is checked as it is produced, and the
 * first NaN or infinity stops the step with an {@link ArithmeticException} naming that op, as
 * {@link dev.javelin.jit.JitOptions#nanCheck()} names it in a compiled program.
 */
final class EagerNanCheck implements OpObserver {
    /** Watches the ops of the current thread until the scope closes. */
    static Dispatch.Scope watch() {
        return Dispatch.observe(new EagerNanCheck());
    }

    @Override
    public void onOp(OpCall call, Tensor result) {
        if (result.isSymbolic() || !result.dtype().isFloating()) return;
        for (double d : result.toDoubleArray()) {
            if (!Double.isFinite(d)) {
                StringBuilder already = new StringBuilder();
                for (int i = 0; i < call.inputs().size(); i++) {
                    Tensor in = call.inputs().get(i);
                    if (!in.isSymbolic() && in.dtype().isFloating() && !allFinite(in)) already.append(" (input ").append(i).append(" is already non-finite)");
                }
                throw new ArithmeticException("nan-check: first NaN or infinity produced by " + call + already);
            }
        }
    }

    private static boolean allFinite(Tensor t) {
        for (double d : t.toDoubleArray()) if (!Double.isFinite(d)) return false;
        return true;
    }
}
