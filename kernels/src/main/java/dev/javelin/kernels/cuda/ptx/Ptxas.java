package dev.javelin.kernels.cuda.ptx;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs NVIDIA's {@code ptxas} on generated PTX, where it is on the PATH: how Javelin checks its PTX
 * without a GPU (tests) and how a developer sees register use ({@code -v}). Not needed at run time:
 * the driver compiles PTX itself.
 *
 * <pre>{@code
 * String error = Ptxas.assemble(moduleText, "sm_80");   // null when it assembled
 * }</pre>
 */
public final class Ptxas {
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

    /**
     * Assembles {@code ptx} for {@code arch} (e.g. {@code sm_90}); returns null on success, else ptxas's
     * message followed by the offending lines. The temporary files are kept only on failure.
     */
    public static String assemble(String ptx, String arch) {
        Path exe = find();
        if (exe == null) throw new IllegalStateException("Ptxas: ptxas is not on the PATH");
        try {
            Path dir = Files.createTempDirectory("javelin-ptx");
            Path file = dir.resolve("module.ptx");
            Path cubin = dir.resolve("module.cubin");
            Files.writeString(file, ptx, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(exe.toString(), "-arch=" + arch, "-o", cubin.toString(), file.toString())
                    .redirectErrorStream(true).start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "ptxas timed out on " + file;
            }
            if (p.exitValue() != 0) return "ptxas -arch=" + arch + " rejected " + file + ":\n" + msg + excerpt(ptx, msg);
            Files.deleteIfExists(cubin);
            Files.delete(file);
            Files.delete(dir);
            return null;
        } catch (IOException e) {
            return "ptxas could not run: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running ptxas";
        }
    }

    /** The lines ptxas complains about, so a failure shows the offending PTX. */
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
