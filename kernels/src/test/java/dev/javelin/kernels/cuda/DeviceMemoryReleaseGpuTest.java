package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.testing.GcSettle;
import dev.javelin.testing.RandomTensors;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deterministic release of device memory: {@link Tensor#release} and {@link Variable#release} give a
 * tensor's block back to the caching allocator at once ({@link CudaBackend#memoryAllocated} returns to
 * what it was), a later use of the tensor or of a view sharing its memory throws an error that names the
 * release, and {@link CudaBackend#emptyCache} hands the cached blocks to the driver. On the emulated
 * device in the build ({@code cuda-emulated}).
 */
class DeviceMemoryReleaseGpuTest {
    private static final Device GPU = Device.cuda(0);
    private final RandomTensors rnd = new RandomTensors(31);

    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(CudaBackend.probe(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    @Test
    void aReleasedTensorsMemoryIsBackAndItsUseIsAnError() {
        LongSupplier allocated = () -> CudaBackend.memoryAllocated(GPU);
        long before = GcSettle.settled(allocated); // what earlier tests dropped is gone first; x, y and view stay reachable
        Tensor host = rnd.normal(Shape.of(300, 7));
        Tensor x = host.to(GPU);
        Tensor y = x.exp(); // an op's result: the backend's own allocation (one op: no temporaries left for the GC)
        Tensor view = Ops.transpose(x, 0, 1);
        assertTrue(GcSettle.settled(allocated) >= before + 2L * 300 * 7 * 4, CudaBackend.memoryReport(GPU));
        assertArrayEquals(host.exp().toFloatArray(), y.to(Device.CPU).toFloatArray(), 1e-5f);
        x.release();
        y.release();
        y.release(); // twice: nothing more
        assertEquals(before, GcSettle.settled(allocated), "every block is back: " + CudaBackend.memoryReport(GPU));
        for (Tensor released : new Tensor[] {x, view, y}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> released.exp().to(Device.CPU));
            assertTrue(e.getMessage().contains("released") && e.getMessage().contains("Tensor.release"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> released.to(Device.CPU));
        }
        // the cache still holds the blocks; emptying it returns them to the driver
        assertTrue(CudaBackend.memoryReserved(GPU) > CudaBackend.memoryAllocated(GPU), CudaBackend.memoryReport(GPU));
        GcSettle.settled(allocated); // no cleaner left to put a block in the cache behind emptyCache's back
        CudaBackend.emptyCache(GPU);
        assertEquals(CudaBackend.memoryAllocated(GPU), CudaBackend.memoryReserved(GPU), CudaBackend.memoryReport(GPU));
    }

    @Test
    void aReleasedVariableCannotBeReadUntilANewValueIsStored() {
        LongSupplier allocated = () -> CudaBackend.memoryAllocated(GPU);
        long before = GcSettle.settled(allocated);
        Variable w = new Variable("w", rnd.normal(Shape.of(5, 3)).to(GPU), true);
        w.release();
        assertEquals(before, GcSettle.settled(allocated), CudaBackend.memoryReport(GPU));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.value().exp().to(Device.CPU));
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        Tensor fresh = rnd.normal(Shape.of(5, 3));
        w.store(fresh.to(GPU));
        assertArrayEquals(fresh.toFloatArray(), w.value().to(Device.CPU).toFloatArray(), 0f);
        w.release();
        assertEquals(before, GcSettle.settled(allocated), CudaBackend.memoryReport(GPU));
    }

    @Test
    void releasingAHostTensorDoesNothing() {
        Tensor x = rnd.uniform(Shape.of(4), DType.FLOAT32);
        float[] v = x.toFloatArray();
        x.release();
        assertArrayEquals(v, x.toFloatArray(), 0f);
    }
}
