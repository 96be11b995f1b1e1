package dev.javelin.highlevel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.testing.ClassPathFootprint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The promise to a CPU user: javelin-highlevel's runtime class path (what Maven resolves for it,
 * written to target/runtime-classpath.txt by the build) is at most 2 MB of jars and holds no native
 * library. In a reactor build the sibling modules appear as class folders; their size is measured
 * as a jar would hold them (deflated), so the check means the same either way.
 */
class FootprintTest {
    private static final long LIMIT = 2L * 1024 * 1024;

    @Test
    void runtimeClassPathIsSmallAndPureJava() throws IOException {
        ClassPathFootprint f = ClassPathFootprint.measure(Path.of("target"), "javelin-highlevel");
        assertFalse(f.entries().isEmpty());
        for (Path p : f.entries()) {
            assertFalse(p.getFileName().toString().toLowerCase(Locale.ROOT).contains("jcuda"), "JCuda must stay optional: " + p);
        }
        System.out.print(f.report());
        assertTrue(f.nativeLibraries().isEmpty(), "native libraries on the class path: " + f.nativeLibraries());
        assertTrue(f.bytes() <= LIMIT, "runtime class path is " + f.bytes() + " bytes, over 2 MB:\n" + f.report());
    }
}
