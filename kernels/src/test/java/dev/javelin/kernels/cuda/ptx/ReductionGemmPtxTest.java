package dev.javelin.kernels.cuda.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReductionGemmPtxTest {
    @Test
    void reductionsAssembleForEveryOpDtypeAndRank() {
        List<String> entries = new ArrayList<>();
        for (Op op : List.of(Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_MIN, Op.ARGMAX, Op.ARGMIN)) {
            for (DType t : DType.values()) {
                if (op == Op.REDUCE_SUM && t == DType.BOOL) continue;
                for (int[] ranks : new int[][] {{1, 1}, {2, 1}, {1, 3}}) {
                    entries.add(ReductionPtx.blockKernel(op, t, ranks[0], ranks[1]));
                    entries.add(ReductionPtx.threadKernel(op, t, ranks[0], ranks[1]));
                }
            }
        }
        assertTrue(entries.size() >= 140, "one kernel per case, got " + entries.size());
        PtxasAssert.assemble("reductions", entries);
    }

    @Test
    void gemmKernelsAssemble() {
        String large = SgemmPtx.kernel(SgemmPtx.LARGE, true);
        assertTrue(large.contains("ld.global.nc.v4.f32") && large.contains("ld.shared.v4.f32") && large.contains("st.global.v4.f32"),
                "the vectorized SGEMM uses v4 loads and stores");
        PtxasAssert.assemble("gemm", List.of(large, SgemmPtx.kernel(SgemmPtx.LARGE, false), SgemmPtx.kernel(SgemmPtx.SMALL, true),
                SgemmPtx.kernel(SgemmPtx.SMALL, false), DgemmPtx.kernel()));
    }

    /**
     * Every tile and load variant with an epilogue in its store, C stored beside it or not: relu(C + bias) and a bool mask
     * of (C * residual > 0) over two row dimensions.
     */
    @Test
    void gemmKernelsWithEpiloguesAssemble() {
        var f = DType.FLOAT32;
        var reluBias = new dev.javelin.kernels.ir.KernelIR("E_add_relu", dev.javelin.kernels.ir.KernelIR.Mode.ELEMENTWISE, null,
                List.of(new dev.javelin.kernels.ir.KernelIR.Load(f, dev.javelin.kernels.ir.KernelIR.Access.CONTIGUOUS),
                        new dev.javelin.kernels.ir.KernelIR.Load(f, dev.javelin.kernels.ir.KernelIR.Access.STRIDED)),
                List.of(dev.javelin.kernels.ir.KernelIR.Instr.load(0, f), dev.javelin.kernels.ir.KernelIR.Instr.load(1, f),
                        dev.javelin.kernels.ir.KernelIR.Instr.op(Op.ADD, List.of(0, 1), f),
                        dev.javelin.kernels.ir.KernelIR.Instr.op(Op.TANH, List.of(2), f)), f);
        var mask = new dev.javelin.kernels.ir.KernelIR("E_mul_gt", dev.javelin.kernels.ir.KernelIR.Mode.ELEMENTWISE, null,
                reluBias.loads(), List.of(dev.javelin.kernels.ir.KernelIR.Instr.load(0, f), dev.javelin.kernels.ir.KernelIR.Instr.load(1, f),
                        dev.javelin.kernels.ir.KernelIR.Instr.op(Op.MUL, List.of(0, 1), f),
                        dev.javelin.kernels.ir.KernelIR.Instr.op(Op.GT, List.of(2, 1), DType.BOOL)), DType.BOOL);
        List<String> entries = new ArrayList<>();
        for (boolean storesC : new boolean[] {true, false}) {
            for (var shape : List.of(new EpiloguePtx.Shape(reluBias, new boolean[] {true, false}, 1, storesC),
                    new EpiloguePtx.Shape(mask, new boolean[] {true, false}, 2, storesC))) {
                for (SgemmPtx.Tile tile : List.of(SgemmPtx.LARGE, SgemmPtx.SMALL)) {
                    for (boolean vec : new boolean[] {true, false}) entries.add(SgemmPtx.kernel(tile, vec, shape));
                }
            }
        }
        assertTrue(entries.get(0).contains("fma.rn.f32") && !entries.get(0).contains("ex2.approx"), "tanh from the IR in the store");
        // the large vectorized kernel stores C (v4) and U (v4) per group of four, or U alone
        int half = entries.size() / 2;
        assertEquals(2 * stores(SgemmPtx.kernel(SgemmPtx.LARGE, true)), stores(entries.get(0)), "C and U stored");
        assertEquals(stores(SgemmPtx.kernel(SgemmPtx.LARGE, true)), stores(entries.get(half)), "U alone stored");
        PtxasAssert.assemble("gemm with epilogues", entries);
    }

    private static int stores(String ptx) {
        return ptx.split("st\\.global", -1).length - 1;
    }
}
