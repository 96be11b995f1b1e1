package dev.javelin.tensor.spi;

import dev.javelin.tensor.Device;
import dev.javelin.tensor.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends with {@link ServiceLoader} and picks one per device type: the available one with
 * the highest priority. The system property {@code javelin.backend=<name>} (or {@link #prefer})
 * forces one by name, e.g. {@code reference} to run everything on the oracle.
 *
 * <pre>{@code
 * Backend cpu = Backends.forDevice(Device.CPU);
 * }</pre>
 */
public final class Backends {
    private static volatile List<Backend> all;
    private static final Map<Device.Type, Backend> chosen = new ConcurrentHashMap<>();
    private static volatile String preferred = System.getProperty("javelin.backend");

    private Backends() {}

    /** Every backend found on the class or module path, available or not. */
    public static List<Backend> all() {
        List<Backend> list = all;
        if (list == null) {
            synchronized (Backends.class) {
                if (all == null) {
                    List<Backend> found = new ArrayList<>();
                    for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) found.add(b);
                    if (found.stream().noneMatch(b -> b instanceof ReferenceBackend)) found.add(ReferenceBackend.INSTANCE);
                    found.sort(Comparator.comparingInt(Backend::priority).reversed());
                    all = List.copyOf(found);
                }
                list = all;
            }
        }
        return list;
    }

    /** The backend that runs ops on {@code device}. */
    public static Backend forDevice(Device device) {
        return chosen.computeIfAbsent(device.type(), Backends::choose);
    }

    /** The naive, obviously correct CPU backend: the oracle for tests. */
    public static Backend reference() {
        return ReferenceBackend.INSTANCE;
    }

    /** Forces the backend named {@code name} where it serves a device type; null restores the default choice. */
    public static void prefer(String name) {
        preferred = name;
        chosen.clear();
    }

    private static Backend choose(Device.Type type) {
        List<Backend> candidates = all().stream().filter(b -> b.deviceType() == type).toList();
        if (preferred != null) {
            for (Backend b : candidates) {
                if (b.name().equals(preferred) && b.isAvailable()) return b;
            }
        }
        for (Backend b : candidates) {
            if (b.isAvailable()) return b;
        }
        throw new IllegalStateException("No available backend for device type " + type + "; found: "
                + all().stream().map(b -> b.name() + (b.isAvailable() ? "" : " (unavailable)")).toList());
    }
}
