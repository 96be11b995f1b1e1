package dev.javelin.kernels.cuda;

import dev.javelin.kernels.cuda.PtxProgram.Instr;
import dev.javelin.kernels.cuda.PtxProgram.Operand;
import dev.javelin.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What each PTX instruction does to one thread, for {@link PtxInterpreter}: the block's register
 * files and shared memory, operand reads and writes at their widths, the arithmetic, compare,
 * convert and logic instructions, and loads and stores in the param, const, shared and global
 * spaces. The interpreter decides which thread runs when; this class holds no scheduling.
 */
final class PtxInstructions {
    private final EmulatedDevice mem;
    private final PtxProgram prog;
    private final List<Object> args;
    private final Launch launch;

    private int bx, by, bz;
    private long[][] regs;
    private ByteBuffer shared;

    PtxInstructions(EmulatedDevice mem, PtxProgram prog, Launch launch) {
        this.mem = mem;
        this.prog = prog;
        this.launch = launch;
        this.args = launch.args();
    }

    /** Starts block (x, y, z): fresh registers for each of its threads and zeroed shared memory. */
    void enterBlock(int x, int y, int z) {
        bx = x;
        by = y;
        bz = z;
        regs = new long[launch.block()][prog.registers.size()];
        shared = ByteBuffer.allocate(Math.max(prog.sharedBytes, 8)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether thread t's predicate register {@code reg} is set. */
    boolean predicate(int t, int reg) {
        return regs[t][reg] != 0;
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
    long read(int t, Operand o, int width) {
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

    void write(int t, Operand o, long v, int width) {
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

    /** Runs one instruction of thread t; branches, barriers and warp collectives are the interpreter's. */
    void exec(int t, Instr in) {
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
            if (p[1].equals("shared")) {
                writeShared(a, size, v);
            } else {
                writeGlobal(a, size, v);
                mem.countStored(size);
            }
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
