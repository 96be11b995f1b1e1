package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Backend;
import dev.javelin.tensor.spi.Backends;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Where there is no GPU (CI, this machine) the CUDA backend must say so without throwing, and the
 * rest of Javelin must not notice it exists; where JCuda is missing altogether, the backend's class
 * must still load and answer.
 */
class CudaAvailabilityTest {
    @Test
    void theBackendIsFoundByServiceLoaderAndDescribesItself() {
        Backend cuda = Backends.all().stream().filter(b -> b instanceof CudaBackend).findFirst().orElseThrow();
        assertEquals("cuda", cuda.name());
        assertEquals(Device.Type.CUDA, cuda.deviceType());
        assertEquals(10, cuda.priority());
    }

    @Test
    void withoutADriverItIsUnavailableAndSaysWhy() {
        Assumptions.assumeFalse(CudaBackend.probe(), "a CUDA device is present: this test is for machines without one");
        assertFalse(new CudaBackend().isAvailable());
        assertFalse(new CudaBackend().isAvailable(), "asking twice is just as safe");
        assertFalse(CudaBackend.unavailableReason().isBlank());
        assertEquals(0, CudaBackend.deviceCount());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensors.of(new float[] {1, 2}).to(Device.cuda(0)));
        assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
    }

    @Test
    void cpuWorkIsUnaffected() {
        Tensor x = Tensors.of(new float[][] {{1, 2}, {3, 4}});
        Tensor y = x.matmul(x).add(1.0).sum(1);
        assertArrayEquals(new float[] {19, 39}, y.toFloatArray());
        assertEquals(Device.Type.CPU, Backends.forDevice(Device.CPU).deviceType());
    }

    @Test
    void mixingDevicesIsAClearError() {
        RecordingRunner r = new RecordingRunner();
        Tensor gpu = r.tensor(DType.FLOAT32, 2);
        Tensor cpu = Tensors.of(new float[] {1, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.binary(dev.javelin.tensor.Op.ADD, gpu, cpu));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("cpu"), e.getMessage());
    }

    @Test
    void withoutJCudaOnTheClassPathTheClassLoadsAndReportsUnavailable() throws Exception {
        Assumptions.assumeFalse(CudaBackend.isEmulated(), "emulation makes the backend available by design");
        URL kernels = CudaBackend.class.getProtectionDomain().getCodeSource().getLocation();
        URL tensor = Backend.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader noJcuda = new URLClassLoader(new URL[] {kernels, tensor}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(CudaBackend.JCUDA_DRIVER_CLASS, false, noJcuda));
            Class<?> c = Class.forName(CudaBackend.class.getName(), true, noJcuda);
            Object backend = c.getConstructor().newInstance();
            assertEquals(false, c.getMethod("isAvailable").invoke(backend));
            String reason = (String) c.getMethod("unavailableReason").invoke(null);
            assertTrue(reason.contains("ClassNotFoundException"), reason);
        }
    }
}
