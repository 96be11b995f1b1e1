package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.testing.ClassPathFootprint;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's promise: javelin-onnx's runtime class path, protobuf-java included, stays under 5 MB
 * of jars and holds no native library (ONNX Runtime's Java jar is 139 MB).
 */
class FootprintTest {
    private static final long LIMIT = 5L * 1024 * 1024;

    @Test
    void runtimeClassPathWithProtobufIsUnderFiveMegabytes() throws IOException {
        ClassPathFootprint f = ClassPathFootprint.measure(Path.of("target"), "javelin-onnx");
        System.out.print(f.report());
        assertTrue(f.entries().stream().anyMatch(p -> p.getFileName().toString().startsWith("protobuf-java")), "protobuf-java is on the path");
        assertTrue(f.nativeLibraries().isEmpty(), "native libraries on the class path: " + f.nativeLibraries());
        assertTrue(f.bytes() <= LIMIT, "runtime class path is " + f.bytes() + " bytes, over 5 MB:\n" + f.report());
    }
}
