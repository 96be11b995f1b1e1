package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Activation;
import dev.javelin.highlevel.layers.Add;
import dev.javelin.highlevel.layers.Average;
import dev.javelin.highlevel.layers.AveragePooling1D;
import dev.javelin.highlevel.layers.AveragePooling2D;
import dev.javelin.highlevel.layers.AveragePooling3D;
import dev.javelin.highlevel.layers.BatchNormalization;
import dev.javelin.highlevel.layers.Bidirectional;
import dev.javelin.highlevel.layers.Concatenate;
import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.layers.Conv1D;
import dev.javelin.highlevel.layers.Conv1DTranspose;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Conv2DTranspose;
import dev.javelin.highlevel.layers.Conv3D;
import dev.javelin.highlevel.layers.Conv3DTranspose;
import dev.javelin.highlevel.layers.Cropping1D;
import dev.javelin.highlevel.layers.Cropping2D;
import dev.javelin.highlevel.layers.Cropping3D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.DepthwiseConv1D;
import dev.javelin.highlevel.layers.DepthwiseConv2D;
import dev.javelin.highlevel.layers.Dot;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.ELU;
import dev.javelin.highlevel.layers.EinsumDense;
import dev.javelin.highlevel.layers.Embedding;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.highlevel.layers.PositionEmbedding;
import dev.javelin.highlevel.layers.TransformerDecoder;
import dev.javelin.highlevel.models.GptModel;
import dev.javelin.highlevel.layers.GRU;
import dev.javelin.highlevel.layers.GlobalAveragePooling1D;
import dev.javelin.highlevel.layers.GlobalAveragePooling2D;
import dev.javelin.highlevel.layers.GlobalAveragePooling3D;
import dev.javelin.highlevel.layers.GlobalMaxPooling1D;
import dev.javelin.highlevel.layers.GlobalMaxPooling2D;
import dev.javelin.highlevel.layers.GlobalMaxPooling3D;
import dev.javelin.highlevel.layers.GroupNormalization;
import dev.javelin.highlevel.layers.Identity;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.Lambda;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.LayerNormalization;
import dev.javelin.highlevel.layers.LeakyReLU;
import dev.javelin.highlevel.layers.Masking;
import dev.javelin.highlevel.layers.MaxPooling1D;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.layers.MaxPooling3D;
import dev.javelin.highlevel.layers.Maximum;
import dev.javelin.highlevel.layers.Minimum;
import dev.javelin.highlevel.layers.Multiply;
import dev.javelin.highlevel.layers.PReLU;
import dev.javelin.highlevel.layers.Permute;
import dev.javelin.highlevel.layers.RMSNormalization;
import dev.javelin.highlevel.layers.ReLU;
import dev.javelin.highlevel.layers.RepeatVector;
import dev.javelin.highlevel.layers.Rescaling;
import dev.javelin.highlevel.layers.Reshape;
import dev.javelin.highlevel.layers.SeparableConv1D;
import dev.javelin.highlevel.layers.SeparableConv2D;
import dev.javelin.highlevel.layers.SimpleRNN;
import dev.javelin.highlevel.layers.Softmax;
import dev.javelin.highlevel.layers.SpectralNormalization;
import dev.javelin.highlevel.layers.Subtract;
import dev.javelin.highlevel.layers.TimeDistributed;
import dev.javelin.highlevel.layers.UnitNormalization;
import dev.javelin.highlevel.layers.UpSampling1D;
import dev.javelin.highlevel.layers.UpSampling2D;
import dev.javelin.highlevel.layers.UpSampling3D;
import dev.javelin.highlevel.layers.ZeroPadding1D;
import dev.javelin.highlevel.layers.ZeroPadding2D;
import dev.javelin.highlevel.layers.ZeroPadding3D;
import dev.javelin.highlevel.saving.Shortened;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Layer classes by name, for {@link Model#load}: the built-in layers are registered; a custom
 * layer (or subclassed model) registers a factory that rebuilds it from {@code getConfig()}.
 * A factory reads its values with {@link Config}'s getters; every key its {@code getConfig()} writes
 * must be read back, because a key that no factory reads is refused as unknown (see {@link #create}).
 *
 * <pre>{@code
 * LayerRegistry.register("Scale", Scale::fromConfig);
 * Model m = Model.load(Path.of("model.safetensors"));
 * }</pre>
 */
public final class LayerRegistry {
    private static final Map<String, Function<Map<String, Object>, ? extends Layer>> FACTORIES = new ConcurrentHashMap<>();

    static {
        register("InputLayer", InputLayer::fromConfig);
        register("Dense", Dense::fromConfig);
        register("Conv2D", Conv2D::fromConfig);
        register("MaxPooling2D", MaxPooling2D::fromConfig);
        register("AveragePooling2D", AveragePooling2D::fromConfig);
        register("GlobalAveragePooling2D", GlobalAveragePooling2D::fromConfig);
        register("Flatten", Flatten::fromConfig);
        register("Reshape", Reshape::fromConfig);
        register("Dropout", Dropout::fromConfig);
        register("BatchNormalization", BatchNormalization::fromConfig);
        register("LayerNormalization", LayerNormalization::fromConfig);
        register("Embedding", Embedding::fromConfig);
        register("Activation", Activation::fromConfig);
        register("Add", Add::fromConfig);
        register("Concatenate", Concatenate::fromConfig);
        registerKerasLayers();
        registerSequenceLayers();
        registerAttentionLayers();
    }

    /** Attention, the transformer block and the decoder-only model (issue 13). */
    private static void registerAttentionLayers() {
        register("MultiHeadAttention", MultiHeadAttention::fromConfig);
        register("PositionEmbedding", PositionEmbedding::fromConfig);
        register("TransformerDecoder", TransformerDecoder::fromConfig);
        register("GptModel", GptModel::fromConfig);
    }

    /** The convolution, reshaping, pooling, normalization, merging and activation layers of issue 14. */
    private static void registerKerasLayers() {
        register("Conv2DTranspose", Conv2DTranspose::fromConfig);
        register("DepthwiseConv2D", DepthwiseConv2D::fromConfig);
        register("SeparableConv2D", SeparableConv2D::fromConfig);
        register("UpSampling1D", UpSampling1D::fromConfig);
        register("UpSampling2D", UpSampling2D::fromConfig);
        register("UpSampling3D", UpSampling3D::fromConfig);
        register("ZeroPadding1D", ZeroPadding1D::fromConfig);
        register("ZeroPadding2D", ZeroPadding2D::fromConfig);
        register("ZeroPadding3D", ZeroPadding3D::fromConfig);
        register("Cropping1D", Cropping1D::fromConfig);
        register("Cropping2D", Cropping2D::fromConfig);
        register("Cropping3D", Cropping3D::fromConfig);
        register("GlobalMaxPooling2D", GlobalMaxPooling2D::fromConfig);
        register("GlobalMaxPooling3D", GlobalMaxPooling3D::fromConfig);
        register("GlobalAveragePooling3D", GlobalAveragePooling3D::fromConfig);
        register("MaxPooling3D", MaxPooling3D::fromConfig);
        register("AveragePooling3D", AveragePooling3D::fromConfig);
        register("GroupNormalization", GroupNormalization::fromConfig);
        register("UnitNormalization", UnitNormalization::fromConfig);
        register("RMSNormalization", RMSNormalization::fromConfig);
        register("Rescaling", Rescaling::fromConfig);
        register("RepeatVector", RepeatVector::fromConfig);
        register("Permute", Permute::fromConfig);
        register("Identity", Identity::fromConfig);
        register("Lambda", Lambda::fromConfig);
        register("Multiply", Multiply::fromConfig);
        register("Subtract", Subtract::fromConfig);
        register("Average", Average::fromConfig);
        register("Maximum", Maximum::fromConfig);
        register("Minimum", Minimum::fromConfig);
        register("Dot", Dot::fromConfig);
        register("ReLU", ReLU::fromConfig);
        register("LeakyReLU", LeakyReLU::fromConfig);
        register("PReLU", PReLU::fromConfig);
        register("ELU", ELU::fromConfig);
        register("Softmax", Softmax::fromConfig);
        register("EinsumDense", EinsumDense::fromConfig);
        register("Conv1DTranspose", Conv1DTranspose::fromConfig);
        register("DepthwiseConv1D", DepthwiseConv1D::fromConfig);
        register("SeparableConv1D", SeparableConv1D::fromConfig);
        register("Conv3D", Conv3D::fromConfig);
        register("Conv3DTranspose", Conv3DTranspose::fromConfig);
        register("SpectralNormalization", SpectralNormalization::fromConfig);
    }

    /** The recurrent and 1D layers (issue 13). */
    private static void registerSequenceLayers() {
        register("Masking", Masking::fromConfig);
        register("SimpleRNN", SimpleRNN::fromConfig);
        register("LSTM", LSTM::fromConfig);
        register("GRU", GRU::fromConfig);
        register("Bidirectional", Bidirectional::fromConfig);
        register("TimeDistributed", TimeDistributed::fromConfig);
        register("Conv1D", Conv1D::fromConfig);
        register("MaxPooling1D", MaxPooling1D::fromConfig);
        register("AveragePooling1D", AveragePooling1D::fromConfig);
        register("GlobalMaxPooling1D", GlobalMaxPooling1D::fromConfig);
        register("GlobalAveragePooling1D", GlobalAveragePooling1D::fromConfig);
    }

    private LayerRegistry() {}

    /** Registers (or replaces) the factory for layers saved under {@code className} (their simple class name). */
    public static void register(String className, Function<Map<String, Object>, ? extends Layer> factory) {
        FACTORIES.put(className, factory);
    }

    public static boolean isRegistered(String className) {
        return FACTORIES.containsKey(className);
    }

    /**
     * Rebuilds a layer from its {@code {"class_name": ..., "config": {...}}} entry: how wrappers
     * (Bidirectional, TimeDistributed) rebuild the layer they hold.
     */
    public static Layer fromEntry(Map<String, Object> entry) {
        if (entry == null) throw new IllegalArgumentException("LayerRegistry.fromEntry: expected {\"class_name\": ..., \"config\": {...}}, got null");
        ConfigMap e = ConfigMap.of(entry);
        String cls = Config.requiredString(e, "class_name");
        ConfigMap config = Config.requiredMap(e, "config");
        KerasFormat.readEnvelope(e);
        e.requireAllRead();
        return create(cls, config);
    }

    /**
     * Rebuilds a layer from its class name and config, strictly: the factory gets the config as a
     * {@link ConfigMap}, and a key it did not read (besides {@code name} and {@code trainable}, which
     * every layer has) is refused, as is anything the factory throws, with the class and layer name
     * in front. An unknown class name is an error that says how to register it.
     */
    static Layer create(String className, Map<String, Object> config) {
        Function<Map<String, Object>, ? extends Layer> f = FACTORIES.get(className);
        String cls = Shortened.of(className);
        if (f == null) {
            throw new IllegalArgumentException("unknown layer class '" + cls + "'. If it is a custom layer, register it "
                    + "before loading: LayerRegistry.register(\"" + cls + "\", " + cls + "::fromConfig)");
        }
        String label = cls + (config.get("name") instanceof String n ? " '" + Shortened.of(n) + "'" : "");
        ConfigMap c = ConfigMap.of(config);
        try {
            Config.string(c, "name", null);
            Layer l = f.apply(c);
            if (c.get("trainable") != null) l.setTrainable(Config.bool(c, "trainable", true));
            KerasFormat.readKerasOnlyKeys(c);
            c.requireAllRead();
            return l;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
        }
    }
}
