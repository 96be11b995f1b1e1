package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;

/**
 * The promise to a CPU user: javelin-highlevel's runtime class path (what Maven resolves for it,
 * written to target/runtime-classpath.txt by the build) is at most 2 MB of jars and holds no native
 * library. In a reactor build the sibling modules appear as class folders; their size is measured
 * as a jar would hold them (deflated), so the check means the same either way.
 */
class FootprintTest {
    private static final long LIMIT = 2L * 1024 * 1024;
    private static final List<String> NATIVE = List.of(".so", ".dll", ".dylib", ".jnilib");

    @Test
    void runtimeClassPathIsSmallAndPureJava() throws IOException {
        Path listing = Path.of("target", "runtime-classpath.txt");
        assertTrue(Files.exists(listing), "the build writes " + listing.toAbsolutePath() + " (maven-dependency-plugin build-classpath)");
        List<String> entries = new ArrayList<>();
        for (String e : Files.readString(listing).trim().split(java.io.File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        assertFalse(entries.isEmpty());
        long total = 0;
        StringBuilder report = new StringBuilder();
        for (String e : entries) {
            Path p = Path.of(e);
            assertFalse(p.getFileName().toString().toLowerCase(Locale.ROOT).contains("jcuda"), "JCuda must stay optional: " + p);
            long size = Files.isDirectory(p) ? deflatedSize(p) : jarSize(p);
            report.append(String.format(Locale.ROOT, "%,10d  %s%n", size, p.getFileName()));
            total += size;
        }
        long own = deflatedSize(Path.of("target", "classes"));
        report.append(String.format(Locale.ROOT, "%,10d  javelin-highlevel classes%n", own));
        total += own;
        System.out.print(report.append(String.format(Locale.ROOT, "%,10d  total (limit %,d)%n", total, LIMIT)));
        assertTrue(total <= LIMIT, "runtime class path is " + total + " bytes, over 2 MB:\n" + report);
    }

    private static long jarSize(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().map(ZipEntry::getName).forEach(n -> assertNotNative(jar + "!" + n));
        }
        return Files.size(jar);
    }

    /** What the folder's files take deflated, as in a jar (resources included: the MNIST data lives in its own artifact). */
    private static long deflatedSize(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        long total = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertNotNative(f.toString());
                total += deflate(f) + 60; // plus a jar's per-entry headers
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

    private static void assertNotNative(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String ext : NATIVE) assertFalse(n.endsWith(ext), "native library on the class path: " + name);
    }
}
