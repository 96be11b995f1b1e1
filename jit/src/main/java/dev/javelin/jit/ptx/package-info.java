/**
 * PTX for the JIT's fused groups: {@link dev.javelin.jit.ptx.PtxRenderer} turns a
 * {@link dev.javelin.jit.ptx.FusedGroup} into one kernel, with the CUDA backend's op table
 * ({@code dev.javelin.kernels.cuda.ptx.ElementwiseOps}) so fused and unfused code agree.
 *
 * <p>Which ops fuse is decided once, device-neutrally, by the JIT's fusion pass; this package only
 * renders what it grouped, so the GPU fuses by exactly the CPU's rules.
 *
 * <h2>Adapter from the JIT's kernel IR</h2>
 * {@link dev.javelin.jit.ptx.KernelIrAdapter} implements it: the kernel IR ({@code dev.javelin.kernels.ir.KernelIR}) (SSA
 * body of loads and ops, a mode, per-slot access) maps onto {@code FusedGroup} one to one:
 * <ul>
 *   <li>{@code KernelIR.loads().get(k).dtype()} is {@code inputs().get(k)};</li>
 *   <li>an {@code Instr} with {@code load()} is {@code new Load(instr.slot())}; any other is
 *   {@code new Apply(instr.op(), instr.args())}, or {@code new Cast(arg, instr.dtype())} for CAST;</li>
 *   <li>{@code Mode.ELEMENTWISE} is {@code Kind.ELEMENTWISE}; {@code REDUCE_ROW} and
 *   {@code REDUCE_COLUMNS} are both {@code Kind.REDUCE} with the same {@code reduceOp}: on the GPU the
 *   loop order is the launch's business (one block per kept position), not the kernel's.</li>
 * </ul>
 * and {@code KernelIrAdapter.launch} turns the JIT's {@code plan.Launch} into kernel arguments, passing
 * the layouts the JIT's {@code Geometry} already computed: for an elementwise
 * kernel the coalesced loop space (dims) with every slot's strides and offset, for a reduction the
 * kept and reduced dimensions separately with each slot's strides over both (the output slot is
 * addressed over the kept ones). The per-slot {@code Access} hint (contiguous, broadcast, strided)
 * is implied by the strides (1, 0, other) and is not needed here. What remains for the JIT's
 * runtime is to choose the GPU for a program whose inputs live there and to hand each
 * {@code PlanStep.Kernel}'s launch to {@code CudaBackend.launch(device, launch)} (backend steps
 * already run through the CUDA backend's eager path).
 *
 * <pre>{@code
 * FusedGroup g = new FusedGroup("R_sum_exp_sub", FusedGroup.Kind.REDUCE, Op.REDUCE_SUM, List.of(FLOAT32, FLOAT32),
 *         List.of(new Load(0), new Load(1), new Apply(Op.SUB, List.of(0, 1)), new Apply(Op.EXP, List.of(2))));
 * String entry = PtxRenderer.reduce(g, 1, 1);   // softmax's denominator in one kernel
 * }</pre>
 */
package dev.javelin.jit.ptx;
