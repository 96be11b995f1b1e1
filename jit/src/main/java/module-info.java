/**
 * The JIT: traces a function of tensors into a graph, rewrites and fuses it, generates Vector API
 * loops as hidden classes written with ASM (and PTX for the GPU), and caches the programs.
 * The incubator module is optional here as in the kernels: without it, programs run their steps
 * through the backend.
 */
module dev.javelin.jit {
    requires transitive dev.javelin.tensor;
    requires dev.javelin.kernels;
    requires org.objectweb.asm;
    requires org.objectweb.asm.util;
    requires static jdk.incubator.vector;

    exports dev.javelin.jit;
    exports dev.javelin.jit.graph;
    exports dev.javelin.jit.passes;
    exports dev.javelin.jit.plan;
    exports dev.javelin.jit.runtime;
    exports dev.javelin.jit.cpu;
    exports dev.javelin.jit.ptx;
}
