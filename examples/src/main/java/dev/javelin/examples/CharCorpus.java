package dev.javelin.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * The char-GPT's text: the King James Bible from Genesis through 1 Samuel (1.16 MB, public domain;
 * see {@code charlm/PROVENANCE.md} beside it), its characters as ids (the sorted distinct
 * characters), the first 90% for training and the rest for validation, and training windows drawn
 * by splitmix64 so that {@code perf/charlm_pytorch.py} draws exactly the same ones.
 */
final class CharCorpus {
    static final String SOURCE = "King James Bible, Genesis to 1 Samuel (Debian bible-kjv-text)";
    private static final String RESOURCE = "charlm/kjv-genesis-1samuel.txt.gz";

    private final int[] ids;
    private final char[] alphabet;
    private final int trainSize;

    private CharCorpus(String text) {
        TreeSet<Character> chars = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) chars.add(text.charAt(i));
        alphabet = new char[chars.size()];
        int k = 0;
        for (char c : chars) alphabet[k++] = c;
        ids = encode(text);
        trainSize = (int) (ids.length * 0.9);
    }

    static CharCorpus load() {
        try (InputStream in = CharCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("CharCorpus: resource " + RESOURCE + " is missing from the class path");
            return new CharCorpus(new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("CharCorpus: cannot read " + RESOURCE, e);
        }
    }

    int size() { return ids.length; }

    int trainSize() { return trainSize; }

    int vocabSize() { return alphabet.length; }

    int[] encode(String s) {
        int[] out = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            int id = java.util.Arrays.binarySearch(alphabet, s.charAt(i));
            if (id < 0) throw new IllegalArgumentException("CharCorpus: character '" + s.charAt(i) + "' is not in the text's alphabet");
            out[i] = id;
        }
        return out;
    }

    String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int t : tokens) sb.append(alphabet[t]);
        return sb.toString();
    }

    /**
     * {@code count} windows of 129 ids from the training or validation part; window i starts at
     * {@code splitmix64(seed + first + i) mod (part length - 129)}.
     */
    int[][] windows(boolean train, int count, long seed, long first) {
        int from = train ? 0 : trainSize, length = (train ? trainSize : ids.length - trainSize) - CharLmMain.CONTEXT - 1;
        int[][] out = new int[count][];
        for (int i = 0; i < count; i++) {
            int start = from + (int) Long.remainderUnsigned(splitmix64(seed + first + i), length);
            out[i] = java.util.Arrays.copyOfRange(ids, start, start + CharLmMain.CONTEXT + 1);
        }
        return out;
    }

    /** Steele, Lea and Flood's splitmix64 finalizer of x. */
    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
