package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.PtxProgram.Instr;
import dev.javelin.kernels.cuda.PtxProgram.Operand;
import dev.javelin.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the PTX the backend generates, instruction by instruction, on {@link EmulatedDevice}'s
 * memory: every block of the grid in turn, its threads each with their own registers, meeting at
 * {@code bar.sync} and at {@code shfl.sync} and {@code mma.sync} (per warp). Covers the instruction
 * subset Javelin emits; {@code mma} follows the PTX ISA's fragment layouts as {@code MmaPtx} reads
 * them, so it checks the kernel's staging and indexing, not those layouts themselves. The approximate instructions ({@code ex2/lg2/sin/cos.approx}) compute exactly,
 * so results can differ from a GPU's in the last bits; everything else follows the PTX ISA.
 */
final class PtxInterpreter {
    private static final Map<String, PtxProgram> PROGRAMS = new ConcurrentHashMap<>();

    private final EmulatedDevice mem;
    private final PtxProgram prog;
    private final List<Object> args;
    private final Launch launch;

    private PtxInterpreter(EmulatedDevice mem, Launch launch) {
        this.mem = mem;
        this.launch = launch;
        this.args = launch.args();
        this.prog = PROGRAMS.computeIfAbsent(launch.name(), n -> new PtxProgram(launch.entry()));
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

    private int bx, by, bz;
    private long[][] regs;
    private ByteBuffer shared;

    private void block(int x, int y, int z) {
        bx = x;
        by = y;
        bz = z;
        int n = launch.block();
        regs = new long[n][prog.registers.size()];
        shared = ByteBuffer.allocate(Math.max(prog.sharedBytes, 8)).order(ByteOrder.LITTLE_ENDIAN);
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
            for (int e = 0; e < 4; e++) write(t, dv[e], Float.floatToRawIntBits(vals[e]) & 0xffffffffL, 32);
            wait[t] = 0;
            pc[t]++;
        }
    }

    private float fl(int t, Operand o) {
        return Float.intBitsToFloat((int) read(t, o, 32));
    }

    private void shuffle(int w0, int end, int[] pc, int[] wait) {
        long[] src = new long[end - w0];
        Instr in = null;
        for (int t = w0; t < end; t++) {
            if (wait[t] != 2) continue;
            in = prog.code.get(pc[t]);
            src[t - w0] = read(t, in.ops[1], 32);
        }
        for (int t = w0; t < end; t++) {
            if (wait[t] != 2) continue;
            Instr i = prog.code.get(pc[t]);
            int delta = (int) read(t, i.ops[2], 32);
            int lane = t - w0;
            int from = lane + delta;
            long v = from < end - w0 && wait[w0 + from] == 2 ? src[from] : src[lane];
            regs[t][i.ops[0].reg] = v & 0xffffffffL;
            wait[t] = 0;
            pc[t]++;
        }
    }

    /** Runs thread t until bar.sync (1), shfl (2) or exit (3). */
    private int runUntilSync(int t, int[] pc) {
        long[] r = regs[t];
        while (true) {
            if (pc[t] >= prog.code.size()) return 3;
            Instr in = prog.code.get(pc[t]);
            if (in.pred >= 0 && ((r[in.pred] != 0) == in.negate)) {
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
                default -> exec(t, in);
            }
            pc[t]++;
        }
    }

    // ---- values ------------------------------------------------------------------------------

    private static int bits(String type) {
        return switch (type) {
            case "f64", "s64", "u64", "b64" -> 64;
            case "u8" -> 8;
            case "pred" -> 1;
            default -> 32;
        };
    }

    private long special(int t, String s) {
        return switch (s) {
            case "%tid.x" -> t;
            case "%ntid.x" -> launch.block();
            case "%ctaid.x" -> bx;
            case "%ctaid.y" -> by;
            case "%ctaid.z" -> bz;
            case "%nctaid.x" -> launch.gridX();
            case "%nctaid.y" -> launch.gridY();
            case "%nctaid.z" -> launch.gridZ();
            default -> throw new IllegalStateException("no special register " + s);
        };
    }

    /** The raw bits of an operand, as a value of {@code width} bits. */
    private long read(int t, Operand o, int width) {
        long v = switch (o.kind) {
            case REG -> regs[t][o.reg];
            case IMM -> o.imm;
            case SPECIAL -> special(t, o.special);
            case SYMBOL -> {
                Integer s = prog.sharedOffset.containsKey(o.symbol) ? prog.sharedOffset.get(o.symbol) : prog.constOffset.get(o.symbol);
                if (s == null) throw new IllegalStateException(prog.name + ": unknown symbol " + o.symbol);
                yield s;
            }
            default -> throw new IllegalStateException(prog.name + ": cannot read " + o.kind);
        };
        return width == 64 ? v : width == 1 ? (v != 0 ? 1 : 0) : v & ((1L << width) - 1);
    }

    private void write(int t, Operand o, long v, int width) {
        regs[t][o.reg] = width == 64 ? v : v & ((1L << width) - 1);
    }

    private double f(int t, Operand o, String type) {
        long v = read(t, o, bits(type));
        return type.equals("f64") ? Double.longBitsToDouble(v) : Float.intBitsToFloat((int) v);
    }

    private void wf(int t, Operand o, String type, double v) {
        if (type.equals("f64")) write(t, o, Double.doubleToRawLongBits(v), 64);
        else write(t, o, Float.floatToRawIntBits((float) v) & 0xffffffffL, 32);
    }

    /** Integer value of an operand, sign-extended for s types. */
    private long i(int t, Operand o, String type) {
        long v = read(t, o, bits(type));
        return type.startsWith("s") && bits(type) == 32 ? (int) v : v;
    }

    private long address(int t, Operand o) {
        return read(t, o.base, 64) + o.offset;
    }

    // ---- instructions ------------------------------------------------------------------------

    private void exec(int t, Instr in) {
        String[] p = in.parts;
        String type = p[p.length - 1];
        Operand[] o = in.ops;
        switch (p[0]) {
            case "mov" -> {
                if (o[0].kind == Operand.Kind.VEC) { // unpack b64 into two b32
                    long v = read(t, o[1], 64);
                    write(t, o[0].elems[0], v, 32);
                    write(t, o[0].elems[1], v >>> 32, 32);
                } else if (o[1].kind == Operand.Kind.VEC) {
                    write(t, o[0], read(t, o[1].elems[0], 32) | (read(t, o[1].elems[1], 32) << 32), 64);
                } else {
                    write(t, o[0], read(t, o[1], bits(type)), bits(type));
                }
            }
            case "cvta" -> write(t, o[0], read(t, o[1], 64), 64);
            case "ld" -> load(t, in);
            case "st" -> store(t, in);
            case "red" -> {
                long a = address(t, o[0]);
                DType dt = switch (type) {
                    case "f32" -> DType.FLOAT32;
                    case "f64" -> DType.FLOAT64;
                    case "u32" -> DType.INT32;
                    default -> DType.INT64;
                };
                if (dt.isFloating()) mem.put(dt, a, mem.get(dt, a) + f(t, o[1], type));
                else mem.putLong(dt, a, mem.getLong(dt, a) + i(t, o[1], dt == DType.INT32 ? "s32" : "s64"));
            }
            case "setp" -> write(t, o[0], compare(t, p[1], type, o[1], o[2]) ? 1 : 0, 1);
            case "selp" -> write(t, o[0], read(t, o[3], 1) != 0 ? read(t, o[1], bits(type)) : read(t, o[2], bits(type)), bits(type));
            case "cvt" -> convert(t, in);
            default -> {
                if (type.equals("pred")) logic(t, p[0], o);
                else if (type.startsWith("f")) floating(t, p, type, o);
                else integer(t, p, type, o);
            }
        }
    }

    private void logic(int t, String op, Operand[] o) {
        long a = read(t, o[1], 1);
        long v = switch (op) {
            case "and" -> a & read(t, o[2], 1);
            case "or" -> a | read(t, o[2], 1);
            case "not" -> a ^ 1;
            default -> throw new IllegalStateException("pred op " + op);
        };
        write(t, o[0], v, 1);
    }

    private void floating(int t, String[] p, String type, Operand[] o) {
        double a = f(t, o[1], type);
        double r = switch (p[0]) {
            case "add" -> a + f(t, o[2], type);
            case "sub" -> a - f(t, o[2], type);
            case "mul" -> a * f(t, o[2], type);
            case "div" -> a / f(t, o[2], type);
            case "fma" -> type.equals("f32") // rounded once, as the hardware does (a double sum could round twice)
                    ? Math.fma((float) a, (float) f(t, o[2], type), (float) f(t, o[3], type))
                    : Math.fma(a, f(t, o[2], type), f(t, o[3], type));
            case "neg" -> -a;
            case "abs" -> Math.abs(a);
            case "min" -> Double.isNaN(a) ? f(t, o[2], type) : Double.isNaN(f(t, o[2], type)) ? a : Math.min(a, f(t, o[2], type));
            case "max" -> Double.isNaN(a) ? f(t, o[2], type) : Double.isNaN(f(t, o[2], type)) ? a : Math.max(a, f(t, o[2], type));
            case "sqrt" -> Math.sqrt(a);
            case "rcp" -> 1 / a;
            case "ex2" -> Math.pow(2, a);
            case "lg2" -> Math.log(a) / Math.log(2);
            case "sin" -> Math.sin(a);
            case "cos" -> Math.cos(a);
            case "copysign" -> Math.copySign(f(t, o[2], type), a);
            default -> throw new IllegalStateException(prog.name + ": no float op " + String.join(".", p));
        };
        wf(t, o[0], type, r);
    }

    private void integer(int t, String[] p, String type, Operand[] o) {
        int w = bits(type);
        boolean signed = type.startsWith("s");
        if (p[0].equals("mul") && p[1].equals("wide")) {
            long a = signed ? (int) read(t, o[1], 32) : read(t, o[1], 32);
            long b = signed ? (int) read(t, o[2], 32) : read(t, o[2], 32);
            write(t, o[0], a * b, 64);
            return;
        }
        long a = i(t, o[1], type);
        long b = o.length > 2 ? i(t, o[2], type) : 0;
        long r = switch (p[0]) {
            case "add" -> a + b;
            case "sub" -> a - b;
            case "mul" -> a * b;
            case "mad" -> a * b + i(t, o[3], type);
            case "div" -> w == 32 && !signed ? Long.divideUnsigned(a & 0xffffffffL, b & 0xffffffffL) : a / b;
            case "rem" -> w == 32 && !signed ? Long.remainderUnsigned(a & 0xffffffffL, b & 0xffffffffL) : a % b;
            case "and" -> a & b;
            case "or" -> a | b;
            case "xor" -> a ^ b;
            case "not" -> ~a;
            case "neg" -> -a;
            case "abs" -> Math.abs(a);
            case "shl" -> a << b;
            case "shr" -> signed ? (w == 32 ? (int) a >> b : a >> b) : (w == 32 ? (a & 0xffffffffL) >>> b : a >>> b);
            case "min" -> signed || w == 64 && signed ? Math.min(a, b) : (Long.compareUnsigned(a, b) <= 0 ? a : b);
            case "max" -> signed ? Math.max(a, b) : (Long.compareUnsigned(a, b) >= 0 ? a : b);
            default -> throw new IllegalStateException(prog.name + ": no integer op " + String.join(".", p));
        };
        write(t, o[0], r, w);
    }

    private boolean compare(int t, String cmp, String type, Operand x, Operand y) {
        if (type.startsWith("f")) {
            double a = f(t, x, type);
            double b = f(t, y, type);
            boolean nan = Double.isNaN(a) || Double.isNaN(b);
            return switch (cmp) {
                case "eq" -> a == b;
                case "ne" -> !nan && a != b;
                case "lt" -> a < b;
                case "le" -> a <= b;
                case "gt" -> a > b;
                case "ge" -> a >= b;
                case "neu" -> nan || a != b;
                case "gtu" -> nan || a > b;
                case "leu" -> nan || a <= b;
                case "ltu" -> nan || a < b;
                case "geu" -> nan || a >= b;
                case "equ" -> nan || a == b;
                case "nan" -> nan;
                case "num" -> !nan;
                default -> throw new IllegalStateException("float compare " + cmp);
            };
        }
        long a = i(t, x, type);
        long b = i(t, y, type);
        int c = type.startsWith("s") ? Long.compare(a, b) : Long.compareUnsigned(a, b);
        return switch (cmp) {
            case "eq" -> c == 0;
            case "ne" -> c != 0;
            case "lt" -> c < 0;
            case "le" -> c <= 0;
            case "gt" -> c > 0;
            case "ge" -> c >= 0;
            default -> throw new IllegalStateException("int compare " + cmp);
        };
    }

    private void convert(int t, Instr in) {
        String[] p = in.parts;
        String dst = p[p.length - 2];
        String src = p[p.length - 1];
        String mode = p.length == 4 ? p[1] : "";
        Operand[] o = in.ops;
        if (dst.equals("tf32")) { // cvt.rna.tf32.f32: keep 10 mantissa bits, rounding half away from zero
            int bits = (int) read(t, o[1], 32);
            if ((bits & 0x7f800000) != 0x7f800000) bits = (bits + 0x1000) & 0xffffe000;
            write(t, o[0], bits & 0xffffffffL, 32);
        } else if (dst.startsWith("f") && src.startsWith("f")) {
            double v = f(t, o[1], src);
            v = switch (mode) {
                case "rni" -> Math.rint(v);
                case "rmi" -> Math.floor(v);
                case "rpi" -> Math.ceil(v);
                case "rzi" -> v < 0 ? Math.ceil(v) : Math.floor(v);
                default -> v;
            };
            wf(t, o[0], dst, v);
        } else if (dst.startsWith("f")) {
            long v = src.equals("u64") ? read(t, o[1], 64) : i(t, o[1], src);
            wf(t, o[0], dst, dst.equals("f32") ? (double) (float) v : (double) v);
        } else if (src.startsWith("f")) {
            double v = f(t, o[1], src);
            long r = bits(dst) == 32 ? (long) (int) v : (long) v; // Java's casts: toward zero, saturating, NaN to 0
            write(t, o[0], r, bits(dst));
        } else {
            write(t, o[0], i(t, o[1], src), bits(dst));
        }
    }

    private void load(int t, Instr in) {
        String[] p = in.parts;
        String type = p[p.length - 1];
        Operand[] o = in.ops;
        String space = p[1];
        if (space.equals("param")) {
            int k = prog.paramIndex.get(o[1].base.symbol);
            Object a = args.get(k);
            long v = switch (a) {
                case Long l -> l;
                case Integer i -> i & 0xffffffffL;
                case Float f -> Float.floatToRawIntBits(f) & 0xffffffffL;
                case Double d -> Double.doubleToRawLongBits(d);
                default -> throw new IllegalStateException("argument " + a);
            };
            write(t, o[0], v, bits(type));
            return;
        }
        long addr = address(t, o[1]);
        int size = bits(type) / 8;
        Operand[] dst = o[0].kind == Operand.Kind.VEC ? o[0].elems : new Operand[] {o[0]};
        for (int e = 0; e < dst.length; e++) {
            long a = addr + (long) e * size;
            long v = switch (space) {
                case "shared" -> readShared(a, size);
                case "const" -> size == 4 ? prog.constants.getInt((int) a) & 0xffffffffL : prog.constants.getLong((int) a);
                default -> readGlobal(a, size);
            };
            write(t, dst[e], v, Math.max(size * 8, 32) == 64 ? 64 : 32);
        }
    }

    private void store(int t, Instr in) {
        String[] p = in.parts;
        String type = p[p.length - 1];
        Operand[] o = in.ops;
        long addr = address(t, o[0]);
        int size = bits(type) / 8;
        Operand[] src = o[1].kind == Operand.Kind.VEC ? o[1].elems : new Operand[] {o[1]};
        for (int e = 0; e < src.length; e++) {
            long a = addr + (long) e * size;
            long v = read(t, src[e], size == 8 ? 64 : 32);
            if (p[1].equals("shared")) writeShared(a, size, v);
            else writeGlobal(a, size, v);
        }
    }

    private long readShared(long a, int size) {
        return switch (size) {
            case 1 -> shared.get((int) a) & 0xffL;
            case 4 -> shared.getInt((int) a) & 0xffffffffL;
            default -> shared.getLong((int) a);
        };
    }

    private void writeShared(long a, int size, long v) {
        switch (size) {
            case 1 -> shared.put((int) a, (byte) v);
            case 4 -> shared.putInt((int) a, (int) v);
            default -> shared.putLong((int) a, v);
        }
    }

    private long readGlobal(long a, int size) {
        return switch (size) {
            case 1 -> mem.getLong(DType.BOOL, a) & 0xff;
            case 4 -> mem.getLong(DType.INT32, a) & 0xffffffffL;
            default -> mem.getLong(DType.INT64, a);
        };
    }

    private void writeGlobal(long a, int size, long v) {
        switch (size) {
            case 1 -> mem.rawByte(a, (byte) v);
            case 4 -> mem.putLong(DType.INT32, a, (int) v);
            default -> mem.putLong(DType.INT64, a, v);
        }
    }
}
