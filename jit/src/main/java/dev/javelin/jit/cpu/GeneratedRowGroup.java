package dev.javelin.jit.cpu;

import dev.javelin.jit.plan.Launch;
import dev.javelin.kernels.codegen.RowGroupCodegen;
import dev.javelin.kernels.codegen.RowGroupKernel;
import dev.javelin.kernels.cpu.CpuThreads;
import dev.javelin.kernels.ir.KernelIR;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a row group through its one generated class ({@link RowGroupKernel}) once every member's own
 * generated code is warm: the launcher's per-row, per-member calls (about 50 ns a member a row for a
 * layer norm's rows of 128, perf/NOTES.md) become direct calls inside one generated loop. Each member's
 * method is its own kernel's code, so the values are those of {@link Launcher#rowGroup}'s other paths,
 * which run while the members are cold (the interpreter's tier gives the same bits).
 */
final class GeneratedRowGroup {
    /** Group classes shared by every program, by their members' structure (as {@link KernelCache}). */
    private static final Map<String, RowGroupKernel> BY_STRUCTURE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RowGroupKernel> eldest) {
            return size() > KernelCache.CAPACITY;
        }
    };
    /** Per program's member list, its group class: no key built per launch. */
    private static final Map<Object, RowGroupKernel> BY_MEMBERS = Collections.synchronizedMap(new WeakHashMap<>());
    /** Launches run through a generated class, for tests that must know this path ran. */
    private static final AtomicLong RUNS = new AtomicLong();

    private GeneratedRowGroup() {}

    /** The generated class of the group whose member list is {@code members} (kept per that object) with kernels {@code irs}. */
    static RowGroupKernel of(Object members, KernelIR[] irs, Launch[] launches) {
        RowGroupKernel g = BY_MEMBERS.get(members);
        if (g != null) return g;
        boolean[] onePerRow = new boolean[irs.length];
        StringBuilder key = new StringBuilder();
        for (int k = 0; k < irs.length; k++) {
            onePerRow[k] = onePerRow(irs[k], launches[k]);
            key.append(irs[k].key()).append(onePerRow[k] ? "\n(one per row)" : "").append("\n--\n");
        }
        synchronized (BY_STRUCTURE) {
            g = BY_STRUCTURE.get(key.toString());
        }
        if (g == null) {
            g = RowGroupCodegen.compile(irs, onePerRow); // outside the lock: generation takes milliseconds
            synchronized (BY_STRUCTURE) {
                RowGroupKernel raced = BY_STRUCTURE.putIfAbsent(key.toString(), g);
                if (raced != null) g = raced;
            }
        }
        BY_MEMBERS.put(members, g);
        return g;
    }

    /** How many row group launches ran through a generated class since start. */
    static long runs() {
        return RUNS.get();
    }

    /** An elementwise member of one value per row (layer norm's 1/sqrt(var + eps)): its loop has length 1. */
    static boolean onePerRow(KernelIR ir, Launch l) {
        return l.n() == 1 && ir.mode() == KernelIR.Mode.ELEMENTWISE;
    }

    /**
     * Runs the group as {@link Launcher#rowGroup} does (same rows, same chunks, same scratch rows), each
     * chunk through {@code g}. The rows are one kept dimension, or ({@code blocks}) blocks of
     * {@link Launcher#BLOCK} positions of one long run.
     */
    static void run(RowGroupKernel g, KernelIR[] irs, Launch[] launches, Object[][] arrays, int[][] base, int[][][] maps,
                    int[][] owner, int[] home, boolean[] hasScratchRow, boolean blocks, int rowCount, int rowsPerChunk) {
        RUNS.incrementAndGet();
        int m = irs.length, n = launches[0].n();
        int rowLength = blocks ? Math.min(n, Launcher.BLOCK) : n;
        int[][] origin = new int[m][], stride = new int[m][];
        int[] length = new int[m];
        for (int k = 0; k < m; k++) {
            if (arrays[k].length != RowGroupCodegen.slots(irs[k])) {
                throw new IllegalStateException("Jit: row group member " + irs[k].name() + " has " + arrays[k].length
                        + " slots, its kernel takes " + RowGroupCodegen.slots(irs[k]));
            }
            origin[k] = new int[arrays[k].length];
            launches[k].offsetsAt(0, 0, base[k], origin[k]);
            stride[k] = new int[arrays[k].length];
            for (int s = 0; s < stride[k].length; s++) {
                stride[k][s] = blocks ? Launcher.BLOCK * launches[k].innerStrides()[s] : launches[k].keptStrides()[s][0];
            }
            length[k] = blocks ? rowLength : launches[k].n();
        }
        boolean scratch = false;
        for (int[] o : owner) for (int p : o) scratch |= p >= 0;
        if (!scratch && !blocks && Launcher.rowsMemberByMember(irs, launches, owner, stride)) {
            CpuThreads.parallelFor(rowCount, rowsPerChunk, (from, to) -> g.blocksOfRows(arrays, origin, stride, maps, length, from, to));
            return;
        }
        for (int k = 0; k < m; k++) { // scratch slots: the row's place in the home member's output, or the chunk's scratch row
            for (int s = 0; s < owner[k].length; s++) {
                int o = owner[k][s];
                if (o < 0) continue;
                int h = home[o], out = h >= 0 ? arrays[h].length - 1 : -1;
                origin[k][s] = h >= 0 ? origin[h][out] : 0;
                stride[k][s] = h >= 0 ? stride[h][out] : 0;
            }
        }
        int lastLength = blocks ? n - (rowCount - 1) * Launcher.BLOCK : rowLength;
        int whole = lastLength == rowLength ? rowCount : rowCount - 1; // rows of the full length; a short last block after them
        int[] lastLengths = new int[m];
        java.util.Arrays.fill(lastLengths, lastLength);
        boolean scratchRows = scratch;
        CpuThreads.parallelFor(rowCount, rowsPerChunk, (from, to) -> {
            Object[][] local = scratchRows ? withScratchRows(irs, arrays, owner, home, hasScratchRow, rowLength) : arrays;
            int end = Math.min(to, whole);
            if (from < end) g.rows(local, origin, stride, maps, length, from, end);
            if (to > whole) g.rows(local, origin, stride, maps, lastLengths, Math.max(from, whole), to);
        });
    }

    /** Each member's arrays with the slots that read a scratch value pointed at that value's row: its home member's output, or a new row. */
    private static Object[][] withScratchRows(KernelIR[] irs, Object[][] arrays, int[][] owner, int[] home, boolean[] hasScratchRow,
                                              int rowLength) {
        int m = arrays.length;
        Object[][] local = new Object[m][];
        Object[] rows = new Object[m];
        for (int k = 0; k < m; k++) {
            local[k] = arrays[k].clone();
            if (hasScratchRow[k]) rows[k] = Launcher.scratchRow(irs[k], rowLength);
        }
        for (int k = 0; k < m; k++) {
            for (int s = 0; s < local[k].length; s++) {
                int o = owner[k][s];
                if (o >= 0) local[k][s] = home[o] >= 0 ? arrays[home[o]][arrays[home[o]].length - 1] : rows[o];
            }
        }
        return local;
    }
}
