package dev.javelin.perf;

import dev.javelin.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the JMH JSON results of several benchmark modules into one Markdown table: one row per
 * benchmark, parameters and thread count, one column per library, the rate (GFLOP/s or GB/s) and
 * Javelin's ratio to the best peer.
 *
 * <pre>{@code
 * java -cp perf/common/target/classes dev.javelin.perf.Report Javelin=a.json DJL=b.json,c.json ND4J=d.json
 * }</pre>
 */
public final class Report {
    private Report() {}

    /** Javelin-only benchmarks and the benchmark whose peer results they are compared with. */
    private static final Map<String, String> ALIASES = Map.of(
            "Sgemm.matmul", "Sgemm.sgemm",
            "Elementwise.chainJit", "Elementwise.chain",
            "Elementwise.chainJitInto", "Elementwise.chain");

    /** One measured benchmark: which, with what parameters, its rate. */
    record Result(String benchmark, String params, int threads, double rate, String unit) {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Report LABEL=result.json[,more.json] ... (the first label is Javelin)");
            System.exit(2);
        }
        List<String> labels = new ArrayList<>();
        Map<String, Map<String, Result>> rows = new LinkedHashMap<>(); // row key -> label -> result
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("Report: expected LABEL=file.json, got " + arg);
            String label = arg.substring(0, eq);
            labels.add(label);
            for (String name : arg.substring(eq + 1).split(",")) {
                Path file = Path.of(name);
                if (!Files.exists(file)) continue; // a peer that failed to run leaves its cells empty
                for (Result r : read(file)) {
                    rows.computeIfAbsent(r.benchmark + "|" + r.params + "|" + r.threads, key -> new TreeMap<>()).put(label, r);
                }
            }
        }
        System.out.print(table(labels, rows));
        System.out.print(copyShare(labels.getFirst(), rows));
    }

    /** The elementwise chain's bandwidth as a share of the copy baseline measured in the same run. */
    static String copyShare(String label, Map<String, Map<String, Result>> rows) {
        StringBuilder sb = new StringBuilder();
        for (String chain : new String[] {"Elementwise.chain", "Elementwise.chainJit", "Elementwise.chainJitInto"}) {
            for (int threads = 1; threads <= 2; threads++) {
                Result c = rows.getOrDefault(chain + "||" + threads, Map.of()).get(label);
                Result copy = rows.getOrDefault("Copy.copy||" + threads, Map.of()).get(label);
                if (c == null || copy == null) continue;
                sb.append(String.format(Locale.ROOT, "%n%s %s at %d thread(s): %.1f GB/s = %.0f%% of the copy bandwidth (%.1f GB/s)",
                        label, chain, threads, c.rate, 100 * c.rate / copy.rate, copy.rate));
            }
        }
        return sb.isEmpty() ? "" : sb.append('\n').toString();
    }

    static String table(List<String> labels, Map<String, Map<String, Result>> rows) {
        StringBuilder sb = new StringBuilder("| benchmark | threads | unit |");
        for (String l : labels) sb.append(' ').append(l).append(" |");
        sb.append(" ").append(labels.getFirst()).append(" / best peer |\n|---|---|---|");
        sb.append("---:|".repeat(labels.size() + 1)).append('\n');
        List<Map.Entry<String, Map<String, Result>>> sorted = new ArrayList<>(rows.entrySet());
        sorted.sort((x, y) -> order(x.getKey()).compareTo(order(y.getKey())));
        for (var row : sorted) {
            Result any = row.getValue().values().iterator().next();
            sb.append("| ").append(any.benchmark).append(any.params.isEmpty() ? "" : " " + any.params)
                    .append(" | ").append(any.threads).append(" | ").append(any.unit).append(" |");
            double best = 0;
            // A Javelin-only variant (the tensor API, the jitted chain) is held against the peers' row of the same work.
            String alias = ALIASES.get(any.benchmark);
            Map<String, Result> peers = alias == null ? row.getValue()
                    : rows.getOrDefault(alias + "|" + any.params + "|" + any.threads, row.getValue());
            for (int i = 0; i < labels.size(); i++) {
                Result r = i == 0 ? row.getValue().get(labels.get(i)) : peers.get(labels.get(i));
                sb.append(' ').append(r == null ? "–" : String.format(Locale.ROOT, "%.1f", r.rate)).append(" |");
                if (i > 0 && r != null) best = Math.max(best, r.rate);
            }
            Result mine = row.getValue().get(labels.getFirst());
            sb.append(' ').append(mine == null || best == 0 ? "–" : String.format(Locale.ROOT, "%.2f", mine.rate / best)).append(" |\n");
        }
        return sb.toString();
    }

    /** Sorts by benchmark, then by the numbers in the parameters, then threads. */
    private static String order(String key) {
        String[] p = key.split("\\|");
        StringBuilder params = new StringBuilder();
        for (String tok : p[1].split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)")) {
            params.append(tok.chars().allMatch(Character::isDigit) && !tok.isEmpty() ? String.format("%08d", Long.parseLong(tok)) : tok);
        }
        return p[0] + "|" + params + "|" + p[2];
    }

    /**
     * Reads a JMH JSON result file (SampleTime mode). The rate comes from the median sample (or the
     * statistic named by {@code -Dreport.stat=min|median|mean}): the host is shared, and the median
     * is far less disturbed by other processes than the mean.
     */
    /** A JMH score: a number, or the string "NaN" JMH writes for a score it could not compute. */
    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble((String) v);
    }

    @SuppressWarnings("unchecked")
    static List<Result> read(Path file) throws IOException {
        List<Result> out = new ArrayList<>();
        String text = Files.readString(file);
        if (text.isBlank()) return out;
        String stat = System.getProperty("report.stat", "median");
        for (Object o : (List<Object>) Json.parse(text)) {
            Map<String, Object> run = (Map<String, Object>) o;
            String[] parts = ((String) run.get("benchmark")).split("\\.");
            String bench = parts[parts.length - 2].replace("Bench", "") + "." + parts[parts.length - 1];
            Map<String, String> params = new TreeMap<>();
            int threads = 1;
            Map<String, Object> ps = (Map<String, Object>) run.getOrDefault("params", Map.of());
            for (var e : ps.entrySet()) {
                if (e.getKey().equals("threads")) threads = Integer.parseInt((String) e.getValue());
                else params.put(e.getKey(), (String) e.getValue());
            }
            Map<String, Object> metric = (Map<String, Object>) run.get("primaryMetric");
            Map<String, Object> pct = (Map<String, Object>) metric.get("scorePercentiles");
            double score = switch (stat) {
                case "min" -> number(pct.get("0.0"));
                case "median" -> number(pct.get("50.0"));
                case "mean" -> number(metric.get("score"));
                default -> throw new IllegalArgumentException("Report: report.stat must be min, median or mean, got " + stat);
            };
            double seconds = toSeconds(score, (String) metric.get("scoreUnit"));
            Work work = work(bench, params);
            out.add(new Result(bench, String.join(" ", params.values()), threads, work.amount / seconds / 1e9, work.unit));
        }
        return out;
    }

    record Work(double amount, String unit) {}

    /** The work one invocation of a benchmark does, by the shared naming of {@link Workloads}. */
    static Work work(String bench, Map<String, String> params) {
        return switch (bench) {
            case "Sgemm.sgemm", "Sgemm.matmul" -> new Work(Workloads.gemmFlops(params.get("shape")), "GFLOP/s");
            case "SgemmEdge.fullOnly", "SgemmEdge.fullAfterEdges" -> new Work(2.0 * 7744 * 288 * 64, "GFLOP/s");
            case "Conv.trainStep" -> new Work(Workloads.conv(params.get("layer")).trainStepFlops(), "GFLOP/s");
            case "Softmax.softmax" -> new Work(Workloads.streamBytes((long) Workloads.SOFTMAX_ROWS * Workloads.SOFTMAX_COLS), "GB/s");
            case "Elementwise.chain", "Elementwise.chainJit", "Elementwise.chainJitInto", "Copy.copy" -> new Work(Workloads.streamBytes(Workloads.STREAM_LENGTH), "GB/s");
            default -> throw new IllegalArgumentException("Report: no work count for benchmark " + bench);
        };
    }

    private static double toSeconds(double score, String unit) {
        return switch (unit) {
            case "s/op" -> score;
            case "ms/op" -> score * 1e-3;
            case "us/op" -> score * 1e-6;
            case "ns/op" -> score * 1e-9;
            default -> throw new IllegalArgumentException("Report: expected a time per op, got unit " + unit);
        };
    }
}
