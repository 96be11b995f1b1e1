package dev.javelin.kernels.cuda.ptx;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Assembles PTX with NVIDIA's {@code ptxas} (when it is on the PATH; tests are skipped otherwise).
 * Entries are batched into one module per call so a test pays for one process per architecture.
 */
public final class Ptxas {
    private static final Pattern ENTRY_NAME = Pattern.compile("\\.entry (\\w+)\\(");

    private Ptxas() {}

    /** The ptxas executable on the PATH, or null. */
    public static Path find() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "ptxas");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    public static void assumeAvailable() {
        Assumptions.assumeTrue(find() != null, "ptxas is not on the PATH");
    }

    /** Assembles entries (deduplicated by name) as one module for sm_80 and sm_90, failing with ptxas's message. */
    public static void assemble(String label, List<String> entries) {
        assumeAvailable();
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : entries) {
            Matcher m = ENTRY_NAME.matcher(e);
            if (!m.find()) fail("not a PTX entry: " + e.substring(0, Math.min(200, e.length())));
            byName.putIfAbsent(m.group(1), e);
        }
        PtxModule module = new PtxModule(PtxModule.SM_80);
        byName.values().forEach(module::add);
        assembleModule(label, module.text(), "sm_80", "sm_90");
    }

    /** Assembles one module's text for each architecture given. */
    public static void assembleModule(String label, String ptx, String... archs) {
        assumeAvailable();
        try {
            Path dir = Files.createTempDirectory("javelin-ptx");
            Path file = dir.resolve(label + ".ptx");
            Files.writeString(file, ptx, StandardCharsets.UTF_8);
            for (String arch : archs) {
                Process p = new ProcessBuilder(find().toString(), "-arch=" + arch, "-o", dir.resolve(label + "." + arch + ".cubin").toString(),
                        file.toString()).redirectErrorStream(true).start();
                String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("ptxas timed out on " + file);
                }
                if (p.exitValue() != 0) fail("ptxas -arch=" + arch + " rejected " + file + ":\n" + msg + excerpt(ptx, msg));
                Files.deleteIfExists(dir.resolve(label + "." + arch + ".cubin"));
            }
            Files.delete(file); // kept only when ptxas failed, for reading
            Files.delete(dir);
        } catch (IOException e) {
            fail("ptxas could not run: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** The lines ptxas complains about, so the failure message shows the offending PTX. */
    private static String excerpt(String ptx, String msg) {
        String[] lines = ptx.split("\n");
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile("line (\\d+)").matcher(msg);
        int shown = 0;
        while (m.find() && shown++ < 5) {
            int ln = Integer.parseInt(m.group(1));
            if (ln >= 1 && ln <= lines.length) sb.append("\n  line ").append(ln).append(": ").append(lines[ln - 1].strip());
        }
        return sb.toString();
    }
}
