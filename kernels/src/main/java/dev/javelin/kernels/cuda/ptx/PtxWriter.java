package dev.javelin.kernels.cuda.ptx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes one PTX kernel entry as text: parameters, typed virtual registers, labels, instructions.
 * Generators ask for registers by class and get fresh names ({@code %f3}); the declarations are
 * written at the top when the entry is finished, so a generator never counts registers itself.
 *
 * <pre>{@code
 * PtxWriter w = new PtxWriter("E_copy");
 * String out = w.paramPtr("out");
 * String tid = w.globalThreadId();
 * ...
 * String entry = w.finish();
 * }</pre>
 */
public final class PtxWriter {
    /** Virtual register classes; the name prefix is what PTX printers conventionally use. */
    public enum Reg {
        PRED("pred", "%p"), B16("b16", "%h"), B32("b32", "%r"), B64("b64", "%rd"), F32("f32", "%f"), F64("f64", "%fd");

        final String type;
        final String prefix;

        Reg(String type, String prefix) {
            this.type = type;
            this.prefix = prefix;
        }
    }

    private final String name;
    private final List<String> params = new ArrayList<>();
    private final List<String> shared = new ArrayList<>();
    /** Module-level constant arrays this entry reads, by name: declared before it. */
    private final java.util.Map<String, String> constants = new java.util.LinkedHashMap<>();
    private final StringBuilder body = new StringBuilder();
    private final int[] counts = new int[Reg.values().length];
    private int labels;
    private String maxThreads = "";

    public PtxWriter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    // ---- parameters --------------------------------------------------------------------------

    /** Declares a kernel parameter of PTX type {@code type} ({@code u64}, {@code u32}, {@code f32}, ...). */
    public String param(String type, String pname) {
        String full = name + "_" + pname;
        params.add(".param ." + type + " " + full);
        return full;
    }

    /** A 64-bit pointer parameter, loaded and converted to a global address. */
    public String paramPtr(String pname) {
        String p = param("u64", pname);
        String r = reg(Reg.B64);
        op("ld.param.u64 " + r + ", [" + p + "]");
        op("cvta.to.global.u64 " + r + ", " + r);
        return r;
    }

    /** A 32-bit integer parameter loaded into a register. */
    public String paramU32(String pname) {
        String p = param("u32", pname);
        String r = reg(Reg.B32);
        op("ld.param.u32 " + r + ", [" + p + "]");
        return r;
    }

    /** A parameter of register class {@code reg} and PTX type {@code type}, loaded into a register. */
    public String paramValue(String pname, String type, Reg reg) {
        String p = param(type, pname);
        String r = reg(reg);
        op("ld.param." + type + " " + r + ", [" + p + "]");
        return r;
    }

    /** Declares a block-shared array of {@code bytes} bytes aligned to 16; returns its name. */
    public String shared(String sname, int bytes) {
        String full = name + "_" + sname;
        String decl = ".shared .align 16 .b8 " + full + "[" + bytes + "]";
        // asked again (a kernel with several block reductions): the same array, used one phase after another
        if (!shared.contains(decl)) {
            if (shared.stream().anyMatch(s -> s.startsWith(".shared .align 16 .b8 " + full + "["))) {
                throw new IllegalArgumentException("PtxWriter: shared array " + sname + " of " + name + " declared again with another size");
            }
            shared.add(decl);
        }
        return full;
    }

    /**
     * Declares a constant-memory array of float32 {@code values} (module scope, once per name) read
     * with {@code ld.const}; returns its name.
     */
    public String constFloats(String cname, float[] values) {
        String full = name + "_" + cname;
        constants.computeIfAbsent(full, k -> {
            StringBuilder sb = new StringBuilder(".const .align 4 .b32 ").append(k).append('[').append(values.length).append("] = {");
            for (int i = 0; i < values.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "0x%08X", Float.floatToRawIntBits(values[i])));
            }
            return sb.append('}').toString();
        });
        return full;
    }

    /** Tells ptxas the block size, which lets it budget registers (.maxntid). */
    public void maxThreads(int threads) {
        maxThreads = " .maxntid " + threads + ", 1, 1";
    }

    // ---- registers, labels, instructions -----------------------------------------------------

    public String reg(Reg r) {
        return r.prefix + (counts[r.ordinal()]++);
    }

    public String newLabel(String hint) {
        return "$L_" + hint + "_" + (labels++);
    }

    public void label(String l) {
        body.append(l).append(":\n");
    }

    /** One instruction; the semicolon is added. */
    public void op(String instruction) {
        body.append('\t').append(instruction).append(";\n");
    }

    /** One instruction predicated on {@code pred} (prefix {@code !} to negate). */
    public void opIf(String pred, String instruction) {
        body.append("\t@").append(pred).append(' ').append(instruction).append(";\n");
    }

    public void comment(String text) {
        body.append("\t// ").append(text).append('\n');
    }

    // ---- common idioms -----------------------------------------------------------------------

    /** {@code blockIdx.x * blockDim.x + threadIdx.x} as u32. */
    public String globalThreadId() {
        String r = reg(Reg.B32);
        String a = reg(Reg.B32);
        String b = reg(Reg.B32);
        op("mov.u32 " + a + ", %ctaid.x");
        op("mov.u32 " + b + ", %ntid.x");
        op("mov.u32 " + r + ", %tid.x");
        op("mad.lo.s32 " + r + ", " + a + ", " + b + ", " + r);
        return r;
    }

    /** {@code gridDim.x * blockDim.x} as u32: the stride of a grid-stride loop. */
    public String gridStride() {
        String a = reg(Reg.B32);
        String b = reg(Reg.B32);
        op("mov.u32 " + a + ", %nctaid.x");
        op("mov.u32 " + b + ", %ntid.x");
        op("mul.lo.s32 " + a + ", " + a + ", " + b);
        return a;
    }

    /**
     * A grid-stride loop over {@code [0, n)}: each thread starts at its global id and steps by the
     * grid's size; {@code body} emits the work for the u32 element index it is given.
     */
    public void gridStrideLoop(String n, java.util.function.Consumer<String> body) {
        String i = globalThreadId();
        String step = gridStride();
        String p = reg(Reg.PRED);
        String end = newLabel("end");
        String loop = newLabel("loop");
        op("setp.ge.u32 " + p + ", " + i + ", " + n);
        opIf(p, "bra.uni " + end);
        label(loop);
        body.accept(i);
        op("add.s32 " + i + ", " + i + ", " + step);
        op("setp.lt.u32 " + p + ", " + i + ", " + n);
        opIf(p, "bra.uni " + loop);
        label(end);
    }

    /** {@code base + index * elemBytes} with a 32-bit signed element index. */
    public String address(String base, String index32, int elemBytes) {
        String r = reg(Reg.B64);
        op("mul.wide.s32 " + r + ", " + index32 + ", " + elemBytes);
        op("add.s64 " + r + ", " + base + ", " + r);
        return r;
    }

    /** A fresh f32 register holding {@code value} (written as exact hex bits). */
    public String f32(float value) {
        String r = reg(Reg.F32);
        op("mov.f32 " + r + ", " + f32Literal(value));
        return r;
    }

    public static String f32Literal(float value) {
        return String.format(Locale.ROOT, "0f%08X", Float.floatToRawIntBits(value));
    }

    public static String f64Literal(double value) {
        return String.format(Locale.ROOT, "0d%016X", Double.doubleToRawLongBits(value));
    }

    /** The finished {@code .entry}, with register declarations. */
    public String finish() {
        StringBuilder sb = new StringBuilder();
        for (String c : constants.values()) sb.append(c).append(";\n");
        sb.append(".visible .entry ").append(name).append("(\n");
        for (int i = 0; i < params.size(); i++) {
            sb.append('\t').append(params.get(i)).append(i + 1 < params.size() ? ",\n" : "\n");
        }
        sb.append(')').append(maxThreads).append("\n{\n");
        for (Reg r : Reg.values()) {
            int c = counts[r.ordinal()];
            if (c > 0) sb.append("\t.reg .").append(r.type).append(' ').append(r.prefix).append('<').append(c).append(">;\n");
        }
        for (String s : shared) sb.append('\t').append(s).append(";\n");
        sb.append(body);
        sb.append("\tret;\n}\n");
        return sb.toString();
    }
}
