package dev.javelin.examples;

import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.Seeds;
import dev.javelin.highlevel.Sequential;
import dev.javelin.highlevel.data.Mnist;
import dev.javelin.highlevel.layers.Conv2D;
import dev.javelin.highlevel.layers.Dense;
import dev.javelin.highlevel.layers.Dropout;
import dev.javelin.highlevel.layers.Flatten;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.LSTM;
import dev.javelin.highlevel.layers.MaxPooling2D;
import dev.javelin.highlevel.layers.Reshape;
import dev.javelin.highlevel.optimizers.Adam;
import dev.javelin.highlevel.optimizers.CosineDecay;
import dev.javelin.tensor.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The main job: trains on the vendored MNIST subset (8,000 training digits, 2,000 test digits) the
 * way Keras's "simple MNIST convnet" example does (Adam 1e-3, batch 128, 15 epochs), prints the
 * model summary, a progress line per epoch with its time, saves the model, and ends with
 * {@code test accuracy: 0.XXXX}.
 *
 * <p>Arguments (any order): {@code convnet} (default), {@code mlp} (784-256-10, ReLU) or {@code lstm}
 * (the 28 rows as a sequence through LSTM(128));
 * {@code --epochs=N} (default 15, lstm 20); {@code --lr=X} (Adam's rate, default 1e-3; lstm 4e-3 decayed to 0 by a cosine over the run); {@code --seed=N}; {@code --eager} to run the steps op by op instead of as compiled programs
 * ({@code --jit}, the default); {@code --device=cuda} (or {@code cuda:N}) to train on an NVIDIA GPU
 * (op by op; needs JCuda on the class path and a driver); the leading dashes are optional; a path
 * ending in {@code .safetensors} to save the model there (default {@code target/mnist-<model>.safetensors}).
 */
public final class MnistMain {
    private static final int LSTM_EPOCHS = 20;
    private static final double LSTM_LEARNING_RATE = 4e-3;
    private static final int BATCH_SIZE = 128;

    private MnistMain() {}

    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("charlm")) { // -Dmodel=charlm: the char-GPT job
            CharLmMain.main(args);
            return;
        }
        if (java.util.Arrays.asList(args).contains("spark")) { // -Dmodel=spark: the convnet data-parallel on Spark local[2]
            SparkMnistMain.main(args);
            return;
        }
        String which = "convnet";
        Integer epochsArg = null;
        Double lrArg = null;
        long seed = 42;
        boolean jit = true;
        Device device = Device.CPU;
        Path out = null;
        for (String raw : args) {
            if (raw.isBlank()) continue;
            String a = raw.startsWith("epochs=") || raw.startsWith("lr=") || raw.startsWith("seed=") || raw.startsWith("device=") || raw.equals("jit") || raw.equals("eager")
                    ? "--" + raw : raw;
            if (a.equals("convnet") || a.equals("mlp") || a.equals("lstm")) which = a;
            else if (a.startsWith("--epochs=")) epochsArg = Integer.parseInt(a.substring(9));
            else if (a.startsWith("--lr=")) lrArg = Double.parseDouble(a.substring(5));
            else if (a.startsWith("--seed=")) seed = Long.parseLong(a.substring(7));
            else if (a.equals("--jit")) jit = true;
            else if (a.equals("--eager")) jit = false;
            else if (a.startsWith("--device=")) device = device(a.substring(9));
            else if (a.endsWith(".safetensors")) out = Path.of(a);
            else throw new IllegalArgumentException("MnistMain: unknown argument '" + a
                    + "' (expected convnet, mlp, lstm, --epochs=N, --lr=X, --seed=N, --jit, --eager, --device=cpu|cuda[:N] or an output path ending in .safetensors)");
        }
        if (out == null) out = Path.of("target", "mnist-" + which + ".safetensors");
        // the LSTM learns more slowly per epoch on 8,000 digits: a higher rate, cosine-decayed, and more epochs
        int epochs = epochsArg != null ? epochsArg : which.equals("lstm") ? LSTM_EPOCHS : 15;
        double learningRate = lrArg != null ? lrArg : which.equals("lstm") ? LSTM_LEARNING_RATE : 1e-3;

        Seeds.setGlobal(seed);
        Mnist mnist = Mnist.load();
        boolean compiled = jit;
        System.out.printf("MNIST subset: %d training and %d test digits; %s steps on %s%n", mnist.train().size(), mnist.test().size(),
                compiled ? "compiled (JIT)" : "eager", device);

        Model model = switch (which) {
            case "mlp" -> mlp();
            case "lstm" -> lstm();
            default -> convnet();
        };
        model.to(device);
        model.summary();
        model.compile(dev.javelin.highlevel.CompileOptions.builder()
                .optimizer(which.equals("lstm")
                        ? Adam.builder().learningRate(new CosineDecay(learningRate, epochs * Math.ceilDiv(mnist.train().size(), BATCH_SIZE))).build()
                        : Adam.builder().learningRate(learningRate).build())
                .loss("sparse_categorical_crossentropy")
                .metrics("accuracy")
                .jitCompile(jit)
                .build());

        long start = System.nanoTime();
        model.fit(mnist.train().x(), mnist.train().y(), FitOptions.builder().batchSize(BATCH_SIZE).epochs(epochs).seed(seed).build());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "trained %d epochs in %.1f s (%.2f s per epoch)%n", epochs, seconds, seconds / Math.max(1, epochs));

        if (out.getParent() != null) Files.createDirectories(out.getParent());
        model.save(out);
        System.out.println("saved the model to " + out);

        Map<String, Double> test = model.evaluate(mnist.test().x(), mnist.test().y(), 500);
        System.out.printf(Locale.ROOT, "test loss: %.4f%n", test.get("loss"));
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", test.get("accuracy"));
    }

    private static Device device(String name) {
        if (name.equals("cpu")) return Device.CPU;
        if (name.equals("cuda")) return Device.cuda(0);
        if (name.startsWith("cuda:")) return Device.cuda(Integer.parseInt(name.substring(5)));
        throw new IllegalArgumentException("MnistMain: unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
    }

    /** Keras's "simple MNIST convnet": 34,826 parameters. */
    static Model convnet() {
        return new Sequential(
                new InputLayer(28, 28, 1),
                new Conv2D(32, 3, "relu"),
                new MaxPooling2D(2),
                new Conv2D(64, 3, "relu"),
                new MaxPooling2D(2),
                new Flatten(),
                new Dropout(0.5),
                new Dense(10, "softmax"));
    }

    /** Each image as a sequence of 28 rows of 28 pixels through an LSTM: 81,674 parameters. */
    static Model lstm() {
        return new Sequential(
                new InputLayer(28, 28, 1),
                new Reshape(28, 28),
                new LSTM(128),
                new Dense(10, "softmax"));
    }

    /** 784-256-10 with ReLU. */
    static Model mlp() {
        return new Sequential(
                new InputLayer(28, 28, 1),
                new Flatten(),
                new Dense(256, "relu"),
                new Dense(10, "softmax"));
    }
}
