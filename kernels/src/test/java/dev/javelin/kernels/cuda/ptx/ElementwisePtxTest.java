package dev.javelin.kernels.cuda.ptx;

import static dev.javelin.tensor.DType.BOOL;
import static dev.javelin.tensor.DType.FLOAT32;
import static dev.javelin.tensor.DType.FLOAT64;
import static dev.javelin.tensor.DType.INT32;
import static dev.javelin.tensor.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElementwisePtxTest {
    private static final DType[] ALL = {FLOAT32, FLOAT64, INT32, INT64, BOOL};

    @Test
    void everyElementwiseOpAndCastAssembles() {
        List<String> entries = new ArrayList<>();
        int id = 0;
        for (Op op : Op.values()) {
            int arity = switch (op.kind()) {
                case UNARY -> 1;
                case BINARY -> 2;
                case TERNARY -> 3;
                default -> 0;
            };
            if (arity == 0) continue;
            for (DType t : ALL) {
                if (!ElementwiseOps.supports(op, t) || !valid(op, t)) continue;
                List<DType> in = new ArrayList<>();
                for (int k = 0; k < arity; k++) in.add(op == Op.WHERE && k == 0 ? BOOL : op == Op.LOGICAL_NOT ? BOOL : t);
                DType out = op.isComparison() || op == Op.LOGICAL_NOT ? BOOL : t;
                for (int rank : new int[] {1, 3}) {
                    String name = "E_" + op.label() + "_" + PtxTypes.tag(t) + "_r" + rank + "_" + id++;
                    entries.add(ElementwisePtx.kernel(name, KernelIrPtx.single(op, in, out), rank));
                }
                if (t == FLOAT32 && out == FLOAT32 && !in.contains(BOOL)) { // the dense four-per-thread form renders the body four times and once more for the tail
                    boolean[] broadcast = new boolean[arity];
                    broadcast[0] = arity > 1;
                    entries.add(ElementwisePtx.vectorKernel("E_" + op.label() + "_v4_" + id++, KernelIrPtx.single(op, in, out), broadcast));
                }
            }
        }
        for (DType from : ALL) {
            for (DType to : ALL) {
                if (from == to) continue;
                entries.add(ElementwisePtx.kernel("E_cast_" + PtxTypes.tag(from) + "_" + PtxTypes.tag(to),
                        KernelIrPtx.single(Op.CAST, List.of(from), to), 2));
            }
        }
        assertTrue(entries.size() > 100, "expected a kernel per op and dtype, got " + entries.size());
        PtxasAssert.assemble("elementwise", entries);
    }

    private static boolean valid(Op op, DType t) {
        if (op == Op.LOGICAL_NOT) return t == BOOL;
        if (t == BOOL) return op.isComparison() || op == Op.MAX || op == Op.MIN || op == Op.WHERE;
        if (!t.isFloating()) {
            return op == Op.NEG || op == Op.ABS || op == Op.SIGN || op.kind() != Op.Kind.UNARY && op != Op.DIV && op != Op.POW;
        }
        return true;
    }
}
