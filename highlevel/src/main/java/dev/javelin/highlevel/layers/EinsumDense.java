package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.initializers.GlorotUniform;
import dev.javelin.highlevel.initializers.Initializer;
import dev.javelin.highlevel.initializers.Zeros;
import dev.javelin.highlevel.regularizers.Regularizer;
import dev.javelin.tensor.Einsum;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A dense layer written as an einsum of the input and a kernel, as Keras's EinsumDense: the
 * equation {@code "input,kernel->output"} names every axis (no {@code ...}); {@code outputShape} gives
 * the output's sizes without the batch axis; the kernel's sizes follow from the input and output;
 * {@code biasAxes} (output letters, or null) get a bias, shaped as Keras shapes it.
 *
 * <pre>{@code
 * Layer proj = new EinsumDense("abc,cd->abd", new int[] {16, 64}, "bd");   // [N, 16, 32] -> [N, 16, 64]
 * }</pre>
 */
public final class EinsumDense extends Layer {
    private final String equation;
    private final int[] outputShape;
    private final String biasAxes;
    private final String activation;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;
    private final Regularizer kernelRegularizer;
    private final Regularizer biasRegularizer;
    private final UnaryOperator<Tensor> fn;
    private final String inputSpec;
    private final String kernelSpec;
    private final String outputSpec;
    private Variable kernel;
    private Variable bias;

    public EinsumDense(String equation, int[] outputShape, String biasAxes) {
        this(equation, outputShape, null, biasAxes, new GlorotUniform(), new Zeros(), null, null, null);
    }

    public EinsumDense(String equation, int[] outputShape, String activation, String biasAxes, Initializer kernelInitializer,
                       Initializer biasInitializer, Regularizer kernelRegularizer, Regularizer biasRegularizer, String name) {
        super(name);
        String eq = equation.replace(" ", "");
        int comma = eq.indexOf(','), arrow = eq.indexOf("->");
        if (comma < 0 || arrow < comma || eq.indexOf(',', comma + 1) >= 0 || eq.contains(".")) {
            throw new IllegalArgumentException("EinsumDense: equation must be \"input,kernel->output\" with letters only, got \"" + equation + "\"");
        }
        this.inputSpec = eq.substring(0, comma);
        this.kernelSpec = eq.substring(comma + 1, arrow);
        this.outputSpec = eq.substring(arrow + 2);
        if (outputShape.length != outputSpec.length() - 1) {
            throw new IllegalArgumentException("EinsumDense: output_shape " + Arrays.toString(outputShape) + " must give the "
                    + (outputSpec.length() - 1) + " non-batch sizes of output \"" + outputSpec + "\"");
        }
        if (biasAxes != null) {
            for (char c : biasAxes.toCharArray()) {
                if (outputSpec.indexOf(c) < 0) throw new IllegalArgumentException("EinsumDense: bias axis '" + c + "' is not in the output \"" + outputSpec + "\"");
            }
        }
        this.equation = eq;
        this.outputShape = outputShape.clone();
        this.biasAxes = biasAxes == null || biasAxes.isEmpty() ? null : biasAxes;
        this.activation = activation == null ? "linear" : activation;
        this.fn = Activations.get(this.activation);
        this.kernelInitializer = Checks.notNull("EinsumDense", "kernel_initializer", kernelInitializer);
        this.biasInitializer = Checks.notNull("EinsumDense", "bias_initializer", biasInitializer);
        this.kernelRegularizer = kernelRegularizer;
        this.biasRegularizer = biasRegularizer;
    }

    @Override
    public void build(Shape in) {
        if (in.rank() != inputSpec.length()) {
            throw new IllegalArgumentException(name() + " (EinsumDense): input \"" + inputSpec + "\" of \"" + equation + "\" needs rank "
                    + inputSpec.length() + ", got " + in);
        }
        int[] out = fullOutput(in);
        int[] k = new int[kernelSpec.length()];
        for (int d = 0; d < k.length; d++) {
            char c = kernelSpec.charAt(d);
            int i = inputSpec.indexOf(c), o = outputSpec.indexOf(c);
            if (i < 0 && o < 0) {
                throw new IllegalArgumentException(name() + " (EinsumDense): kernel letter '" + c + "' is in neither the input nor the output");
            }
            k[d] = i >= 0 ? in.dim(i) : out[o];
        }
        kernel = addWeight("kernel", Shape.of(k), kernelInitializer, kernelRegularizer, true);
        if (biasAxes != null) {
            int first = outputSpec.length();
            for (char c : biasAxes.toCharArray()) first = Math.min(first, outputSpec.indexOf(c));
            int[] b = new int[outputSpec.length() - first]; // Keras's shape: from the first bias axis on, 1 where no bias
            for (int d = first; d < outputSpec.length(); d++) b[d - first] = biasAxes.indexOf(outputSpec.charAt(d)) >= 0 ? out[d] : 1;
            bias = addWeight("bias", Shape.of(b), biasInitializer, biasRegularizer, true);
        }
    }

    private int[] fullOutput(Shape in) {
        int[] out = new int[outputSpec.length()];
        out[0] = in.dim(0);
        System.arraycopy(outputShape, 0, out, 1, outputShape.length);
        for (int d = 0; d < out.length; d++) {
            int i = inputSpec.indexOf(outputSpec.charAt(d));
            if (i >= 0 && d > 0 && in.dim(i) != out[d]) {
                throw new IllegalArgumentException(name() + " (EinsumDense): output axis '" + outputSpec.charAt(d) + "' has size " + out[d]
                        + " in output_shape but " + in.dim(i) + " in the input " + in);
            }
        }
        return out;
    }

    @Override
    public Tensor call(Tensor x, boolean training) {
        Tensor y = Einsum.einsum(equation, x, kernel.value());
        if (bias != null) y = y.add(bias.value());
        return fn.apply(y);
    }

    @Override
    public Shape computeOutputShape(Shape in) {
        return Shape.of(fullOutput(in));
    }

    public Variable kernel() {
        return kernel;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("equation", equation);
        c.put("output_shape", Config.list(outputShape));
        c.put("activation", activation);
        c.put("bias_axes", biasAxes);
        c.put("kernel_initializer", Config.of(kernelInitializer));
        c.put("bias_initializer", Config.of(biasInitializer));
        c.put("kernel_regularizer", Config.of(kernelRegularizer));
        c.put("bias_regularizer", Config.of(biasRegularizer));
        return c;
    }

    public static EinsumDense fromConfig(Map<String, Object> c) {
        return new EinsumDense(Config.string(c, "equation", ""), Config.ints(c, "output_shape", 0, new int[0]),
                Config.string(c, "activation", null), Config.string(c, "bias_axes", null),
                Config.initializer(c, "kernel_initializer", new GlorotUniform()), Config.initializer(c, "bias_initializer", new Zeros()),
                Config.regularizer(c, "kernel_regularizer"), Config.regularizer(c, "bias_regularizer"), Config.string(c, "name", null));
    }
}
