package dev.javelin.highlevel.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model (or only its weights) at the end of each epoch, or only when a monitored
 * quantity improves, as Keras's ModelCheckpoint. {@code {epoch}} in the file name becomes the
 * epoch number (from 1).
 *
 * <pre>{@code
 * new ModelCheckpoint("target/ckpt-{epoch}.safetensors", "val_loss", true, false)
 * }</pre>
 */
public final class ModelCheckpoint extends Callback {
    private final String filepath;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private final boolean saveWeightsOnly;
    private Path lastSaved;

    public ModelCheckpoint(String filepath) {
        this(filepath, "val_loss", false, false);
    }

    public ModelCheckpoint(String filepath, String monitor, boolean saveBestOnly, boolean saveWeightsOnly) {
        this(filepath, monitor, saveBestOnly, saveWeightsOnly, "auto");
    }

    public ModelCheckpoint(String filepath, String monitor, boolean saveBestOnly, boolean saveWeightsOnly, String mode) {
        this.filepath = filepath;
        this.monitor = new Monitor("ModelCheckpoint", monitor, mode, 0);
        this.saveBestOnly = saveBestOnly;
        this.saveWeightsOnly = saveWeightsOnly;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        monitor.reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double v = monitor.value(logs);
            if (v == null) {
                System.err.println("ModelCheckpoint: '" + monitor.key + "' is not in the logs " + logs.keySet() + "; skipping");
                return;
            }
            if (!monitor.update(v)) return;
        }
        Path p = Path.of(filepath.replace("{epoch}", Integer.toString(epoch + 1)));
        try {
            if (p.getParent() != null) java.nio.file.Files.createDirectories(p.getParent());
            if (saveWeightsOnly) model().saveWeights(p);
            else model().save(p);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot write " + p + ": " + e.getMessage(), e);
        }
        lastSaved = p;
    }

    /** The file written last, or null. */
    public Path lastSaved() {
        return lastSaved;
    }
}
