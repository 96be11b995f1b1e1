package dev.javelin.kernels.cuda.ptx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexConvRandomPtxTest {
    @Test
    void indexConvRandomAndMmaKernelsAssemble() {
        List<String> entries = new ArrayList<>();
        for (DType t : DType.values()) {
            for (DType idx : List.of(DType.INT32, DType.INT64)) {
                entries.add(IndexPtx.gather(t, idx, 2));
                if (t != DType.BOOL) entries.add(IndexPtx.scatterAdd(t, idx, 3));
            }
            entries.add(IndexPtx.pad(t, 1));
            entries.add(IndexPtx.pad(t, 4));
            entries.add(ConvPtx.im2col(t));
            if (t.isFloating()) entries.add(ConvPtx.fold(t));
        }
        entries.add(RandomPtx.uniform());
        entries.add(RandomPtx.normal());
        entries.add(MmaPtx.kernel());
        assertTrue(entries.size() > 30);
        PtxasAssert.assemble("index_conv_random", entries);
    }
}
