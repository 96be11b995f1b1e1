/**
 * PTX for the JIT's fused kernels. {@link dev.javelin.jit.ptx.PtxRenderer} renders a
 * {@code PlanStep.Kernel}'s body, the same {@code dev.javelin.kernels.ir.KernelIR} the CPU code
 * generator walks, through {@code dev.javelin.kernels.cuda.ptx.KernelIrPtx}: one IR, one
 * decomposition of each transcendental, for both devices.
 *
 * <p>Which ops fuse is decided once, device-neutrally, by the JIT's fusion pass; this package only
 * renders what it grouped, so the GPU fuses by exactly the CPU's rules.
 * {@link dev.javelin.jit.ptx.KernelIrAdapter} maps the plan's {@code plan.Launch} onto the GPU's
 * geometry: the loop becomes one more kept dimension for ELEMENTWISE and REDUCE_COLUMNS kernels
 * (one thread per element) and the innermost reduced one for REDUCE_ROW (one block per kept
 * position, a shuffle and shared-memory reduction), and passes each slot's strides and offsets as
 * kernel arguments, so one kernel serves every shape of a rank. The runtime's CUDA executor
 * ({@code runtime.CudaSteps}) launches them through {@code CudaBackend.launch}.
 *
 * <pre>{@code
 * Launch l = KernelIrAdapter.launch(kernelStep, slotAddresses, slotTensorOffsets);   // inputs, then the output
 * if (l != null) CudaBackend.launch(Device.cuda(0), l);
 * }</pre>
 */
package dev.javelin.jit.ptx;
