package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.PtxProgram.Instr;
import dev.javelin.kernels.cuda.PtxProgram.Operand;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the PTX the backend generates, instruction by instruction, on {@link EmulatedDevice}'s
 * memory: every block of the grid in turn, its threads each with their own registers, meeting at
 * {@code bar.sync} and at {@code shfl.sync} and {@code mma.sync} (per warp). Covers the instruction
 * subset Javelin emits; {@code mma} follows the PTX ISA's fragment layouts as {@code MmaPtx} reads
 * them, so it checks the kernel's staging and indexing, not those layouts themselves. The approximate instructions ({@code ex2/lg2/sin/cos.approx}) compute exactly,
 * so results can differ from a GPU's in the last bits; everything else follows the PTX ISA. This class
 * schedules the threads (blocks, barriers, warps); what each instruction does is {@link PtxInstructions}.
 */
final class PtxInterpreter {
    private static final Map<String, PtxProgram> PROGRAMS = new ConcurrentHashMap<>();

    private final PtxProgram prog;
    private final Launch launch;
    private final PtxInstructions threads;

    private PtxInterpreter(EmulatedDevice mem, Launch launch) {
        this.launch = launch;
        this.prog = PROGRAMS.computeIfAbsent(launch.name(), n -> new PtxProgram(launch.entry()));
        this.threads = new PtxInstructions(mem, prog, launch);
    }

    static void run(EmulatedDevice mem, Launch launch) {
        new PtxInterpreter(mem, launch).grid();
    }

    private void grid() {
        for (int z = 0; z < launch.gridZ(); z++) {
            for (int y = 0; y < launch.gridY(); y++) {
                for (int x = 0; x < launch.gridX(); x++) block(x, y, z);
            }
        }
    }

    // ---- one block ---------------------------------------------------------------------------

    private void block(int x, int y, int z) {
        threads.enterBlock(x, y, z);
        int n = launch.block();
        int[] pc = new int[n];
        int[] wait = new int[n]; // 0 running, 1 at bar.sync, 2 at shfl, 3 exited
        while (true) {
            for (int t = 0; t < n; t++) {
                if (wait[t] == 0) wait[t] = runUntilSync(t, pc);
            }
            boolean allDone = true;
            boolean allAtBar = true;
            for (int t = 0; t < n; t++) {
                allDone &= wait[t] == 3;
                allAtBar &= wait[t] == 1 || wait[t] == 3;
            }
            if (allDone) return;
            if (allAtBar) {
                for (int t = 0; t < n; t++) {
                    if (wait[t] == 1) {
                        wait[t] = 0;
                        pc[t]++;
                    }
                }
                continue;
            }
            boolean moved = false;
            for (int w0 = 0; w0 < n; w0 += 32) {
                int end = Math.min(n, w0 + 32);
                boolean ready = true;
                boolean any = false;
                for (int t = w0; t < end; t++) {
                    ready &= wait[t] == 2 || wait[t] == 3;
                    any |= wait[t] == 2;
                }
                if (!ready || !any) continue;
                if (prog.code.get(pc[firstWaiting(w0, end, wait)]).parts[0].equals("mma")) mma(w0, end, pc, wait);
                else shuffle(w0, end, pc, wait);
                moved = true;
            }
            if (!moved) throw new IllegalStateException(prog.name + ": threads wait at different barriers (deadlock)");
        }
    }

    private static int firstWaiting(int w0, int end, int[] wait) {
        for (int t = w0; t < end; t++) if (wait[t] == 2) return t;
        throw new IllegalStateException("no waiting lane");
    }

    /**
     * {@code mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 d, a, b, c} for one warp, with the
     * PTX ISA's fragment layouts (g = lane / 4, t = lane % 4): A a0..a3 at (g, t), (g+8, t), (g, t+4),
     * (g+8, t+4); B b0, b1 at (t, g), (t+4, g); C and D c0..c3 at (g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1).
     */
    private void mma(int w0, int end, int[] pc, int[] wait) {
        if (end - w0 != 32) throw new IllegalStateException(prog.name + ": mma needs a full warp");
        float[][] a = new float[16][8];
        float[][] b = new float[8][8];
        float[][] c = new float[16][8];
        Instr in = null;
        for (int l = 0; l < 32; l++) {
            int t = w0 + l;
            if (wait[t] != 2) throw new IllegalStateException(prog.name + ": mma with an exited lane");
            in = prog.code.get(pc[t]);
            int g = l >> 2;
            int q = l & 3;
            Operand[] av = in.ops[1].elems;
            Operand[] bv = in.ops[2].elems;
            Operand[] cv = in.ops[3].elems;
            a[g][q] = fl(t, av[0]);
            a[g + 8][q] = fl(t, av[1]);
            a[g][q + 4] = fl(t, av[2]);
            a[g + 8][q + 4] = fl(t, av[3]);
            b[q][g] = fl(t, bv[0]);
            b[q + 4][g] = fl(t, bv[1]);
            c[g][2 * q] = fl(t, cv[0]);
            c[g][2 * q + 1] = fl(t, cv[1]);
            c[g + 8][2 * q] = fl(t, cv[2]);
            c[g + 8][2 * q + 1] = fl(t, cv[3]);
        }
        float[][] d = new float[16][8];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 8; j++) {
                double sum = c[i][j];
                for (int k = 0; k < 8; k++) sum += (double) a[i][k] * b[k][j];
                d[i][j] = (float) sum;
            }
        }
        for (int l = 0; l < 32; l++) {
            int t = w0 + l;
            Operand[] dv = prog.code.get(pc[t]).ops[0].elems;
            int g = l >> 2;
            int q = l & 3;
            float[] vals = {d[g][2 * q], d[g][2 * q + 1], d[g + 8][2 * q], d[g + 8][2 * q + 1]};
            for (int e = 0; e < 4; e++) threads.write(t, dv[e], Float.floatToRawIntBits(vals[e]) & 0xffffffffL, 32);
            wait[t] = 0;
            pc[t]++;
        }
    }

    private float fl(int t, Operand o) {
        return Float.intBitsToFloat((int) threads.read(t, o, 32));
    }

    private void shuffle(int w0, int end, int[] pc, int[] wait) {
        long[] src = new long[end - w0];
        Instr in = null;
        for (int t = w0; t < end; t++) {
            if (wait[t] != 2) continue;
            in = prog.code.get(pc[t]);
            src[t - w0] = threads.read(t, in.ops[1], 32);
        }
        for (int t = w0; t < end; t++) {
            if (wait[t] != 2) continue;
            Instr i = prog.code.get(pc[t]);
            int delta = (int) threads.read(t, i.ops[2], 32);
            int lane = t - w0;
            int from = lane + delta;
            long v = from < end - w0 && wait[w0 + from] == 2 ? src[from] : src[lane];
            threads.write(t, i.ops[0], v, 32);
            wait[t] = 0;
            pc[t]++;
        }
    }

    /** Runs thread t until bar.sync (1), shfl (2) or exit (3). */
    private int runUntilSync(int t, int[] pc) {
        while (true) {
            if (pc[t] >= prog.code.size()) return 3;
            Instr in = prog.code.get(pc[t]);
            if (in.pred >= 0 && threads.predicate(t, in.pred) == in.negate) {
                pc[t]++;
                continue;
            }
            switch (in.parts[0]) {
                case "bar" -> { return 1; }
                case "shfl", "mma" -> { return 2; } // warp-collective: all lanes meet

                case "ret" -> { return 3; }
                case "bra" -> {
                    pc[t] = in.target;
                    continue;
                }
                default -> threads.exec(t, in);
            }
            pc[t]++;
        }
    }
}
