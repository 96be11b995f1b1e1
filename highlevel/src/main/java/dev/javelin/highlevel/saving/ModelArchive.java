package dev.javelin.highlevel.saving;

import dev.javelin.json.Json;
import dev.javelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole model in one file: a safetensors file whose {@code __metadata__} carries the model's
 * config as JSON next to the format's name and version, so other tools read the weights as they are
 * and Javelin gets the architecture back too. Writing goes through {@link AtomicFiles}, so a failed
 * save leaves the previous file intact.
 *
 * <pre>{@code
 * ModelArchive.write(Path.of("mnist.javelin"), model.getConfig(), model.namedWeights());
 * ModelArchive.Contents c = ModelArchive.read(Path.of("mnist.javelin"));
 * Map<String, Object> config = c.config();
 * }</pre>
 */
public final class ModelArchive {
    /** {@code __metadata__} key naming the format; its value is {@link #FORMAT}. */
    public static final String FORMAT_KEY = "format";
    /** The value of {@link #FORMAT_KEY} in every model file. */
    public static final String FORMAT = "javelin.model";
    /** {@code __metadata__} key of the format version; this code writes {@link #VERSION}. */
    public static final String VERSION_KEY = "format_version";
    /**
     * The format version this code writes: 2, a file that must carry {@link SafeTensors#CHECKSUM_KEY}
     * (so a damaged checksum key cannot pass for an unverified older file). Version 1 (before the
     * checksum) is still read.
     */
    public static final String VERSION = "2";
    private static final String VERSION_WITHOUT_CHECKSUM = "1";
    /** {@code __metadata__} key holding the model config as JSON. */
    public static final String CONFIG_KEY = "model_config";

    private ModelArchive() {}

    /**
     * What a model file holds.
     *
     * @param config the model's config (parsed JSON)
     * @param weights by name, in file order
     * @param metadata every {@code __metadata__} pair, including the format keys and any extras
     */
    public record Contents(Map<String, Object> config, LinkedHashMap<String, Tensor> weights, Map<String, String> metadata) {}

    /** Writes a model file. */
    public static void write(Path file, Map<String, Object> config, LinkedHashMap<String, Tensor> weights) throws IOException {
        write(file, config, weights, Map.of());
    }

    /**
     * Writes a model file with extra metadata pairs (e.g. the optimizer's config as JSON).
     *
     * @throws IllegalArgumentException when {@code extra} uses one of the format's own keys
     */
    public static void write(Path file, Map<String, Object> config, LinkedHashMap<String, Tensor> weights,
                             Map<String, String> extra) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, FORMAT);
        metadata.put(VERSION_KEY, VERSION);
        metadata.put(CONFIG_KEY, Json.write(config));
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (metadata.containsKey(e.getKey())) {
                throw new IllegalArgumentException("ModelArchive.write: metadata key '" + e.getKey() + "' is reserved");
            }
            metadata.put(e.getKey(), e.getValue());
        }
        AtomicFiles.write(file, out -> SafeTensors.write(out, weights, metadata));
    }

    /** Reads a model file with {@link SafeTensors.Limits#DEFAULT}. */
    public static Contents read(Path file) throws IOException {
        return read(file, SafeTensors.Limits.DEFAULT);
    }

    /**
     * Reads a model file, checking that it is one (format and version keys) and that its config is a
     * JSON object.
     *
     * @throws IOException naming the file and what is wrong
     */
    public static Contents read(Path file, SafeTensors.Limits limits) throws IOException {
        return contents(SafeTensors.read(file, limits), file.toString());
    }

    /** Reads a model file already in memory, with {@link SafeTensors.Limits#DEFAULT}; {@code source} names it in messages. */
    public static Contents read(byte[] file, String source) throws IOException {
        return contents(SafeTensors.read(file, source, SafeTensors.Limits.DEFAULT), source);
    }

    private static Contents contents(SafeTensors.Contents c, String file) throws IOException {
        Map<String, String> md = c.metadata();
        if (!FORMAT.equals(md.get(FORMAT_KEY))) {
            throw new IOException(file + ": not a Javelin model file (a safetensors file without "
                    + FORMAT_KEY + "=" + FORMAT + " in its metadata; load its weights with loadWeights instead)");
        }
        String version = md.get(VERSION_KEY);
        if (!VERSION.equals(version) && !VERSION_WITHOUT_CHECKSUM.equals(version)) {
            throw new IOException(file + ": model file format version " + Shortened.of(version) + " is not supported (this "
                    + "version of Javelin reads versions " + VERSION_WITHOUT_CHECKSUM + " and " + VERSION + ")");
        }
        if (VERSION.equals(version) && !c.verified()) {
            throw new IOException(file + ": model file version " + VERSION + " without its " + SafeTensors.CHECKSUM_KEY
                    + " (the file was damaged)");
        }
        String json = md.get(CONFIG_KEY);
        if (json == null) throw new IOException(file + ": model file has no " + CONFIG_KEY + " in its metadata");
        Map<String, Object> config;
        try {
            config = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the model config is not valid JSON: " + e.getMessage(), e);
        }
        return new Contents(config, c.tensors(), md);
    }
}
