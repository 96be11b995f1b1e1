/**
 * Saving: the safetensors format (read without trusting the file), a strict JSON reader and
 * writer for configs, and {@link dev.javelin.highlevel.saving.ModelArchive}, one file holding a
 * model's config and weights.
 *
 * <pre>{@code
 * ModelArchive.write(path, config, weights);
 * ModelArchive.Contents c = ModelArchive.read(path);
 * }</pre>
 */
package dev.javelin.highlevel.saving;
