package dev.javelin.perf.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

/** Starts DJL's PyTorch engine (offline: the native libraries come from the class path) at a thread count. */
final class DjlSetup {
    private DjlSetup() {}

    static NDManager start(int threads) {
        System.setProperty("ai.djl.offline", "true");
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        JniUtils.setNumInteropThreads(1);
        return engine.newBaseManager();
    }
}
