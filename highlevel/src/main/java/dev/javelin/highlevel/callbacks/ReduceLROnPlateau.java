package dev.javelin.highlevel.callbacks;

import dev.javelin.highlevel.optimizers.Optimizer;
import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored quantity has not improved for
 * {@code patience} epochs, waits {@code cooldown} epochs, and never goes below {@code minLr}, as
 * Keras's ReduceLROnPlateau. Adds {@code learning_rate} to each epoch's logs.
 *
 * <pre>{@code
 * new ReduceLROnPlateau("val_loss", 0.5, 2)
 * }</pre>
 */
public final class ReduceLROnPlateau extends Callback {
    private final Monitor monitor;
    private final double factor;
    private final int patience;
    private final int cooldown;
    private final double minLr;
    private int wait;
    private int cooldownLeft;

    public ReduceLROnPlateau(String monitor, double factor, int patience) {
        this(monitor, factor, patience, "auto", 1e-4, 0, 0);
    }

    public ReduceLROnPlateau(String monitor, double factor, int patience, String mode, double minDelta, int cooldown, double minLr) {
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in (0, 1), got " + factor);
        if (patience < 0 || cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0");
        this.monitor = new Monitor("ReduceLROnPlateau", monitor, mode, minDelta);
        this.factor = factor;
        this.patience = patience;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        wait = 0;
        cooldownLeft = 0;
        monitor.reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Optimizer opt = model().optimizer();
        logs.put("learning_rate", opt.learningRate());
        Double v = monitor.value(logs);
        if (v == null) {
            System.err.println("ReduceLROnPlateau: '" + monitor.key + "' is not in the logs " + logs.keySet());
            return;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            wait = 0;
        }
        if (monitor.update(v)) {
            wait = 0;
        } else if (cooldownLeft == 0 && ++wait >= patience) {
            double old = opt.learningRate();
            double lr = Math.max(old * factor, minLr);
            if (lr < old) {
                opt.setLearningRate(lr);
                if (params().getOrDefault("verbose", 1) instanceof Integer vb && vb > 0) {
                    System.out.printf("Epoch %d: ReduceLROnPlateau reducing learning rate to %.4g.%n", epoch + 1, lr);
                }
            }
            cooldownLeft = cooldown;
            wait = 0;
        }
    }
}
