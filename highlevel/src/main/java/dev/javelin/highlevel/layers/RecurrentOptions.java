package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Orthogonal;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import java.util.Map;

/**
 * The Keras arguments that {@link SimpleRNN}, {@link LSTM} and {@link GRU} share, with Keras 3's
 * defaults; each {@code withX} returns a changed copy.
 *
 * <pre>{@code
 * RecurrentOptions o = RecurrentOptions.defaults().returnSequences(true).dropout(0.2).goBackwards(true);
 * Layer lstm = new LSTM(64, o);
 * }</pre>
 *
 * @param activation          of the candidate and output ({@code tanh})
 * @param recurrentActivation of the gates ({@code sigmoid}; unused by SimpleRNN)
 * @param seed                of the dropout masks; null draws one from the global sequence
 */
public record RecurrentOptions(String activation, String recurrentActivation, boolean useBias,
                               Initializer kernelInitializer, Initializer recurrentInitializer, Initializer biasInitializer,
                               Regularizer kernelRegularizer, Regularizer recurrentRegularizer, Regularizer biasRegularizer,
                               double dropout, double recurrentDropout, boolean returnSequences, boolean returnState,
                               boolean goBackwards, boolean stateful, boolean unroll, Long seed) {
    public RecurrentOptions {
        if (!(dropout >= 0 && dropout < 1) || !(recurrentDropout >= 0 && recurrentDropout < 1)) {
            throw new IllegalArgumentException("recurrent layer: dropout and recurrent_dropout must be in [0, 1), got "
                    + dropout + ", " + recurrentDropout);
        }
        activation = activation == null ? "linear" : activation;
        recurrentActivation = recurrentActivation == null ? "linear" : recurrentActivation;
        Activations.get(activation);
        Activations.get(recurrentActivation);
    }

    /** Keras 3's defaults: tanh / sigmoid, bias, glorot_uniform, orthogonal, zeros, no dropout, last output only. */
    public static RecurrentOptions defaults() {
        return new RecurrentOptions("tanh", "sigmoid", true, new GlorotUniform(), new Orthogonal(), new Zeros(), null, null, null,
                0, 0, false, false, false, false, false, null);
    }

    public RecurrentOptions activation(String v) {
        return new RecurrentOptions(v, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions recurrentActivation(String v) {
        return new RecurrentOptions(activation, v, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions useBias(boolean v) {
        return new RecurrentOptions(activation, recurrentActivation, v, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions initializers(Initializer kernel, Initializer recurrent, Initializer bias) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernel, recurrent, bias,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions regularizers(Regularizer kernel, Regularizer recurrent, Regularizer bias) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernel, recurrent, bias, dropout, recurrentDropout, returnSequences, returnState, goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions dropout(double v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, v, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions recurrentDropout(double v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, v, returnSequences, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions returnSequences(boolean v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, v, returnState,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions returnState(boolean v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, v,
                goBackwards, stateful, unroll, seed);
    }

    public RecurrentOptions goBackwards(boolean v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                v, stateful, unroll, seed);
    }

    public RecurrentOptions seed(Long v) {
        return new RecurrentOptions(activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, dropout, recurrentDropout, returnSequences, returnState,
                goBackwards, stateful, unroll, v);
    }

    /** Writes the Keras config keys (all but {@code units}, {@code recurrent_activation} and the layer-specific ones). */
    void putInto(Map<String, Object> c, long drawnSeed) {
        c.put("activation", activation);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("recurrent_initializer", Config.of(recurrentInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("recurrent_regularizer", Config.of(recurrentRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        c.put("dropout", dropout);
        c.put("recurrent_dropout", recurrentDropout);
        c.put("seed", drawnSeed);
        c.put("return_sequences", returnSequences);
        c.put("return_state", returnState);
        c.put("go_backwards", goBackwards);
        c.put("stateful", stateful);
        c.put("unroll", unroll);
    }

    /** The options back from a saved config; missing keys take Keras's defaults. */
    static RecurrentOptions fromConfig(Map<String, Object> c, String defaultRecurrentActivation) {
        RecurrentOptions d = defaults();
        return new RecurrentOptions(Config.string(c, "activation", "tanh"),
                Config.string(c, "recurrent_activation", defaultRecurrentActivation), Config.bool(c, "use_bias", true),
                Config.initializer(c, "kernel_initializer", d.kernelInitializer()),
                Config.initializer(c, "recurrent_initializer", d.recurrentInitializer()),
                Config.initializer(c, "bias_initializer", d.biasInitializer()), Config.regularizer(c, "kernel_regularizer"),
                Config.regularizer(c, "recurrent_regularizer"), Config.regularizer(c, "bias_regularizer"),
                Config.numberIn(c, "dropout", 0, 0, 1), Config.numberIn(c, "recurrent_dropout", 0, 0, 1), Config.bool(c, "return_sequences", false),
                Config.bool(c, "return_state", false), Config.bool(c, "go_backwards", false), Config.bool(c, "stateful", false),
                Config.bool(c, "unroll", false), Config.optionalLong(c, "seed"));
    }
}
