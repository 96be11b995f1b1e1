/**
 * The Keras-like API: layers, models ({@code Sequential}, functional, subclassed), training
 * ({@code compile} / {@code fit} / {@code evaluate} / {@code predict}), losses, metrics, optimizers,
 * callbacks, saving (safetensors) and datasets.
 */
module dev.javelin.highlevel {
    requires transitive dev.javelin.tensor;
    requires transitive dev.javelin.autodiff;
    requires dev.javelin.json;
    requires dev.javelin.jit;
    requires dev.javelin.kernels;

    exports dev.javelin.highlevel;
    exports dev.javelin.highlevel.callbacks;
    exports dev.javelin.highlevel.data;
    exports dev.javelin.highlevel.initializers;
    exports dev.javelin.highlevel.layers;
    exports dev.javelin.highlevel.losses;
    exports dev.javelin.highlevel.metrics;
    exports dev.javelin.highlevel.models;
    exports dev.javelin.highlevel.optimizers;
    exports dev.javelin.highlevel.regularizers;
    exports dev.javelin.highlevel.saving;
}
