/**
 * Saving: the safetensors format (read without trusting the file, with a CRC-32C of header and
 * data in its metadata), a strict JSON reader and writer for configs, and
 * {@link dev.javelin.highlevel.saving.ModelArchive}, one file holding a model's config and weights,
 * written through {@link dev.javelin.highlevel.saving.AtomicFiles} (a failed save keeps the old file).
 *
 * <p>Configs in a file (layers, models, optimizers, schedules, losses) are read by
 * {@code fromConfig} methods through {@code layers.Config}'s typed getters on a {@code layers.ConfigMap},
 * which together refuse unknown keys, wrong JSON types and out-of-range numbers, naming the key.
 * A new config reader does the same: read each value with a {@code Config} getter, then call
 * {@code requireAllRead()} (the layer registry does that for every layer's factory).
 *
 * <pre>{@code
 * ModelArchive.write(path, config, weights);
 * ModelArchive.Contents c = ModelArchive.read(path);
 * }</pre>
 */
package dev.javelin.highlevel.saving;
