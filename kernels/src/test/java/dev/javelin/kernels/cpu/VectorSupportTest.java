package dev.javelin.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.javelin.kernels.codegen.FusedKernel;
import dev.javelin.kernels.codegen.KernelInterpreter;
import dev.javelin.kernels.ir.AttentionKernels;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.spi.Backends;
import org.junit.jupiter.api.Test;

/**
 * Which float32 loops this JVM runs (generated Vector API kernels or the interpreted IR). The default test run has the incubator module and must use the
 * vector loops; the {@code scalar-fallback} Surefire execution starts a JVM without it (and sets
 * {@code javelin.test.expectVector=false}), so the same kernel tests run on the scalar loops there.
 */
class VectorSupportTest {
    @Test
    void loopsFollowTheIncubatorModule() {
        boolean expectVector = Boolean.parseBoolean(System.getProperty("javelin.test.expectVector", "true"));
        assertEquals(expectVector, VectorSupport.modulePresent(), "jdk.incubator.vector resolved");
        assertEquals(expectVector, VectorSupport.enabled());
        // the eager loops' kernels: generated Vector API classes, or the IR evaluated in plain Java
        FusedKernel k = GeneratedLoops.compile(AttentionKernels.rowMax());
        assertEquals(!expectVector, k instanceof KernelInterpreter, k.getClass().getName());
    }

    @Test
    void serviceLoaderPrefersThisBackendOnTheClassPath() {
        assertInstanceOf(CpuBackend.class, Backends.forDevice(Device.CPU));
        assertSame(Backends.forDevice(Device.CPU), Backends.forDevice(Device.CPU));
    }
}
