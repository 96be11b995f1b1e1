package dev.javelin.jit;

import static dev.javelin.jit.BitIdentityTest.assertSameBits;
import static dev.javelin.jit.BitIdentityTest.functions;
import static dev.javelin.jit.BitIdentityTest.input;

import dev.javelin.kernels.codegen.TieredKernel;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A cold JVM runs every generated kernel in its interpreter tier first (TieredKernel), a warm one
 * in its Vector API code: eager and compiled results must have the same bits either way, on dense
 * and strided inputs (the bit-identity contract's "however warm the JVM is").
 */
class TieredExecutionTest {
    @Test
    void interpreterTierAndGeneratedCodeGiveTheSameBits() {
        Tensor x = input(Shape.of(37, 70), 11L);
        Tensor strided = input(Shape.of(70, 37), 12L).transpose(0, 1);
        TieredKernel.Policy before = TieredKernel.policy();
        try {
            for (var f : functions().entrySet()) {
                CompiledFunction compiled = Jit.compile(a -> new Tensor[] {f.getValue().apply(a[0])});
                for (Tensor in : new Tensor[] {x, strided}) {
                    TieredKernel.setPolicy(TieredKernel.Policy.INTERPRETER);
                    float[] eagerCold = f.getValue().apply(in).toFloatArray(), compiledCold = compiled.call(in)[0].toFloatArray();
                    TieredKernel.setPolicy(TieredKernel.Policy.VECTOR);
                    float[] eagerWarm = f.getValue().apply(in).toFloatArray(), compiledWarm = compiled.call(in)[0].toFloatArray();
                    String what = f.getKey() + (in == x ? "" : " on a transposed view");
                    assertSameBits(what + ": eager, interpreter vs generated code", eagerWarm, eagerCold);
                    assertSameBits(what + ": compiled, interpreter vs generated code", compiledWarm, compiledCold);
                    assertSameBits(what + ": eager vs compiled in the interpreter", eagerCold, compiledCold);
                }
            }
        } finally {
            TieredKernel.setPolicy(before);
        }
    }
}
