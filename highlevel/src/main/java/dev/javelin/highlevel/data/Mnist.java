package dev.javelin.highlevel.data;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The MNIST digits as Keras's {@code mnist.load_data()} gives them, scaled for training: images
 * float32 [N, 28, 28, 1] in [0, 1], labels int64 [N].
 *
 * <p>{@link #load()} reads the 10,000-digit subset vendored in the {@code javelin-mnist-data} jar
 * (see the README beside the files for its provenance; it is a separate artifact so the library's
 * own class path stays small): the first 8,000 digits are the training split, the last 2,000 the
 * test split.
 *
 * <pre>{@code
 * Mnist mnist = Mnist.load();
 * Dataset train = mnist.train().dataset().shuffle(42).batch(128);
 * Tensor xTest = mnist.test().x();       // float32 [2000, 28, 28, 1]
 * }</pre>
 *
 * @param train the training split
 * @param test the test split
 */
public record Mnist(Split train, Split test) {
    /** Digits in the vendored subset used for training; the rest are the test split. */
    public static final int SUBSET_TRAIN_SIZE = 8000;
    private static final String RESOURCE_DIR = "/dev/javelin/highlevel/data/mnist-10k/";

    /**
     * One split.
     *
     * @param x images, float32 [N, 28, 28, 1] in [0, 1]
     * @param y labels, int64 [N], digits 0 to 9
     */
    public record Split(Tensor x, Tensor y) {
        /** The number of digits. */
        public int size() {
            return x.dim(0);
        }

        /** This split as a dataset (unshuffled, Keras's default batch size). */
        public Dataset dataset() {
            return Dataset.fromTensors(x, y);
        }
    }

    /** The vendored 10,000-digit subset: 8,000 training and 2,000 test digits. */
    public static Mnist load() {
        try (InputStream images = resource("images-idx3-ubyte.gz");
             InputStream labels = resource("labels-idx1-ubyte.gz")) {
            return split(IdxReader.read(images, "mnist-10k/images-idx3-ubyte.gz", IdxReader.DEFAULT_MAX_ELEMENTS),
                    IdxReader.read(labels, "mnist-10k/labels-idx1-ubyte.gz", IdxReader.DEFAULT_MAX_ELEMENTS),
                    SUBSET_TRAIN_SIZE, "the vendored MNIST subset");
        } catch (IOException e) {
            throw new UncheckedIOException("Mnist.load: the vendored MNIST subset could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads MNIST-format IDX files (e.g. the original {@code train-images-idx3-ubyte.gz} and its
     * labels) and splits them: the first {@code trainSize} digits train, the rest test.
     *
     * @throws IOException when a file is missing, truncated or corrupt, or the two disagree
     */
    public static Mnist load(Path images, Path labels, int trainSize) throws IOException {
        return split(IdxReader.read(images), IdxReader.read(labels), trainSize, images + " and " + labels);
    }

    private static Mnist split(IdxData images, IdxData labels, int trainSize, String source) throws IOException {
        int[] d = images.dims();
        if (images.type() != IdxType.UBYTE || d.length != 3) {
            throw new IOException(source + ": images must be unsigned bytes [N, rows, cols], got "
                    + images.type() + " " + Arrays.toString(d));
        }
        int[] l = labels.dims();
        if (labels.type() != IdxType.UBYTE || l.length != 1 || l[0] != d[0]) {
            throw new IOException(source + ": labels must be unsigned bytes [" + d[0] + "] to match the images, got "
                    + labels.type() + " " + Arrays.toString(l));
        }
        for (int i = 0; i < labels.size(); i++) {
            double v = labels.get(i);
            if (v > 9) throw new IOException(source + ": label " + i + " is " + (int) v + ", not a digit 0 to 9");
        }
        if (trainSize < 0 || trainSize > d[0]) {
            throw new IllegalArgumentException("Mnist.load: train size " + trainSize + " is outside [0, " + d[0] + "]");
        }
        Tensor x = images.toTensor(DType.FLOAT32, 1.0 / 255.0).reshape(d[0], d[1], d[2], 1);
        Tensor y = labels.toTensor(DType.INT64);
        Dataset all = Dataset.fromTensors(x, y);
        Dataset train = all.take(trainSize);
        Dataset test = all.skip(trainSize);
        return new Mnist(new Split(train.x(), train.y()), new Split(test.x(), test.y()));
    }

    private static InputStream resource(String name) throws IOException {
        // Through the class loader, not Mnist.class: the files live in another jar (and, on the module
        // path, another module; "mnist-10k" is no package name, so the resource is not encapsulated).
        String path = RESOURCE_DIR.substring(1) + name;
        ClassLoader loader = Mnist.class.getClassLoader();
        InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(path) : loader.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("resource " + path + " is missing from the class path: add the dependency"
                    + " dev.javelin:javelin-mnist-data, or load the IDX files with Mnist.load(images, labels, trainSize)");
        }
        return in;
    }
}
