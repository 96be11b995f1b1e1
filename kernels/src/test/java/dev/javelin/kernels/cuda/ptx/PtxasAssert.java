package dev.javelin.kernels.cuda.ptx;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Test side of {@link Ptxas}: skips (JUnit assumption) where ptxas is missing, fails with its message
 * otherwise. Entries are batched into one module so a test pays for one process per architecture.
 */
public final class PtxasAssert {
    private static final Pattern ENTRY_NAME = Pattern.compile("\\.entry (\\w+)\\(");

    private PtxasAssert() {}

    public static void assumeAvailable() {
        Assumptions.assumeTrue(Ptxas.find() != null, "ptxas is not on the PATH");
    }

    /** Assembles entries (deduplicated by name) as one module for sm_80 and sm_90. */
    public static void assemble(String label, List<String> entries) {
        assumeAvailable();
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : entries) {
            Matcher m = ENTRY_NAME.matcher(e);
            if (!m.find()) fail(label + ": not a PTX entry: " + e.substring(0, Math.min(200, e.length())));
            byName.putIfAbsent(m.group(1), e);
        }
        PtxModule module = new PtxModule(PtxModule.SM_80);
        byName.values().forEach(module::add);
        for (String arch : new String[] {"sm_80", "sm_90"}) {
            String error = Ptxas.assemble(module.text(), arch);
            if (error != null) fail(label + ": " + error);
        }
    }
}
