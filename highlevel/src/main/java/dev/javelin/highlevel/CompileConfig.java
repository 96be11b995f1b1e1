package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.Config;
import dev.javelin.highlevel.layers.ConfigMap;
import dev.javelin.highlevel.losses.Loss;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.metrics.Metric;
import dev.javelin.highlevel.metrics.Metrics;
import dev.javelin.highlevel.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link CompileOptions} as plain maps and lists (Keras's {@code compile_config}) and back: the
 * optimizer's and losses' configs, loss weights, metric names (per output too, by position or by
 * output name), {@code jit_compile} and {@code nan_check}. Reading is strict: a key this version
 * does not know, or a value of the wrong JSON type, is an error naming it.
 *
 * <pre>{@code
 * Map<String, Object> c = CompileConfig.of(options);
 * CompileOptions same = CompileConfig.from(ConfigMap.of(c));
 * }</pre>
 */
final class CompileConfig {
    private CompileConfig() {}

    static Map<String, Object> of(CompileOptions o) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("optimizer", o.optimizer().getConfig());
        if (o.loss() != null) c.put("loss", o.loss().getConfig());
        if (!o.outputLosses().isEmpty()) c.put("output_losses", perOutput(o.outputLosses(), Loss::getConfig));
        if (!o.lossWeights().isEmpty()) c.put("loss_weights", perOutput(o.lossWeights(), w -> w));
        c.put("metrics", metricNames(o.metrics()));
        if (!o.outputMetrics().isEmpty()) c.put("output_metrics", perOutput(o.outputMetrics(), CompileConfig::metricNames));
        if (!o.weightedMetrics().isEmpty()) c.put("weighted_metrics", metricNames(o.weightedMetrics()));
        c.put("jit_compile", o.jitCompile());
        c.put("nan_check", o.nanCheck());
        return c;
    }

    static CompileOptions from(ConfigMap c) {
        CompileOptions.Builder b = CompileOptions.builder().optimizer(Optimizer.fromConfig(Config.requiredMap(c, "optimizer")));
        if (c.get("loss") != null) b.loss(Losses.fromConfig(Config.requiredMap(c, "loss")));
        Object losses = c.get("output_losses");
        if (losses instanceof List<?> l) b.losses(mapList(l, o -> Losses.fromConfig(Config.object(o, "output_losses"))));
        else if (losses != null) b.losses(mapValues(Config.requiredMap(c, "output_losses"), o -> Losses.fromConfig(Config.object(o, "output_losses"))));
        Object weights = c.get("loss_weights");
        if (weights instanceof List<?> l) b.lossWeights(mapList(l, CompileConfig::number).stream().mapToDouble(Double::doubleValue).toArray());
        else if (weights != null) b.lossWeights(mapValues(Config.requiredMap(c, "loss_weights"), CompileConfig::number));
        b.metrics(names(Config.requiredList(c, "metrics")).toArray());
        Object outputMetrics = c.get("output_metrics");
        if (outputMetrics instanceof List<?> l) b.outputMetrics(mapList(l, o -> names(listOf(o))));
        else if (outputMetrics != null) b.outputMetrics(mapValues(Config.requiredMap(c, "output_metrics"), o -> names(listOf(o))));
        if (c.get("weighted_metrics") != null) b.weightedMetrics(names(Config.requiredList(c, "weighted_metrics")).toArray());
        b.jitCompile(Config.bool(c, "jit_compile", true)).nanCheck(Config.bool(c, "nan_check", false));
        c.requireAllRead();
        return b.build();
    }

    /**
     * A name as given, a built-in metric object as {@code {"class_name", "config"}} (its options, a threshold or k,
     * come back with it: by name alone it was rebuilt with the defaults, or not at all under a name of its own), any
     * other metric object by its name (the code that defined it rebuilds it).
     */
    private static List<Object> metricNames(List<Object> metrics) {
        List<Object> out = new ArrayList<>();
        for (Object m : metrics) {
            if (m instanceof Metric metric && Metrics.isRebuiltFromConfig(metric)) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("class_name", metric.className());
                entry.put("config", metric.getConfig());
                out.add(entry);
            } else {
                out.add(m instanceof Metric metric ? metric.name() : m);
            }
        }
        return out;
    }

    private static <T> Object perOutput(PerOutput<T> p, Function<T, Object> f) {
        if (p.byPosition() != null) return mapList(p.byPosition(), f);
        Map<String, Object> out = new LinkedHashMap<>();
        p.byName().forEach((k, v) -> out.put(k, f.apply(v)));
        return out;
    }

    private static <T, R> List<R> mapList(List<T> in, Function<? super T, R> f) {
        List<R> out = new ArrayList<>();
        for (T t : in) out.add(f.apply(t));
        return out;
    }

    private static <R> Map<String, R> mapValues(Map<String, Object> in, Function<Object, R> f) {
        Map<String, R> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : in.entrySet()) out.put(e.getKey(), f.apply(e.getValue()));
        return out;
    }

    private static List<Object> names(List<?> in) {
        List<Object> out = new ArrayList<>();
        for (Object m : in) {
            if (m instanceof String) {
                out.add(m);
            } else if (m instanceof Map<?, ?>) {
                ConfigMap entry = Config.object(m, "metrics");
                String cls = Config.requiredString(entry, "class_name");
                out.add(Metrics.fromConfig(cls, Config.requiredMap(entry, "config")));
                entry.requireAllRead();
            } else {
                throw new IllegalArgumentException("metrics: expected metric names or {\"class_name\", \"config\"} entries, got " + m);
            }
        }
        return out;
    }

    private static List<?> listOf(Object o) {
        if (o instanceof List<?> l) return l;
        throw new IllegalArgumentException("output_metrics: expected a list of metric names or entries, got " + o);
    }

    private static Double number(Object o) {
        if (o instanceof Number n && Double.isFinite(n.doubleValue())) return n.doubleValue();
        throw new IllegalArgumentException("loss_weights: expected a finite number, got " + o);
    }
}
