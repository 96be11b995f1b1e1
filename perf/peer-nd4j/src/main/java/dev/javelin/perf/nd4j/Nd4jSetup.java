package dev.javelin.perf.nd4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Starts ND4J (OpenBLAS underneath) in float32 at a thread count. */
final class Nd4jSetup {
    private Nd4jSetup() {}

    static void start(int threads) {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
