package dev.javelin.highlevel.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model (or only its weights) at the end of each epoch, or only when a monitored
 * quantity improves, as Keras's ModelCheckpoint. The file name is a Keras template
 * ({@link FilepathTemplate}): {@code {epoch}} becomes the epoch number (from 1) and any key of the
 * epoch's logs its value, with Python's format specs ({@code {epoch:02d}}, {@code {val_loss:.2f}}).
 *
 * <pre>{@code
 * new ModelCheckpoint("target/ckpt-{epoch:02d}-{val_loss:.2f}.safetensors", "val_loss", true, false)
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

    /**
     * With {@code saveBestOnly}, saves when the monitored value beats the best seen by this callback, in this
     * {@code fit} or an earlier one (Keras keeps {@code best} across fits, so a second fit, fine-tuning say,
     * does not overwrite a better checkpoint with a worse one). When the value is not in the logs it saves
     * anyway, with a warning, as Keras does.
     */
    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double v = monitor.value(logs);
            if (v == null) {
                System.err.println("ModelCheckpoint: can save the best model only with '" + monitor.key + "' in the logs "
                        + logs.keySet() + "; saving");
            } else if (!monitor.update(v)) {
                return;
            }
        }
        Path p = Path.of(FilepathTemplate.format(filepath, epoch + 1, logs));
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
