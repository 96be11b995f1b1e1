package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.LayerRegistry;
import dev.javelin.highlevel.initializers.RandomNormal;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.Dispatch;
import java.util.List;
import java.util.Map;

/**
 * Keeps the spectral norm (largest singular value) of a wrapped layer's {@code kernel} (an Embedding's
 * {@code embeddings}) near 1, as
 * Keras's SpectralNormalization: in training each call runs {@code powerIterations} steps of power
 * iteration with a persistent vector {@code vector_u} (non-trainable), estimates
 * {@code sigma = v W u^T} for the kernel seen as {@code [-1, outputs]}, and assigns {@code W / sigma}
 * to the kernel before calling the layer. As in Keras the rescaling is an assignment (like
 * BatchNormalization's moving statistics), not differentiated through; an all-zero kernel is left alone.
 *
 * <pre>{@code
 * Layer d = new SpectralNormalization(new Dense(64), 1, null);
 * }</pre>
 */
public final class SpectralNormalization extends Layer {
    private static final double NORM_EPSILON = 1e-12;
    private final Layer layer;
    private final int powerIterations;
    private Variable kernel;
    private Variable vectorU;

    public SpectralNormalization(Layer layer, int powerIterations, String name) {
        super(name);
        this.layer = Checks.notNull("SpectralNormalization", "layer", layer);
        if (powerIterations < 1) {
            throw new IllegalArgumentException("SpectralNormalization: power_iterations must be >= 1, got " + powerIterations);
        }
        this.powerIterations = powerIterations;
    }

    @Override
    public void build(Shape in) {
        layer.ensureBuilt(List.of(in));
        track(layer);
        for (Variable v : layer.weights()) if (v.name().endsWith("/kernel")) kernel = v;
        if (kernel == null) { // an Embedding's table, as Keras takes it when the layer has no kernel
            for (Variable v : layer.weights()) if (v.name().endsWith("/embeddings")) kernel = v;
        }
        if (kernel == null) {
            throw new IllegalArgumentException(name() + " (SpectralNormalization): the wrapped " + layer
                    + " has no weight named 'kernel' nor 'embeddings'");
        }
        vectorU = addWeight("vector_u", Shape.of(1, kernel.shape().dim(-1)), kernel.dtype(), new RandomNormal(0, 0.02, null), null, false);
    }

    @Override
    @SuppressWarnings("try") // the scope only needs closing
    public Tensor call(Tensor x, boolean training) {
        if (training) {
            try (Dispatch.Scope noGrad = Dispatch.pauseObservers()) {
                Tensor w = kernel.value();
                Tensor matrix = w.reshape(-1, w.dim(-1));
                Tensor u = vectorU.value(), v = null;
                for (int i = 0; i < powerIterations; i++) {
                    v = normalize(u.matmul(matrix.mT()));
                    u = normalize(v.matmul(matrix));
                }
                Tensor sigma = v.matmul(matrix).matmul(u.mT()).reshape();                 // a scalar
                Tensor zero = sigma.eq(0.0);
                kernel.assign(w.div(Ops.where(zero, Ops.scalarLike(sigma, 1), sigma)));
                vectorU.assign(Ops.where(zero, vectorU.value(), u));
            }
        }
        return layer.apply(List.of(x), training);
    }

    private static Tensor normalize(Tensor t) {
        return t.mul(t.mul(t).sum().maximum(NORM_EPSILON).rsqrt());
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return layer.computeOutputShape(in);
    }

    /** The wrapped layer. */
    public Layer layer() {
        return layer;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("layer", Bidirectional.entry(layer));
        c.put("power_iterations", powerIterations);
        return c;
    }

    @SuppressWarnings("unchecked")
    public static SpectralNormalization fromConfig(Map<String, Object> c) {
        if (!(c.get("layer") instanceof Map<?, ?> entry)) {
            throw new IllegalArgumentException("SpectralNormalization: config 'layer' must be {\"class_name\": ..., \"config\": {...}}");
        }
        return new SpectralNormalization(LayerRegistry.fromEntry((Map<String, Object>) entry), Config.integer(c, "power_iterations", 1),
                Config.string(c, "name", null));
    }
}
