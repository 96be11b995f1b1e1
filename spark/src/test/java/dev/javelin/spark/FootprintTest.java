package dev.javelin.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.testing.ClassPathFootprint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17's promise: javelin-spark adds nothing beyond Spark's own (which is provided): its runtime class path is Javelin's jars. */
class FootprintTest {
    @Test
    void theRuntimeClassPathHoldsOnlyJavelinsOwnJars() throws IOException {
        ClassPathFootprint f = ClassPathFootprint.measure(Path.of("target"), "javelin-spark");
        List<String> foreign = f.entries().stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("javelin-") && !n.equals("classes") && !n.startsWith("asm")).toList();
        assertEquals(List.of(), foreign, "jars beyond Javelin's (and the JIT's ASM) on javelin-spark's runtime class path:\n" + f.report());
        assertTrue(f.nativeLibraries().isEmpty(), "native libraries: " + f.nativeLibraries());
    }
}
