package dev.javelin.kernels.cuda.ptx;

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
}
