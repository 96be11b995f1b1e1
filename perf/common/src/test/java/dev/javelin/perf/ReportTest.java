package dev.javelin.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    private Path result(String name, String benchmark, String params, double median) throws Exception {
        String json = """
                [ { "benchmark" : "%s", "mode" : "sample", "params" : { %s },
                    "primaryMetric" : { "score" : %s, "scoreUnit" : "ms/op",
                      "scorePercentiles" : { "0.0" : 1.0, "50.0" : %s, "100.0" : 9.0 } } } ]
                """.formatted(benchmark, params, median * 1.5, median);
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void gemmShapes() {
        assertArrayEquals(new int[] {1024, 1024, 1024}, Workloads.gemmShape("1024"));
        assertArrayEquals(new int[] {128, 784, 512}, Workloads.gemmShape("128x784x512"));
        assertEquals(2.0 * 128 * 784 * 512, Workloads.gemmFlops("128x784x512"));
        assertThrows(IllegalArgumentException.class, () -> Workloads.gemmShape("1x2"));
    }

    @Test
    void medianSampleBecomesARate() throws Exception {
        // 2·1024³ flops in 20 ms is 107.4 GFLOP/s.
        Path p = result("j.json", "dev.javelin.perf.javelin.SgemmBench.sgemm", "\"shape\" : \"1024\", \"threads\" : \"2\"", 20.0);
        List<Report.Result> rs = Report.read(p);
        assertEquals(1, rs.size());
        Report.Result r = rs.getFirst();
        assertEquals("Sgemm.sgemm", r.benchmark());
        assertEquals("1024", r.params());
        assertEquals(2, r.threads());
        assertEquals("GFLOP/s", r.unit());
        assertEquals(2.0 * 1024 * 1024 * 1024 / 0.020 / 1e9, r.rate(), 1e-9);
    }

    @Test
    void tableHoldsJavelinAgainstTheBestPeer() throws Exception {
        Map<String, Map<String, Report.Result>> rows = new LinkedHashMap<>();
        String[][] runs = {{"Javelin", "10"}, {"DJL", "8"}, {"ND4J", "16"}};
        for (String[] run : runs) {
            Path p = result(run[0] + ".json", "dev.javelin.perf.x.SgemmBench.sgemm", "\"shape\" : \"256\", \"threads\" : \"1\"",
                    Double.parseDouble(run[1]));
            for (Report.Result r : Report.read(p)) rows.computeIfAbsent("k", key -> new TreeMap<>()).put(run[0], r);
        }
        String table = Report.table(List.of("Javelin", "DJL", "ND4J"), rows);
        // Javelin takes 10 ms, the best peer (DJL) 8 ms: a ratio of 0.80.
        assertTrue(table.contains("| Sgemm.sgemm 256 | 1 | GFLOP/s |"), table);
        assertTrue(table.trim().endsWith("0.80 |"), table);
    }
}
