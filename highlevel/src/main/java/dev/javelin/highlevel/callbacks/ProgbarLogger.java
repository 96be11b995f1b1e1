package dev.javelin.highlevel.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The Keras progress bar that {@code fit} shows (added for you when {@code verbose > 0}). On a
 * terminal it redraws one bar per epoch with the ETA, the running loss and metrics; elsewhere
 * (a pipe, a log file, {@code mvn exec}) it prints one line per epoch. Either way the epoch line
 * ends with the time the epoch took and the time per step.
 *
 * <pre>{@code
 * Epoch 1/15
 * 63/63 [==============================] - 2.84s 45ms/step - loss: 0.7012 - accuracy: 0.7841
 * }</pre>
 */
public final class ProgbarLogger extends Callback {
    /** {@code AUTO}: a live bar on a terminal, else lines; {@code BAR} and {@code LINES} force one. */
    public enum Mode { AUTO, BAR, LINES }

    private static final int WIDTH = 30;
    private final boolean live;
    private final PrintStream out;
    private int epochs;
    private int steps;
    private int seen;
    private long epochStart;
    private long lastDraw;
    private boolean testing;

    public ProgbarLogger(Mode mode) {
        this(mode, System.out);
    }

    public ProgbarLogger(Mode mode, PrintStream out) {
        this.out = out;
        this.live = switch (mode) {
            case BAR -> true;
            case LINES -> false;
            case AUTO -> System.console() != null && System.console().isTerminal();
        };
    }

    @Override
    public void setParams(Map<String, Object> params) {
        super.setParams(params);
        epochs = params.get("epochs") instanceof Integer e ? e : 1;
        steps = params.get("steps") instanceof Integer s ? s : 0;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        out.printf("Epoch %d/%d%n", epoch + 1, epochs);
        epochStart = System.nanoTime();
        lastDraw = 0;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        seen = batch + 1;
        if (!live) return;
        long now = System.nanoTime();
        if (batch + 1 < steps && now - lastDraw < 50_000_000L) return; // redraw at most 20 times a second
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double eta = elapsed / (batch + 1) * (steps - batch - 1);
        String progress = steps > 0 ? bar(batch + 1) + " - ETA: " + seconds(eta) : "- " + seconds(elapsed);
        out.print("\r" + counter(batch + 1) + " " + progress + metrics(logs) + "   ");
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (steps <= 0) steps = seen; // an iterator of unknown length: now it is known
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        String line = counter(steps) + " " + bar(steps) + " - " + String.format(Locale.ROOT, "%.2fs", elapsed) + " "
                + perStep(elapsed) + metrics(logs);
        out.print(live ? "\r" + line + "   \n" : line + "\n");
        out.flush();
    }

    @Override
    public void onTestBegin(Map<String, Double> logs) {
        testing = true;
        epochStart = System.nanoTime();
    }

    @Override
    public void onTestEnd(Map<String, Double> logs) {
        if (!testing) return;
        testing = false;
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        out.println(counter(steps) + " " + bar(steps) + " - " + String.format(Locale.ROOT, "%.2fs", elapsed) + " " + perStep(elapsed)
                + metrics(logs));
    }

    /** {@code done/steps}; {@code done/Unknown} for an iterator of unknown length (as Keras shows it). */
    private String counter(int done) {
        if (steps <= 0) return done + "/Unknown";
        String total = Integer.toString(steps);
        return " ".repeat(Math.max(0, total.length() - Integer.toString(done).length())) + done + "/" + total;
    }

    private String bar(int done) {
        int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * done / steps);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < WIDTH; i++) b.append(i < filled - 1 || (i == filled - 1 && done == steps) ? '=' : i == filled - 1 ? '>' : '.');
        return b.append(']').toString();
    }

    private String perStep(double elapsed) {
        double ms = steps == 0 ? 0 : elapsed * 1000 / steps;
        return ms >= 1 ? String.format(Locale.ROOT, "%.0fms/step", ms) : String.format(Locale.ROOT, "%.0fus/step", ms * 1000);
    }

    private static String seconds(double s) {
        return s >= 60 ? String.format(Locale.ROOT, "%d:%02d", (int) s / 60, (int) s % 60) : String.format(Locale.ROOT, "%.0fs", s);
    }

    private static String metrics(Map<String, Double> logs) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            b.append(" - ").append(e.getKey()).append(": ").append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return b.toString();
    }
}
