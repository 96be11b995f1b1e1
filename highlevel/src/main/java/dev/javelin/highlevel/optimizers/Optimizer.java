package dev.javelin.highlevel.optimizers;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The base of every optimizer, as in Keras 3: a subclass writes only {@link #build} (its slot
 * variables) and {@link #updateStep} (its update rule); clipping, decoupled weight decay, the
 * learning rate and its schedule, and the step counter live here once.
 *
 * <p>All state is held in {@link Variable}s and every update is a tensor op followed by
 * {@link Variable#assign}, so {@link #apply} can be traced into a compiled train step. The step
 * counter {@link #iterations()} is an int64 variable, the learning rate a float32 variable (or a
 * {@link LearningRateSchedule} of the step), and bias corrections are computed as tensors from them.
 *
 * <pre>{@code
 * Optimizer opt = Adam.builder().learningRate(1e-3).clipNorm(1.0).build();
 * opt.apply(model.trainableVariables(), gradients);
 * }</pre>
 *
 * <p>Order of one {@link #apply}, as Keras 3 does it: clip the gradients; apply weight decay
 * ({@code w -= w * weightDecay * lr}) to each variable not excluded; run {@link #updateStep} for
 * each variable with a gradient (the learning rate is evaluated at the current step); increment
 * {@code iterations}.
 */
public abstract class Optimizer {
    private final String name;
    private final LearningRateSchedule schedule;
    private final Variable learningRate;
    private final Variable iterations;
    private final double clipNorm;
    private final double globalClipNorm;
    private final double clipValue;
    private final double weightDecay;
    private final List<String> excludeFromWeightDecay;
    private final List<Variable> slots = new ArrayList<>();
    private final Map<Variable, Integer> index = new IdentityHashMap<>();
    private boolean built;

    /** Takes the shared settings from a subclass's builder. */
    protected Optimizer(Builder<?> b) {
        this.name = b.name != null ? b.name : defaultName();
        if (b.clipCount() > 1) {
            throw new IllegalArgumentException(name + ": set at most one of clipNorm (" + b.clipNorm + "), globalClipNorm ("
                    + b.globalClipNorm + ") and clipValue (" + b.clipValue + ")");
        }
        this.schedule = b.schedule;
        this.learningRate = schedule == null
                ? new Variable(this.name + "/learning_rate", scalar(b.learningRate, DType.FLOAT32), false)
                : null;
        this.iterations = new Variable(this.name + "/iterations", scalar(0, DType.INT64), false);
        this.clipNorm = b.clipNorm;
        this.globalClipNorm = b.globalClipNorm;
        this.clipValue = b.clipValue;
        this.weightDecay = b.weightDecay;
        this.excludeFromWeightDecay = List.copyOf(b.excludeFromWeightDecay);
    }

    /** Lower-case class name, as Keras names optimizers ({@code adam}, {@code sgd}). */
    private String defaultName() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** The name that prefixes this optimizer's variables, e.g. {@code adam}. */
    public String name() {
        return name;
    }

    /**
     * One update step: {@code gradients.get(i)} belongs to {@code variables.get(i)}; a null gradient
     * leaves its variable alone. Slots are built on the first call (or by {@link #buildFor(List)}).
     *
     * @throws IllegalArgumentException when the lists differ in length or a gradient's shape differs
     *     from its variable's
     * @throws IllegalStateException when a variable was not among those the optimizer was built for
     */
    public void apply(List<Variable> variables, List<Tensor> gradients) {
        if (variables.size() != gradients.size()) {
            throw new IllegalArgumentException(name + ".apply: " + variables.size() + " variables but "
                    + gradients.size() + " gradients");
        }
        buildFor(variables);
        List<Variable> vars = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            Variable v = variables.get(i);
            Tensor g = gradients.get(i);
            if (g == null) continue;
            if (!g.shape().equals(v.shape())) {
                throw new IllegalArgumentException(name + ".apply: gradient " + g.dtype() + g.shape() + " for variable '"
                        + v.name() + "' of shape " + v.shape());
            }
            vars.add(v);
            grads.add(g.dtype() == v.dtype() ? g : g.cast(v.dtype()));
        }
        grads = Clipping.clip(grads, clipNorm, globalClipNorm, clipValue);
        Tensor lr = currentLearningRate();
        if (weightDecay != 0) {
            for (Variable v : vars) {
                if (!excludedFromWeightDecay(v)) {
                    Tensor w = v.value();
                    v.assign(w.sub(w.mul(weightDecay).mul(lr.cast(v.dtype()))));
                }
            }
        }
        for (int i = 0; i < vars.size(); i++) {
            Variable v = vars.get(i);
            updateStep(v, grads.get(i), index.get(v), lr.cast(v.dtype()));
        }
        iterations.assign(iterations.value().add(1));
    }

    /**
     * Creates the slots for {@code variables} now (the first {@link #apply} does it otherwise): a
     * compiled train step calls this before tracing so that slots exist as variables to lift.
     * Later calls with the same variables (or some of them) do nothing.
     *
     * @throws IllegalArgumentException when a variable is listed twice
     * @throws IllegalStateException when already built and a variable is new: one optimizer serves
     *     one set of variables, as in Keras
     */
    public final void buildFor(List<Variable> variables) {
        List<Variable> fresh = new ArrayList<>();
        java.util.Set<Variable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Variable v : variables) {
            if (!seen.add(v)) throw new IllegalArgumentException(name + ": variable '" + v.name() + "' is listed twice");
            if (!index.containsKey(v)) fresh.add(v);
        }
        if (built && fresh.isEmpty()) return;
        if (built) {
            throw new IllegalStateException(name + ": already built for " + index.size() + " variables; variable '"
                    + fresh.get(0).name() + "' is new (use one optimizer per set of variables)");
        }
        for (int i = 0; i < fresh.size(); i++) index.put(fresh.get(i), i);
        if (!fresh.isEmpty()) moveStateTo(fresh.get(0).device());
        build(fresh);
        built = true;
    }

    /** Keeps the step counter and the learning rate on the device of the weights, so updates never mix devices. */
    private void moveStateTo(dev.javelin.tensor.Device device) {
        iterations.store(iterations.stored().to(device));
        if (learningRate != null) learningRate.store(learningRate.stored().to(device));
    }

    /** Creates the slot variables for {@code variables} (with {@link #addSlot}); index {@code i} is {@code variables.get(i)}. */
    protected abstract void build(List<Variable> variables);

    /**
     * Updates one variable: {@code gradient} (clipped, in the variable's dtype) and {@code learningRate}
     * (a scalar in the variable's dtype) are tensors; write the result with {@link Variable#assign}.
     *
     * @param index the variable's position in the list the optimizer was built for: its slots' index
     */
    protected abstract void updateStep(Variable variable, Tensor gradient, int index, Tensor learningRate);

    /** A zero-filled, non-trainable slot shaped like {@code like}, named {@code optimizer/variable/name}. */
    protected Variable addSlot(Variable like, String slotName) {
        return addSlot(like, slotName, 0.0);
    }

    /** A non-trainable slot shaped like {@code like}, every element {@code initialValue}. */
    protected Variable addSlot(Variable like, String slotName, double initialValue) {
        HeapStorage h = HeapStorage.allocate(like.dtype(), like.shape().sizeAsInt());
        if (initialValue != 0) {
            for (int i = 0; i < h.length(); i++) h.setDouble(i, initialValue);
        }
        Tensor init = Tensor.wrap(h, like.shape()).to(like.stored().device());
        Variable slot = new Variable(name + "/" + like.name() + "/" + slotName, init, false);
        slots.add(slot);
        return slot;
    }

    /** The step counter: int64, the number of updates applied so far. */
    public Variable iterations() {
        return iterations;
    }

    /** The learning rate as a float32 scalar tensor at the current step (the schedule's value when there is one). */
    public Tensor currentLearningRate() {
        Tensor step = iterations.value();
        return schedule != null ? schedule.call(step).cast(DType.FLOAT32) : learningRate.value();
    }

    /** The learning rate now, on the host. */
    public double learningRate() {
        if (schedule != null) return schedule.call(iterations.stored()).item();
        return learningRate.stored().item();
    }

    /**
     * Sets the learning rate (e.g. ReduceLROnPlateau does); a compiled step sees the new value
     * because the rate is a variable.
     *
     * @throws IllegalStateException when the rate is a schedule
     */
    public void setLearningRate(double value) {
        if (schedule != null) {
            throw new IllegalStateException(name + ": the learning rate is a " + schedule.getClass().getSimpleName()
                    + " schedule and cannot be set");
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ".setLearningRate: expected a finite value >= 0, got " + value);
        }
        learningRate.store(scalar(value, DType.FLOAT32).to(learningRate.stored().device()));
    }

    /** The schedule, or null for a constant (settable) rate. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** All state: iterations, the learning rate (when not a schedule) and the slots, for saving and for the JIT to lift. */
    public List<Variable> variables() {
        List<Variable> all = new ArrayList<>();
        all.add(iterations);
        if (learningRate != null) all.add(learningRate);
        all.addAll(slots);
        return all;
    }

    /** True once slots exist. */
    public boolean isBuilt() {
        return built;
    }

    private boolean excludedFromWeightDecay(Variable v) {
        for (String s : excludeFromWeightDecay) {
            if (v.name().contains(s)) return true;
        }
        return false;
    }

    /**
     * The configuration Keras would save: {@code class_name}, {@code name}, {@code learning_rate}
     * (a number or a schedule's config) and the clipping and weight-decay settings; subclasses add
     * their hyperparameters. {@link #fromConfig} restores it.
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", getClass().getSimpleName());
        c.put("name", name);
        c.put("learning_rate", schedule != null ? schedule.getConfig() : learningRate());
        if (clipNorm > 0) c.put("clipnorm", clipNorm);
        if (globalClipNorm > 0) c.put("global_clipnorm", globalClipNorm);
        if (clipValue > 0) c.put("clipvalue", clipValue);
        c.put("weight_decay", weightDecay);
        if (!excludeFromWeightDecay.isEmpty()) c.put("exclude_from_weight_decay", excludeFromWeightDecay);
        return c;
    }

    /** Rebuilds an optimizer from {@link #getConfig()}'s output (by its {@code class_name}). */
    public static Optimizer fromConfig(Map<String, Object> config) {
        return Optimizers.fromConfig(config);
    }

    /** {@code iterations + 1} in {@code dtype}: the 1-based step an update is for (Adam's bias corrections use it). */
    protected Tensor localStep(DType dtype) {
        return iterations.value().add(1).cast(dtype);
    }

    /**
     * A scalar constant with {@code like}'s dtype and device, for update rules:
     * {@code constant(1, x).sub(x)}. (A concrete tensor: a traced step holds it as a constant.)
     */
    protected static Tensor constant(double value, Tensor like) {
        return scalar(value, like.dtype()).to(like.device());
    }

    static Tensor scalar(double value, DType dtype) {
        HeapStorage h = HeapStorage.allocate(dtype, 1);
        h.setDouble(0, value);
        return Tensor.wrap(h, Shape.scalar());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + getConfig();
    }

    /**
     * Settings every optimizer shares; each optimizer's builder extends it.
     *
     * @param <B> the concrete builder, so that chained calls keep their type
     */
    public abstract static class Builder<B extends Builder<B>> {
        String name;
        double learningRate;
        LearningRateSchedule schedule;
        double clipNorm;
        double globalClipNorm;
        double clipValue;
        double weightDecay;
        List<String> excludeFromWeightDecay = List.of();

        /** Starts from the optimizer's default learning rate. */
        protected Builder(double defaultLearningRate) {
            this.learningRate = defaultLearningRate;
        }

        /** This builder as its concrete type. */
        @SuppressWarnings("unchecked")
        protected final B self() {
            return (B) this;
        }

        /** Names the optimizer (and prefixes its variables' names). */
        public B name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return self();
        }

        /** A constant learning rate (settable later). */
        public B learningRate(double lr) {
            if (!(lr >= 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("learningRate: expected a finite value >= 0, got " + lr);
            }
            this.learningRate = lr;
            this.schedule = null;
            return self();
        }

        /** A learning rate that is a function of the step. */
        public B learningRate(LearningRateSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return self();
        }

        /** Rescales each gradient whose L2 norm exceeds {@code c} to norm {@code c}. */
        public B clipNorm(double c) {
            this.clipNorm = positive("clipNorm", c);
            return self();
        }

        /** Rescales all gradients together when their joint L2 norm exceeds {@code c}. */
        public B globalClipNorm(double c) {
            this.globalClipNorm = positive("globalClipNorm", c);
            return self();
        }

        /** Clamps each gradient element to {@code [-c, c]}. */
        public B clipValue(double c) {
            this.clipValue = positive("clipValue", c);
            return self();
        }

        /** Decoupled weight decay: each step {@code w -= w * weightDecay * lr} before the update. */
        public B weightDecay(double wd) {
            if (!(wd >= 0) || Double.isInfinite(wd)) {
                throw new IllegalArgumentException("weightDecay: expected a finite value >= 0, got " + wd);
            }
            this.weightDecay = wd;
            return self();
        }

        /** Variables whose name contains any of {@code parts} get no weight decay (e.g. {@code "bias"}). */
        public B excludeFromWeightDecay(String... parts) {
            this.excludeFromWeightDecay = List.of(parts);
            return self();
        }

        int clipCount() {
            return (clipNorm > 0 ? 1 : 0) + (globalClipNorm > 0 ? 1 : 0) + (clipValue > 0 ? 1 : 0);
        }

        /** Applies the shared keys of a {@link Optimizer#getConfig()} map. */
        B common(Map<String, Object> c) {
            String n = Config.string(c, "name", null);
            if (n != null) name(n);
            Object lr = c.get("learning_rate");
            if (lr instanceof Map<?, ?>) {
                ConfigMap schedule = Config.requiredMap(c, "learning_rate");
                learningRate(LearningRateSchedule.fromConfig(schedule));
                schedule.requireAllRead();
            } else if (lr != null) {
                learningRate(Config.number(c, "learning_rate", 0));
            }
            if (c.get("clipnorm") != null) clipNorm(Config.number(c, "clipnorm", 0));
            if (c.get("global_clipnorm") != null) globalClipNorm(Config.number(c, "global_clipnorm", 0));
            if (c.get("clipvalue") != null) clipValue(Config.number(c, "clipvalue", 0));
            if (c.get("weight_decay") != null) weightDecay(Config.number(c, "weight_decay", 0));
            List<String> exclude = Config.strings(c, "exclude_from_weight_decay", null);
            if (exclude != null) excludeFromWeightDecay(exclude.toArray(String[]::new));
            return self();
        }

        static double positive(String what, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + ": expected a finite value > 0, got " + v);
            }
            return v;
        }

        /** The optimizer with these settings. */
        public abstract Optimizer build();
    }
}
