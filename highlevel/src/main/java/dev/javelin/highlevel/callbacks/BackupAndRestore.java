package dev.javelin.highlevel.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes a long {@code fit} survive a crash, as Keras's {@code BackupAndRestore}: after every epoch
 * it saves the model with its optimizer state into {@code backupDir}; when {@code fit} starts and
 * a backup is there, it loads the weights and optimizer state back and the run continues at the
 * epoch after the backup's. When {@code fit} completes, the backup is deleted (unless
 * {@code deleteBackup} is false). Give {@code fit} a fixed {@code seed} so the resumed epochs
 * shuffle as the lost run would have.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(100).seed(1)
 *         .callbacks(new BackupAndRestore(Path.of("backup"))).build()); // rerun the same line after a crash
 * }</pre>
 */
public final class BackupAndRestore extends Callback {
    private static final Pattern FILE = Pattern.compile("epoch-(\\d+)\\.safetensors");
    private final Path backupDir;
    private final boolean deleteBackup;

    public BackupAndRestore(Path backupDir) {
        this(backupDir, true);
    }

    public BackupAndRestore(Path backupDir, boolean deleteBackup) {
        this.backupDir = Objects.requireNonNull(backupDir, "BackupAndRestore: backupDir");
        this.deleteBackup = deleteBackup;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        int epoch = latestEpoch();
        if (epoch < 0) return;
        Path file = backupDir.resolve("epoch-" + epoch + ".safetensors");
        try {
            model().loadState(file);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot restore " + file, e);
        }
        model().resumeAtEpoch(epoch + 1);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        // Each backup is written to a temporary file and moved into place, so a crash leaves the previous one whole.
        try {
            model().save(backupDir.resolve("epoch-" + epoch + ".safetensors"));
            for (Path p : backups()) if (!p.getFileName().toString().equals("epoch-" + epoch + ".safetensors")) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot write a backup in " + backupDir, e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (!deleteBackup) return;
        try {
            for (Path p : backups()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot delete the backup in " + backupDir, e);
        }
    }

    /** The epoch of the newest backup, or -1 when there is none. */
    private int latestEpoch() {
        int latest = -1;
        for (Path p : backups()) {
            Matcher m = FILE.matcher(p.getFileName().toString());
            if (m.matches()) latest = Math.max(latest, Integer.parseInt(m.group(1)));
        }
        return latest;
    }

    private List<Path> backups() {
        if (!Files.isDirectory(backupDir)) return List.of();
        try (Stream<Path> files = Files.list(backupDir)) {
            List<Path> out = new ArrayList<>();
            files.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("BackupAndRestore: cannot list " + backupDir, e);
        }
    }
}
