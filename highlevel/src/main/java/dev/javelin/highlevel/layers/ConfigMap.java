package dev.javelin.highlevel.layers;

import dev.javelin.highlevel.saving.Shortened;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A config being read strictly: a read-only view of a config map that remembers which keys were
 * read, so that once a factory has read every key it knows, {@link #requireAllRead} refuses what is
 * left over (a misspelt key, or a setting this version does not have) instead of ignoring it.
 *
 * <p>This is what makes each {@code fromConfig} its own schema: {@code LayerRegistry} hands every
 * layer factory (built-in or custom) its config in one of these, the typed getters of
 * {@link Config} check each value's JSON type and range, and the keys the factory reads are the keys
 * the layer accepts. A factory that iterates over the map has read every key.
 *
 * <pre>{@code
 * ConfigMap c = ConfigMap.of(Map.of("units", 10, "unitz", 3));
 * int units = Config.requiredInteger(c, "units", 1, Integer.MAX_VALUE);
 * c.requireAllRead();   // IllegalArgumentException: unknown config key 'unitz' (known here: units)
 * }</pre>
 */
public final class ConfigMap extends AbstractMap<String, Object> {
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();

    private ConfigMap(Map<String, Object> values) {
        this.values = values;
    }

    /** A tracking view of {@code config} (not copied; it must not change while being read). */
    public static ConfigMap of(Map<String, Object> config) {
        return config instanceof ConfigMap c ? c : new ConfigMap(config);
    }

    @Override
    public Object get(Object key) {
        if (key instanceof String k) read.add(k);
        return values.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        if (key instanceof String k) read.add(k);
        return values.containsKey(key);
    }

    @Override
    public Object getOrDefault(Object key, Object defaultValue) {
        if (key instanceof String k) read.add(k);
        return values.getOrDefault(key, defaultValue);
    }

    /** Every entry: whoever iterates has seen (read) every key. */
    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        read.addAll(values.keySet());
        return Collections.unmodifiableMap(values).entrySet();
    }

    @Override
    public int size() {
        return values.size();
    }

    /**
     * The keys present that nobody has read, in the config's order; a key whose value is JSON null
     * is not among them. A null reads as absent everywhere ({@link Config}'s getters give the
     * default for it), so an unread null is what leaving the key out says: Keras 3 writes every
     * option it has, those this version lacks included ({@code "kernel_constraint": null},
     * {@code "quantization_config": null}), and they load as the absent options they are.
     */
    public List<String> unread() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!read.contains(e.getKey()) && e.getValue() != null) out.add(e.getKey());
        }
        return out;
    }

    /**
     * Refuses a config with keys that were not read.
     *
     * @throws IllegalArgumentException naming the first unknown key and the keys that are known here
     */
    public void requireAllRead() {
        List<String> unknown = unread();
        if (unknown.isEmpty()) return;
        throw new IllegalArgumentException("unknown config key '" + Shortened.of(unknown.get(0)) + "'"
                + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more)" : "")
                + " (known here: " + String.join(", ", read) + ")"); // the keys code asked for, not the file's
    }
}
