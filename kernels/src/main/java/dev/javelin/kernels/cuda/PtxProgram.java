package dev.javelin.kernels.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed PTX entry of the shape {@code PtxWriter} prints: parameters in order, shared arrays,
 * and the body as decoded instructions (predicate, opcode parts, operands) with labels resolved.
 * Registers are numbered so the interpreter can keep them in arrays.
 */
final class PtxProgram {
    final String name;
    final List<String> params = new ArrayList<>();
    final Map<String, Integer> paramIndex = new HashMap<>();
    final Map<String, Integer> sharedOffset = new HashMap<>();
    int sharedBytes;
    /** Constant-memory arrays declared before the entry: their offsets in {@link #constants}. */
    final Map<String, Integer> constOffset = new HashMap<>();
    java.nio.ByteBuffer constants = java.nio.ByteBuffer.allocate(0);
    final Map<String, Integer> registers = new HashMap<>();
    final List<Instr> code = new ArrayList<>();

    /** One instruction: {@code [@[!]pred] op.mod1.mod2 operands}. */
    static final class Instr {
        int pred = -1;
        boolean negate;
        String[] parts;      // opcode split at dots, e.g. [setp, lt, f32]
        Operand[] ops;
        int target = -1;     // for bra
        String text;
    }

    /** An operand: register, immediate, special register, address [base+offset], vector, or symbol. */
    static final class Operand {
        enum Kind { REG, IMM, SPECIAL, ADDR, VEC, SYMBOL }
        Kind kind;
        int reg = -1;
        long imm;            // raw bits for float immediates
        boolean floatImm;
        String special;
        Operand base;        // for ADDR
        long offset;
        Operand[] elems;     // for VEC
        String symbol;
    }

    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) (\\w+)");
    private static final Pattern SHARED = Pattern.compile("\\.shared \\.align \\d+ \\.b8 (\\w+)\\[(\\d+)\\]");
    private static final Pattern CONST = Pattern.compile("\\.const \\.align \\d+ \\.b32 (\\w+)\\[(\\d+)\\] = \\{([^}]*)\\}");

    PtxProgram(String entry) {
        int open = entry.indexOf('(');
        name = entry.substring(entry.indexOf(".entry ") + 7, open).trim();
        Matcher pm = PARAM.matcher(entry.substring(open, entry.indexOf(')')));
        while (pm.find()) {
            // ptxas refuses a repeated parameter name; binding by name here would silently alias the two
            if (paramIndex.putIfAbsent(pm.group(2), params.size()) != null) {
                throw new IllegalArgumentException("PTX entry " + name + ": parameter " + pm.group(2) + " is declared twice");
            }
            params.add(pm.group(1));
        }
        Matcher cm = CONST.matcher(entry.substring(0, entry.indexOf(".entry ")));
        List<String[]> tables = new ArrayList<>();
        int constBytes = 0;
        while (cm.find()) {
            constOffset.put(cm.group(1), constBytes);
            constBytes += 4 * Integer.parseInt(cm.group(2));
            tables.add(cm.group(3).split(","));
        }
        constants = java.nio.ByteBuffer.allocate(constBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (String[] values : tables) for (String v : values) constants.putInt((int) Long.parseLong(v.strip().substring(2), 16));
        Matcher sm = SHARED.matcher(entry);
        while (sm.find()) {
            sharedOffset.put(sm.group(1), sharedBytes);
            sharedBytes += Integer.parseInt(sm.group(2));
        }
        Map<String, Integer> labels = new HashMap<>();
        List<String[]> pending = new ArrayList<>();
        String body = entry.substring(entry.indexOf('{', entry.indexOf(')')) + 1, entry.lastIndexOf('}'));
        for (String raw : body.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("//") || line.startsWith(".reg") || line.startsWith(".shared")) continue;
            if (line.endsWith(":")) {
                labels.put(line.substring(0, line.length() - 1), code.size());
                continue;
            }
            Instr in = new Instr();
            in.text = line;
            line = line.substring(0, line.length() - 1); // the semicolon
            if (line.startsWith("@")) {
                int sp = line.indexOf(' ');
                String p = line.substring(1, sp);
                in.negate = p.startsWith("!");
                in.pred = reg(in.negate ? p.substring(1) : p);
                line = line.substring(sp + 1).strip();
            }
            int sp = line.indexOf(' ');
            String opcode = sp < 0 ? line : line.substring(0, sp);
            in.parts = opcode.split("\\.");
            String rest = sp < 0 ? "" : line.substring(sp + 1).strip();
            if (in.parts[0].equals("bra")) {
                pending.add(new String[] {Integer.toString(code.size()), rest});
                in.ops = new Operand[0];
            } else {
                in.ops = operands(rest);
            }
            code.add(in);
        }
        for (String[] p : pending) code.get(Integer.parseInt(p[0])).target = labels.get(p[1]);
    }

    int reg(String name) {
        return registers.computeIfAbsent(name, k -> registers.size());
    }

    private Operand[] operands(String text) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') depth--;
            else if (c == ',' && depth == 0) {
                items.add(text.substring(start, i).strip());
                start = i + 1;
            }
        }
        if (!text.isBlank()) items.add(text.substring(start).strip());
        Operand[] ops = new Operand[items.size()];
        for (int i = 0; i < ops.length; i++) ops[i] = operand(items.get(i));
        return ops;
    }

    private Operand operand(String s) {
        Operand o = new Operand();
        if (s.startsWith("{")) {
            o.kind = Operand.Kind.VEC;
            String[] e = s.substring(1, s.length() - 1).split(",");
            o.elems = new Operand[e.length];
            for (int i = 0; i < e.length; i++) o.elems[i] = operand(e[i].strip());
        } else if (s.startsWith("[")) {
            o.kind = Operand.Kind.ADDR;
            String in = s.substring(1, s.length() - 1);
            int plus = in.indexOf('+');
            o.base = operand(plus < 0 ? in : in.substring(0, plus));
            o.offset = plus < 0 ? 0 : Long.parseLong(in.substring(plus + 1));
        } else if (s.startsWith("%") && (s.contains(".") || s.equals("%laneid"))) {
            o.kind = Operand.Kind.SPECIAL;
            o.special = s;
        } else if (s.startsWith("%")) {
            o.kind = Operand.Kind.REG;
            o.reg = reg(s);
        } else if (s.startsWith("0f") || s.startsWith("0F")) {
            o.kind = Operand.Kind.IMM;
            o.floatImm = true;
            o.imm = Long.parseLong(s.substring(2), 16);
        } else if (s.startsWith("0d") || s.startsWith("0D")) {
            o.kind = Operand.Kind.IMM;
            o.floatImm = true;
            o.imm = Long.parseUnsignedLong(s.substring(2), 16);
        } else if (s.startsWith("0x") || s.startsWith("0X")) {
            o.kind = Operand.Kind.IMM;
            o.imm = Long.parseUnsignedLong(s.substring(2), 16);
        } else if (s.matches("-?\\d+")) {
            o.kind = Operand.Kind.IMM;
            o.imm = Long.parseLong(s);
        } else {
            o.kind = Operand.Kind.SYMBOL;
            o.symbol = s;
        }
        return o;
    }
}
