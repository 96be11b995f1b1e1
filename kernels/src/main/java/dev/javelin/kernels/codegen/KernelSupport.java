package dev.javelin.kernels.codegen;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * What generated CPU kernels share that is not arithmetic: the species every loop uses, the bool
 * loads and stores (a mask has no masked or gathered array access, so these are small loops), and
 * the gather maps of strided slots. The arithmetic itself is written into each kernel
 * ({@link VectorInstructions}).
 */
public final class KernelSupport {
    /** The species every generated loop uses. */
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private KernelSupport() {}

    // ---- bool loads and stores (masks have no masked or gathered array access) ----
    public static VectorMask<Float> loadMask(boolean[] a, int index) { return VectorMask.fromArray(S, a, index); }

    public static VectorMask<Float> loadMaskTail(boolean[] a, int index, int count) {
        long bits = 0;
        for (int j = 0, c = Math.min(count, S.length()); j < c; j++) if (a[index + j]) bits |= 1L << j;
        return VectorMask.fromLong(S, bits);
    }

    public static VectorMask<Float> gatherMask(boolean[] a, int offset, int[] map, int mapOffset) {
        long bits = 0;
        for (int j = 0; j < S.length(); j++) if (a[offset + map[mapOffset + j]]) bits |= 1L << j;
        return VectorMask.fromLong(S, bits);
    }

    public static VectorMask<Float> gatherMaskTail(boolean[] a, int offset, int[] map, int mapOffset, int count) {
        long bits = 0;
        for (int j = 0, c = Math.min(count, S.length()); j < c; j++) if (a[offset + map[mapOffset + j]]) bits |= 1L << j;
        return VectorMask.fromLong(S, bits);
    }

    /**
     * The first {@code count} lanes (at most a vector's) of a gather through {@code map}, the others unspecified:
     * a tail that reads only its own positions. At the end of the map's row the padding (0) is read, so the gather
     * is the plain one; a chunk's tail inside the row gathers its lanes one by one.
     */
    public static FloatVector gatherTail(float[] a, int offset, int[] map, int mapOffset, int count) {
        if (mapOffset + count == map.length - S.length()) return FloatVector.fromArray(S, a, offset, map, mapOffset);
        float[] lanes = new float[S.length()];
        for (int j = 0, c = Math.min(count, lanes.length); j < c; j++) lanes[j] = a[offset + map[mapOffset + j]];
        return FloatVector.fromArray(S, lanes, 0);
    }

    public static VectorMask<Float> broadcastMask(boolean[] a, int index) { return S.maskAll(a[index]); }

    public static void storeMask(VectorMask<Float> m, boolean[] a, int index) { m.intoArray(a, index); }

    public static void storeMaskTail(VectorMask<Float> m, boolean[] a, int index, int count) {
        for (int j = 0; j < count; j++) a[index + j] = m.laneIsSet(j);
    }

    /**
     * The gather map of a strided slot: {@code 0, stride, 2*stride, ...}, padded with 0 for a row's last
     * vector (the kernel's tail reads only its own lanes: see {@link #gatherTail}).
     */
    public static int[] gatherMap(int stride, int n) {
        int[] map = new int[n + S.length()];
        for (int i = 0; i < n; i++) map[i] = i * stride;
        return map;
    }
}
