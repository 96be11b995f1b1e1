package dev.javelin.highlevel.callbacks;

import dev.javelin.highlevel.optimizers.Optimizer;
import java.util.Map;
import java.util.Objects;

/**
 * Sets the optimizer's learning rate at the start of every epoch from a function of the epoch
 * (counting from 0) and the current rate, as Keras's {@code LearningRateScheduler}; adds
 * {@code learning_rate} to each epoch's logs. The optimizer must have a constant (settable) rate,
 * not a {@code LearningRateSchedule}.
 *
 * <pre>{@code
 * new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1))
 * }</pre>
 */
public final class LearningRateScheduler extends Callback {
    /** The schedule: the learning rate for {@code epoch}, given the rate now. */
    @FunctionalInterface
    public interface Schedule {
        double learningRate(int epoch, double current);
    }

    private final Schedule schedule;
    private final boolean verbose;

    public LearningRateScheduler(Schedule schedule) {
        this(schedule, false);
    }

    /** @param verbose print a line when the rate is set */
    public LearningRateScheduler(Schedule schedule, boolean verbose) {
        this.schedule = Objects.requireNonNull(schedule, "LearningRateScheduler: schedule");
        this.verbose = verbose;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        Optimizer opt = model().optimizer();
        double lr = schedule.learningRate(epoch, opt.learningRate());
        if (!Double.isFinite(lr) || lr < 0) {
            throw new IllegalArgumentException("LearningRateScheduler: the schedule returned " + lr + " for epoch " + epoch
                    + "; expected a finite value >= 0");
        }
        opt.setLearningRate(lr);
        if (verbose) System.out.printf("Epoch %d: LearningRateScheduler setting learning rate to %.6g.%n", epoch + 1, lr);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", model().optimizer().learningRate());
    }
}
