package dev.javelin.jit.cpu;

import dev.javelin.kernels.cpu.VectorFunctions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The instruction table of the CPU code generator: one small static method per elementwise op of
 * the kernel IR, over {@link FloatVector}s (float32 values) and {@link VectorMask}s (bool values) of
 * the preferred species. Generated kernels call these; C2 inlines them, so a generated loop runs
 * the same machine code as the hand-written loop would. Keeping the semantics here, in Java, makes
 * them readable and keeps the bytecode generator a plain table walk. Every method matches the
 * reference backend's definition of its op within float tolerance (NaN propagates through max,
 * min and relu; sign keeps zeros and NaN). exp, log, tanh, sigmoid, erf and the lane sum are the
 * eager CPU backend's own {@link VectorFunctions}: the same bits in every JIT tier (the Vector API's
 * lanewise EXP/LOG/TANH and reduceLanes(ADD) differ between interpreted and compiled code), so a
 * compiled transcendental matches eager bit for bit. Every VectorFunctions method is under C2's
 * 325-bytecode limit for inlining a hot call; one that is not inlined boxes its vectors (the fused
 * tanh/sigmoid chain went from 28 to 63 ms when tanh was 435 bytecodes).
 */
public final class KernelSupport {
    /** The species every generated loop uses. */
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    // Constants are made where used (C2 folds a broadcast of a constant), never kept in static
    // FloatVector fields: a vector loaded from a field is a heap object, and one that starts a loop's
    // accumulator kept it boxed, ten times slower (a row sum took 64 us instead of 6).
    private static FloatVector zero() { return FloatVector.zero(S); }
    private static FloatVector one() { return FloatVector.broadcast(S, 1f); }

    private KernelSupport() {}

    // ---- unary ----
    public static FloatVector neg(FloatVector x) { return x.neg(); }
    public static FloatVector abs(FloatVector x) { return x.abs(); }
    public static FloatVector exp(FloatVector x) { return VectorFunctions.exp(x); }
    /** exp for a loop body with a second heavy function: see {@link VectorFunctions#expCompact}. */
    public static FloatVector expCompact(FloatVector x) { return VectorFunctions.expCompact(x); }
    public static FloatVector log(FloatVector x) { return VectorFunctions.log(x); }
    public static FloatVector sqrt(FloatVector x) { return x.sqrt(); }
    public static FloatVector sin(FloatVector x) { return x.lanewise(VectorOperators.SIN); }
    public static FloatVector cos(FloatVector x) { return x.lanewise(VectorOperators.COS); }
    public static FloatVector tanh(FloatVector x) { return VectorFunctions.tanh(x); }
    public static FloatVector sigmoid(FloatVector x) { return VectorFunctions.sigmoid(x); }
    public static FloatVector erf(FloatVector x) { return VectorFunctions.erf(x); }
    public static FloatVector relu(FloatVector x) { return x.max(zero()); }
    public static FloatVector reciprocal(FloatVector x) { return one().div(x); }

    public static FloatVector sign(FloatVector x) {
        return x.blend(one(), x.compare(VectorOperators.GT, 0f)).blend(one().neg(), x.compare(VectorOperators.LT, 0f));
    }

    public static VectorMask<Float> logical_not(VectorMask<Float> x) { return x.not(); }

    // ---- binary ----
    public static FloatVector add(FloatVector a, FloatVector b) { return a.add(b); }
    public static FloatVector sub(FloatVector a, FloatVector b) { return a.sub(b); }
    public static FloatVector mul(FloatVector a, FloatVector b) { return a.mul(b); }
    public static FloatVector div(FloatVector a, FloatVector b) { return a.div(b); }
    public static FloatVector pow(FloatVector a, FloatVector b) { return a.lanewise(VectorOperators.POW, b); }
    public static FloatVector max(FloatVector a, FloatVector b) { return a.max(b); }
    public static FloatVector min(FloatVector a, FloatVector b) { return a.min(b); }
    public static VectorMask<Float> eq(FloatVector a, FloatVector b) { return a.compare(VectorOperators.EQ, b); }
    public static VectorMask<Float> ne(FloatVector a, FloatVector b) { return a.compare(VectorOperators.NE, b); }
    public static VectorMask<Float> lt(FloatVector a, FloatVector b) { return a.compare(VectorOperators.LT, b); }
    public static VectorMask<Float> le(FloatVector a, FloatVector b) { return a.compare(VectorOperators.LE, b); }
    public static VectorMask<Float> gt(FloatVector a, FloatVector b) { return a.compare(VectorOperators.GT, b); }
    public static VectorMask<Float> ge(FloatVector a, FloatVector b) { return a.compare(VectorOperators.GE, b); }

    // bool operands of max/min/comparisons (Ops allows them on bool tensors)
    public static VectorMask<Float> max(VectorMask<Float> a, VectorMask<Float> b) { return a.or(b); }
    public static VectorMask<Float> min(VectorMask<Float> a, VectorMask<Float> b) { return a.and(b); }
    public static VectorMask<Float> eq(VectorMask<Float> a, VectorMask<Float> b) { return a.eq(b); }
    public static VectorMask<Float> ne(VectorMask<Float> a, VectorMask<Float> b) { return a.eq(b).not(); }
    public static VectorMask<Float> lt(VectorMask<Float> a, VectorMask<Float> b) { return b.andNot(a); }
    public static VectorMask<Float> le(VectorMask<Float> a, VectorMask<Float> b) { return a.andNot(b).not(); }
    public static VectorMask<Float> gt(VectorMask<Float> a, VectorMask<Float> b) { return a.andNot(b); }
    public static VectorMask<Float> ge(VectorMask<Float> a, VectorMask<Float> b) { return b.andNot(a).not(); }

    // ---- ternary and casts ----
    public static FloatVector where(VectorMask<Float> c, FloatVector a, FloatVector b) { return b.blend(a, c); }
    public static VectorMask<Float> where(VectorMask<Float> c, VectorMask<Float> a, VectorMask<Float> b) {
        return a.and(c).or(b.andNot(c));
    }
    public static FloatVector toFloat(VectorMask<Float> x) { return zero().blend(one(), x); }
    public static VectorMask<Float> toBool(FloatVector x) { return x.compare(VectorOperators.NE, 0f); }

    // ---- reductions: identity, combine, masked tail, lanes ----
    public static FloatVector identity_sum() { return zero(); }
    public static FloatVector identity_max() { return FloatVector.broadcast(S, Float.NEGATIVE_INFINITY); }
    public static FloatVector identity_min() { return FloatVector.broadcast(S, Float.POSITIVE_INFINITY); }
    public static FloatVector combine_sum(FloatVector acc, FloatVector v) { return acc.add(v); }
    public static FloatVector combine_max(FloatVector acc, FloatVector v) { return acc.max(v); }
    public static FloatVector combine_min(FloatVector acc, FloatVector v) { return acc.min(v); }
    public static FloatVector tail_sum(FloatVector v, VectorMask<Float> m) { return zero().blend(v, m); }
    public static FloatVector tail_max(FloatVector v, VectorMask<Float> m) { return identity_max().blend(v, m); }
    public static FloatVector tail_min(FloatVector v, VectorMask<Float> m) { return identity_min().blend(v, m); }
    public static float lanes_sum(FloatVector acc) {
        // VectorFunctions.sumLanes' tree (lane i += lane i + w, w = lanes/2 ... 1: the same additions in
        // the same order, so the same bits) in scalar code: its shuffles cost C2 enough nodes that after a
        // row loop with an exp this call was left out of line, boxing its vector once per row
        float[] t = new float[S.length()];
        acc.intoArray(t, 0);
        for (int w = t.length / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) t[i] += t[i + w];
        }
        return t[0];
    }
    public static float lanes_max(FloatVector acc) { return acc.reduceLanes(VectorOperators.MAX); }
    public static float lanes_min(FloatVector acc) { return acc.reduceLanes(VectorOperators.MIN); }

    // ---- bool loads and stores (masks have no masked or gathered array access) ----
    public static VectorMask<Float> loadMask(boolean[] a, int index) { return VectorMask.fromArray(S, a, index); }

    public static VectorMask<Float> loadMaskTail(boolean[] a, int index, int count) {
        long bits = 0;
        for (int j = 0; j < count; j++) if (a[index + j]) bits |= 1L << j;
        return VectorMask.fromLong(S, bits);
    }

    public static VectorMask<Float> gatherMask(boolean[] a, int offset, int[] map, int mapOffset) {
        long bits = 0;
        for (int j = 0; j < S.length(); j++) if (a[offset + map[mapOffset + j]]) bits |= 1L << j;
        return VectorMask.fromLong(S, bits);
    }

    public static VectorMask<Float> broadcastMask(boolean[] a, int index) { return S.maskAll(a[index]); }

    public static void storeMask(VectorMask<Float> m, boolean[] a, int index) { m.intoArray(a, index); }

    public static void storeMaskTail(VectorMask<Float> m, boolean[] a, int index, int count) {
        for (int j = 0; j < count; j++) a[index + j] = m.laneIsSet(j);
    }

    /** The gather map of a strided slot: {@code 0, stride, 2*stride, ...}, padded with 0 for the masked tail. */
    public static int[] gatherMap(int stride, int n) {
        int[] map = new int[n + S.length()];
        for (int i = 0; i < n; i++) map[i] = i * stride;
        return map;
    }
}
