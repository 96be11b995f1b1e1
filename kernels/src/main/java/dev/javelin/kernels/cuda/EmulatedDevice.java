package dev.javelin.kernels.cuda;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Device;
import dev.javelin.tensor.spi.HeapStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * A CUDA device emulated on the CPU: device memory is byte buffers at fake aligned addresses, and
 * every launch runs its PTX in {@link PtxInterpreter}. Selected with {@code -Djavelin.cuda.emulate=true};
 * slow (an interpreter), meant for tests and for debugging kernels on machines without a GPU. It
 * runs everything the backend emits, the tensor-core {@code mma} kernel included.
 *
 * <pre>{@code
 * // java -Djavelin.cuda.emulate=true ...
 * Tensor y = x.to(Device.cuda(0)).exp().to(Device.CPU);   // the exp kernel's PTX, interpreted
 * }</pre>
 */
class EmulatedDevice implements GpuDevice {
    private final TreeMap<Long, ByteBuffer> memory = new TreeMap<>();
    private final Device device;
    private final CachingAllocator allocator;
    private final java.util.concurrent.atomic.LongAdder storedBytes = new java.util.concurrent.atomic.LongAdder();

    EmulatedDevice(int index) {
        this.device = Device.cuda(index);
        this.allocator = new CachingAllocator(device.toString(), new DeviceMemory() {
            private long next = 1L << 32;

            @Override
            public synchronized long malloc(long bytes) {
                long a = next;
                next += (bytes + 255) / 256 * 256 + 256;
                synchronized (memory) {
                    memory.put(a, ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN));
                }
                return a;
            }

            @Override
            public void free(long address) {
                synchronized (memory) {
                    memory.remove(address);
                }
            }
        });
    }

    @Override public Device device() { return device; }
    @Override public CachingAllocator allocator() { return allocator; }
    @Override public int sm() { return 80; }
    @Override public String name() { return "PTX interpreter (emulated " + device + ")"; }
    @Override public long scratch(long bytes) { return allocator.allocate(bytes); }
    @Override public void freeScratch(long address) { allocator.free(address); }
    @Override public void synchronize() {}

    @Override
    public void launch(Launch launch) {
        PtxInterpreter.run(this, launch);
    }

    @Override
    public void zero(long address, long bytes) {
        for (long i = 0; i < bytes; i++) rawByte(address + i, (byte) 0);
    }

    @Override
    public int readInt(long address) {
        return (int) getLong(DType.INT32, address);
    }

    @Override
    public void upload(HeapStorage host, long address) {
        int es = host.dtype().byteSize();
        for (int i = 0; i < host.length(); i++) {
            if (host.dtype().isInteger()) putLong(host.dtype(), address + (long) i * es, host.getLong(i));
            else put(host.dtype(), address + (long) i * es, host.getDouble(i));
        }
    }

    @Override
    public HeapStorage download(long address, DType dtype, int length) {
        HeapStorage h = HeapStorage.allocate(dtype, length);
        int es = dtype.byteSize();
        for (int i = 0; i < length; i++) {
            if (dtype.isInteger()) h.setLong(i, getLong(dtype, address + (long) i * es));
            else h.setDouble(i, get(dtype, address + (long) i * es));
        }
        return h;
    }

    /** Bytes that kernels' {@code st.global} instructions have written so far (not uploads or zeroing): what a change of stores saves. */
    long storedBytes() {
        return storedBytes.sum();
    }

    void countStored(int bytes) {
        storedBytes.add(bytes);
    }

    // ---- typed access to emulated memory -----------------------------------------------------

    private ByteBuffer region(long address, int bytes) {
        synchronized (memory) {
            Map.Entry<Long, ByteBuffer> e = memory.floorEntry(address);
            if (e == null || address < e.getKey() || address + bytes > e.getKey() + e.getValue().capacity()) {
                throw new IllegalStateException("cuda emulation: access of " + bytes + " bytes at 0x" + Long.toHexString(address)
                        + " is outside every allocation");
            }
            return e.getValue();
        }
    }

    private int at(long address) {
        synchronized (memory) {
            return (int) (address - memory.floorKey(address));
        }
    }

    /** Element of dtype t at address, widened to double (bool: 0 or 1). */
    double get(DType t, long address) {
        ByteBuffer b = region(address, t.byteSize());
        int i = at(address);
        return switch (t) {
            case FLOAT32 -> b.getFloat(i);
            case FLOAT64 -> b.getDouble(i);
            case INT32 -> b.getInt(i);
            case INT64 -> b.getLong(i);
            case BOOL -> b.get(i) != 0 ? 1 : 0;
        };
    }

    /** Integer element at address (int64 exactly). */
    long getLong(DType t, long address) {
        if (t == DType.INT64) return region(address, 8).getLong(at(address));
        return (long) get(t, address);
    }

    void put(DType t, long address, double v) {
        ByteBuffer b = region(address, t.byteSize());
        int i = at(address);
        switch (t) {
            case FLOAT32 -> b.putFloat(i, (float) v);
            case FLOAT64 -> b.putDouble(i, v);
            case INT32 -> b.putInt(i, (int) (long) v);
            case INT64 -> b.putLong(i, (long) v);
            case BOOL -> b.put(i, (byte) (v != 0 ? 1 : 0));
        }
    }

    void putLong(DType t, long address, long v) {
        if (t == DType.INT64) region(address, 8).putLong(at(address), v);
        else put(t, address, v);
    }

    /** One raw byte, as a PTX st.u8 writes it. */
    void rawByte(long address, byte v) {
        region(address, 1).put(at(address), v);
    }
}
