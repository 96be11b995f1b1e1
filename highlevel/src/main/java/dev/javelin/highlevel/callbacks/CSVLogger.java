package dev.javelin.highlevel.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one CSV row per epoch ({@code epoch} then each logged quantity), as Keras's CSVLogger.
 *
 * <pre>{@code
 * new CSVLogger(Path.of("target/training.csv"))
 * }</pre>
 */
public final class CSVLogger extends Callback {
    private final Path path;
    private final String separator;
    private final boolean append;
    private List<String> keys;
    private Writer out;

    public CSVLogger(Path path) {
        this(path, ",", false);
    }

    public CSVLogger(Path path, String separator, boolean append) {
        this.path = path;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        try {
            if (path.getParent() != null) Files.createDirectories(path.getParent());
            boolean header = !append || !Files.exists(path) || Files.size(path) == 0;
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            keys = header ? null : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            if (keys == null) {
                keys = new ArrayList<>(logs.keySet());
                out.write("epoch" + separator + String.join(separator, keys) + "\n");
            } else if (keys.isEmpty()) {
                keys = new ArrayList<>(logs.keySet());
            }
            StringBuilder row = new StringBuilder().append(epoch);
            for (String k : keys) {
                Double v = logs.get(k);
                row.append(separator).append(v == null ? "" : v.toString());
            }
            out.write(row.append('\n').toString());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        close();
    }

    /** Closes the file; {@code fit} calls it also when training fails, so the file is never left open. */
    @Override
    public void close() {
        try {
            if (out != null) out.close();
            out = null;
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot close " + path + ": " + e.getMessage(), e);
        }
    }
}
