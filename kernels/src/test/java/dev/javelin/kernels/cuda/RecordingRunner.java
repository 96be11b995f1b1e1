package dev.javelin.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A "null device" (tinygrad's term): plans run against it without a GPU. It records every launch,
 * hands out fake aligned addresses, and checks each launch's arguments against the kernel's
 * declared parameters (count and PTX type), which is where a planner and its generator could drift.
 */
final class RecordingRunner implements KernelRunner {
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) \\w+");

    final List<Launch> launches = new ArrayList<>();
    private final FakeHeap heap = new FakeHeap();
    private long nextScratch = 1L << 40;

    @Override
    public int sm() {
        return 80;
    }

    @Override
    public void launch(Launch l) {
        List<String> types = new ArrayList<>();
        Matcher m = PARAM.matcher(l.entry().substring(0, l.entry().indexOf(')')));
        while (m.find()) types.add(m.group(1));
        assertEquals(types.size(), l.args().size(), () -> l.name() + ": " + types.size() + " parameters " + types + " but "
                + l.args().size() + " arguments " + l.args());
        for (int i = 0; i < types.size(); i++) {
            Object a = l.args().get(i);
            String t = types.get(i);
            boolean ok = switch (t) {
                case "u64", "s64" -> a instanceof Long;
                case "u32", "s32" -> a instanceof Integer;
                case "f32" -> a instanceof Float;
                case "f64" -> a instanceof Double;
                default -> false;
            };
            if (!ok) fail(l.name() + ": parameter " + i + " is ." + t + " but the argument is " + a.getClass().getSimpleName() + " " + a);
        }
        if (!l.entry().contains(".entry " + l.name() + "(")) fail("launch name " + l.name() + " does not match its entry");
        launches.add(l);
    }

    @Override
    public long scratch(long bytes) {
        long a = nextScratch;
        nextScratch += (bytes + 511) / 512 * 512 + 512;
        return a;
    }

    @Override
    public int readInt(long address) {
        return 0;
    }

    /** A dense CUDA tensor over fake device memory. */
    Tensor tensor(DType dtype, int... dims) {
        Shape s = Shape.of(dims);
        return Tensor.wrap(new CudaStorage(heap, dtype, s.sizeAsInt(), false), s);
    }

    /** A strided view over fake device memory of {@code storageLength} elements. */
    Tensor view(DType dtype, int storageLength, int[] dims, int[] strides, int offset) {
        return Tensor.wrap(new CudaStorage(heap, dtype, storageLength, false), Shape.of(dims), strides, offset);
    }

    List<String> entries() {
        List<String> e = new ArrayList<>();
        for (Launch l : launches) e.add(l.entry());
        return e;
    }

    List<String> names() {
        List<String> e = new ArrayList<>();
        for (Launch l : launches) e.add(l.name());
        return e;
    }

    /** Device memory that is only numbers: 256-aligned addresses from a counter. */
    static final class FakeMemory implements DeviceMemory {
        long next = 1L << 32;
        long limit = Long.MAX_VALUE;
        long inUse;
        final List<Long> freed = new ArrayList<>();
        private final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        @Override
        public long malloc(long bytes) {
            if (inUse + bytes > limit) throw new OutOfDeviceMemory("fake device full");
            long a = next;
            next += (bytes + 255) / 256 * 256;
            inUse += bytes;
            sizes.put(a, bytes);
            return a;
        }

        @Override
        public void free(long address) {
            freed.add(address);
            inUse -= sizes.remove(address);
        }
    }

    /** A heap over {@link FakeMemory} that records zeroing requests. */
    static final class FakeHeap implements DeviceHeap {
        final FakeMemory memory = new FakeMemory();
        final CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        final List<long[]> zeroed = new ArrayList<>();

        @Override public Device device() { return Device.cuda(0); }
        @Override public CachingAllocator allocator() { return allocator; }
        @Override public void zero(long address, long bytes) { zeroed.add(new long[] {address, bytes}); }
    }
}
