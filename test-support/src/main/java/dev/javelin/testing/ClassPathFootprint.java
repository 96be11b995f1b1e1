package dev.javelin.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a module's runtime class path weighs: the jars Maven resolves for it (listed in
 * {@code target/runtime-classpath.txt} by maven-dependency-plugin's build-classpath) plus its own
 * classes. In a reactor build sibling modules appear as class folders; they are measured as a jar
 * would hold them (deflated), so the figure means the same either way. Native libraries anywhere on
 * the path are reported.
 *
 * <pre>{@code
 * ClassPathFootprint f = ClassPathFootprint.measure(Path.of("target"), "javelin-onnx");
 * assertTrue(f.bytes() <= 5L << 20, f.report());
 * }</pre>
 */
public record ClassPathFootprint(long bytes, String report, List<String> nativeLibraries, List<Path> entries) {
    private static final List<String> NATIVE = List.of(".so", ".dll", ".dylib", ".jnilib");

    /** Measures {@code target/runtime-classpath.txt} and {@code target/classes} of the module built in {@code target}. */
    public static ClassPathFootprint measure(Path target, String moduleName) throws IOException {
        Path listing = target.resolve("runtime-classpath.txt");
        if (!Files.exists(listing)) {
            throw new IllegalStateException("the build writes " + listing.toAbsolutePath() + " (maven-dependency-plugin build-classpath)");
        }
        List<Path> entries = new ArrayList<>();
        for (String e : Files.readString(listing).trim().split(java.io.File.pathSeparator)) if (!e.isBlank()) entries.add(Path.of(e));
        List<String> natives = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        long total = 0;
        for (Path p : entries) {
            long size = Files.isDirectory(p) ? deflatedSize(p, natives) : jarSize(p, natives);
            String label = Files.isDirectory(p) && p.getParent() != null && p.getParent().getParent() != null
                    ? p.getParent().getParent().getFileName() + " classes" : String.valueOf(p.getFileName());
            report.append(String.format(Locale.ROOT, "%,10d  %s%n", size, label));
            total += size;
        }
        long own = deflatedSize(target.resolve("classes"), natives);
        report.append(String.format(Locale.ROOT, "%,10d  %s classes%n", own, moduleName));
        total += own;
        report.append(String.format(Locale.ROOT, "%,10d  total%n", total));
        return new ClassPathFootprint(total, report.toString(), List.copyOf(natives), List.copyOf(entries));
    }

    private static long jarSize(Path jar, List<String> natives) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().map(ZipEntry::getName).filter(ClassPathFootprint::isNative).forEach(n -> natives.add(jar + "!" + n));
        }
        return Files.size(jar);
    }

    /** What the folder's files take deflated, as in a jar, with a jar's per-entry headers. */
    private static long deflatedSize(Path dir, List<String> natives) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        long total = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (isNative(f.toString())) natives.add(f.toString());
                total += deflate(f) + 60;
            }
        }
        return total;
    }

    private static long deflate(Path f) throws IOException {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] buf = new byte[1 << 16];
        byte[] sink = new byte[1 << 16];
        long out = 0;
        try (InputStream in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                d.setInput(buf, 0, n);
                while (!d.needsInput()) out += d.deflate(sink);
            }
        }
        d.finish();
        while (!d.finished()) out += d.deflate(sink);
        d.end();
        return out;
    }

    private static boolean isNative(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String ext : NATIVE) if (n.endsWith(ext)) return true;
        return false;
    }
}
