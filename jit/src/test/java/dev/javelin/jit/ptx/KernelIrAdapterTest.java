package dev.javelin.jit.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.jit.graph.Graph;
import dev.javelin.jit.graph.Tracer;
import dev.javelin.jit.passes.Passes;
import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.jit.plan.Lowering;
import dev.javelin.jit.plan.PlanStep;
import dev.javelin.kernels.cuda.ptx.PtxModule;
import dev.javelin.kernels.cuda.ptx.Ptxas;
import dev.javelin.tensor.NN;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The JIT's real fused kernels (traced, optimized, fused by its own passes) rendered as PTX. */
class KernelIrAdapterTest {
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) \\w+");

    private static Tensor data(int seed, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.sizeAsInt()];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.37 + seed);
        return Tensors.of(v, dims);
    }

    private static List<PlanStep.Kernel> kernels(Function<Tensor[], Tensor[]> f, Tensor... args) {
        Graph g = Tracer.trace(f, args);
        Passes.optimize(g);
        return Lowering.plan(g).stream().filter(s -> s instanceof PlanStep.Kernel).map(s -> (PlanStep.Kernel) s).toList();
    }

    @Test
    void tracedGraphsBecomeLaunchesWhoseArgumentsMatchTheirPtx() {
        Tensor x = data(1, 8, 33);
        Tensor bias = data(2, 33);
        List<PlanStep.Kernel> all = new ArrayList<>();
        all.addAll(kernels(a -> new Tensor[] {a[0].mul(a[1]).add(2.0).tanh().mul(a[0].sigmoid()).relu()}, x, bias));
        all.addAll(kernels(a -> new Tensor[] {NN.softmax(a[0], 1)}, x));
        all.addAll(kernels(a -> new Tensor[] {a[0].exp().sum(new int[] {0}, false)}, x)); // column sums
        all.addAll(kernels(a -> new Tensor[] {a[0].mul(a[0]).sum(new int[] {0, 1}, false)}, x)); // a full reduction
        all.addAll(kernels(a -> new Tensor[] {NN.gelu(a[0], true), NN.logSoftmax(a[0], 0)}, x));
        assertTrue(all.stream().anyMatch(k -> k.ir().mode() == KernelIR.Mode.REDUCE_ROW));
        assertTrue(all.stream().anyMatch(k -> k.ir().mode() == KernelIR.Mode.ELEMENTWISE));
        Map<String, String> entries = new LinkedHashMap<>();
        for (PlanStep.Kernel k : all) {
            int slots = k.leaves().size() + 1;
            long[] addresses = new long[slots];
            for (int s = 0; s < slots; s++) addresses[s] = (s + 1L) << 20;
            var launch = KernelIrAdapter.launch(k, addresses, new int[slots]);
            List<String> types = new ArrayList<>();
            Matcher m = PARAM.matcher(launch.entry().substring(0, launch.entry().indexOf(')')));
            while (m.find()) types.add(m.group(1));
            assertEquals(types.size(), launch.args().size(), k.ir().name() + ": parameters " + types + " vs arguments " + launch.args());
            for (int i = 0; i < types.size(); i++) {
                Class<?> expected = types.get(i).equals("u64") ? Long.class : Integer.class;
                assertEquals(expected, launch.args().get(i).getClass(), k.ir().name() + " argument " + i);
            }
            entries.putIfAbsent(launch.name(), launch.entry());
        }
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH");
        PtxModule module = new PtxModule(PtxModule.SM_80);
        entries.values().forEach(module::add);
        for (String arch : List.of("sm_80", "sm_90")) assertNull(Ptxas.assemble(module.text(), arch));
    }

    @Test
    void theLoopBecomesTheInnermostReducedDimensionOfARowReduction() {
        PlanStep.Kernel max = kernels(a -> new Tensor[] {a[0].max(new int[] {1}, true)}, data(3, 8, 33)).get(0);
        KernelIrAdapter.GpuLayout l = KernelIrAdapter.layout(max.ir(), max.launch());
        assertEquals(8, l.keptCount());
        assertEquals(33, l.redCount());
        assertTrue(l.reduce());
    }
}
