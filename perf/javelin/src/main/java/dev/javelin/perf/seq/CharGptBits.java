package dev.javelin.perf.seq;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.callbacks.History;
import dev.javelin.highlevel.losses.SparseCategoricalCrossentropy;
import dev.javelin.highlevel.models.GptModel;
import dev.javelin.highlevel.optimizers.AdamW;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.util.List;
import java.util.Locale;

/**
 * The char-GPT's bits after 8 compiled AdamW steps (the model of CharLmMain and CharGptTiming, 2 epochs
 * of 4 batches of 32 x 128 random tokens, seed 42): the loss history and one 64-bit hash over every
 * weight's float bits. A change to the step's kernels that keeps every float32 result prints the same
 * two lines; one that changes a sum's order prints a different hash, and then the charlm job's
 * validation bits per character must be measured again.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.javelin.perf.seq.CharGptBits 2   # threads
 * </pre>
 */
public final class CharGptBits {
    private CharGptBits() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        CpuThreads.setThreads(threads);
        Seeds.setGlobal(42);
        GptModel model = new GptModel(62, 128, 4, 4, 128, 0.0);
        model.ensureBuilt(List.of(Shape.of(32, 128)));
        model.compile(new AdamW(1e-3, 0.1), new SparseCategoricalCrossentropy(true));
        Tensor x = Tensors.randint(Shape.of(32 * 4, 128), 0, 62, 1).cast(DType.INT32);
        Tensor y = Tensors.randint(Shape.of(32 * 4, 128), 0, 62, 2).cast(DType.INT32);
        History history = new History();
        model.fit(x, y, FitOptions.builder().batchSize(32).epochs(2).shuffle(false).verbose(0).callbacks(history).build());
        System.out.println("loss=" + history.history().get("loss"));
        System.out.printf(Locale.ROOT, "weight hash %016x over %d weights%n", weightHash(model.weights()), model.weights().size());
    }

    /** FNV-1a over the weights' float bits, in the model's weight order. */
    static long weightHash(List<Variable> weights) {
        long hash = 0xcbf29ce484222325L;
        for (Variable weight : weights) {
            for (float value : weight.value().toFloatArray()) {
                hash = (hash ^ Float.floatToRawIntBits(value)) * 0x100000001b3L;
            }
        }
        return hash;
    }
}
