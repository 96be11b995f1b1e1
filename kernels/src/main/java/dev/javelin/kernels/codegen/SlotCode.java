package dev.javelin.kernels.codegen;

import static org.objectweb.asm.Opcodes.*;

import dev.javelin.kernels.ir.KernelIR;
import dev.javelin.kernels.ir.KernelIR.Access;
import dev.javelin.tensor.DType;
import java.util.function.IntSupplier;
import org.objectweb.asm.MethodVisitor;

/**
 * How a kernel method addresses its slots, for {@link KernelBody}: each slot's array, offset and gather map
 * (or broadcast value) held in locals, and the bytecode of a load or store at the loop position {@code i},
 * contiguous, broadcast or gathered, float or bool, whole vectors or the masked tail. The method's parameters
 * start with {@code (arrays, offsets, maps)}. A slot in a {@link KernelIR#withSlotGroups slot group}, other than its
 * first, keeps its distance from the group's first slot instead of an offset: its position is the first slot's
 * offset plus that displacement, so a row steps one offset per group.
 */
final class SlotCode {
    private static final String FV = VectorInstructions.FV, FVD = VectorInstructions.FVD, VMD = VectorInstructions.VMD,
            VSD = VectorInstructions.VSD;
    private static final String SUPPORT = "dev/javelin/kernels/codegen/KernelSupport";

    private final KernelIR ir;
    private final String owner;
    private final MethodVisitor mv;
    private final VectorInstructions instructions;
    /**
     * Per slot, the locals of its array, offset (for a later slot of a group: its displacement from the group's
     * first slot), gather map and broadcast value.
     */
    final int[] arr, off, map, hoisted;
    private int i, n, tailMask;

    SlotCode(KernelIR ir, String owner, MethodVisitor mv, VectorInstructions instructions, int slots) {
        this.ir = ir;
        this.owner = owner;
        this.mv = mv;
        this.instructions = instructions;
        arr = new int[slots];
        off = new int[slots];
        map = new int[slots];
        hoisted = new int[slots];
    }

    /** The locals of the loop position, the loop's length and the tail's mask, which the loads and stores read. */
    void position(int i, int n, int tailMask) {
        this.i = i;
        this.n = n;
        this.tailMask = tailMask;
    }

    /** Loads a slot's array and offset (and its gather map or broadcast value) into locals. */
    void prologue(int s, IntSupplier local) {
        boolean output = s >= ir.inputSlots();
        DType dt = output ? ir.outDtype() : ir.loads().get(s).dtype();
        String arrayType = dt == DType.BOOL ? "[Z" : "[F";
        arr[s] = local.getAsInt();
        mv.visitVarInsn(ALOAD, KernelBody.ARRAYS);
        instructions.push(s);
        mv.visitInsn(AALOAD);
        mv.visitTypeInsn(CHECKCAST, arrayType);
        mv.visitVarInsn(ASTORE, arr[s]);
        off[s] = local.getAsInt();
        mv.visitVarInsn(ALOAD, KernelBody.OFFSETS);
        instructions.push(s);
        mv.visitInsn(IALOAD);
        if (displaced(s)) { // its displacement from the group's first slot, fixed for the call
            mv.visitVarInsn(ALOAD, KernelBody.OFFSETS);
            instructions.push(ir.groupOf(s));
            mv.visitInsn(IALOAD);
            mv.visitInsn(ISUB);
        }
        mv.visitVarInsn(ISTORE, off[s]);
        if (output) return;
        Access a = ir.loads().get(s).access();
        if (a == Access.STRIDED) {
            map[s] = local.getAsInt();
            mv.visitVarInsn(ALOAD, KernelBody.MAPS);
            instructions.push(s);
            mv.visitInsn(AALOAD);
            mv.visitTypeInsn(CHECKCAST, "[I");
            mv.visitVarInsn(ASTORE, map[s]);
        } else if (a == Access.BROADCAST) {
            hoisted[s] = local.getAsInt();
        }
    }

    /** Loads a broadcast slot's one value (at its offset) as a vector. */
    void broadcast(int s) {
        if (ir.loads().get(s).dtype() == DType.BOOL) {
            mv.visitVarInsn(ALOAD, arr[s]);
            mv.visitVarInsn(ILOAD, off[s]);
            support("broadcastMask", "([ZI)" + VMD);
        } else {
            species();
            mv.visitVarInsn(ALOAD, arr[s]);
            mv.visitVarInsn(ILOAD, off[s]);
            mv.visitInsn(FALOAD);
            mv.visitMethodInsn(INVOKESTATIC, FV, "broadcast", "(" + VSD + "F)" + FVD, false);
        }
        mv.visitVarInsn(ASTORE, hoisted[s]);
    }

    /** Pushes the vector of floats at slot {@code s}'s current position (contiguous; masked in the tail). */
    void loadFloats(int s, boolean masked) {
        species();
        mv.visitVarInsn(ALOAD, arr[s]);
        index(s);
        if (masked) {
            mv.visitVarInsn(ALOAD, tailMask);
            mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI" + VMD + ")" + FVD, false);
        } else {
            mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI)" + FVD, false);
        }
    }

    void load(int s, boolean masked, int target) {
        Access a = ir.loads().get(s).access();
        if (a == Access.BROADCAST) return; // hoisted before the loop
        boolean bool = ir.loads().get(s).dtype() == DType.BOOL;
        if (a == Access.CONTIGUOUS) {
            if (bool) {
                mv.visitVarInsn(ALOAD, arr[s]);
                index(s);
                if (masked) {
                    remaining();
                    support("loadMaskTail", "([ZII)" + VMD);
                } else {
                    support("loadMask", "([ZI)" + VMD);
                }
            } else {
                loadFloats(s, masked);
            }
        } else { // strided: a gather through the slot's map. The tail reads only its lanes (the Vector API checks a
            // masked gather's every index), since a launcher that runs a row in chunks passes the whole row's map,
            // whose entries past the last chunk are past the data
            if (!bool && !masked) species();
            mv.visitVarInsn(ALOAD, arr[s]);
            mv.visitVarInsn(ILOAD, off[s]);
            mv.visitVarInsn(ALOAD, map[s]);
            mv.visitVarInsn(ILOAD, i);
            if (masked) remaining();
            if (bool) {
                if (masked) support("gatherMaskTail", "([ZI[III)" + VMD);
                else support("gatherMask", "([ZI[II)" + VMD);
            } else {
                if (masked) support("gatherTail", "([FI[III)" + FVD);
                else mv.visitMethodInsn(INVOKESTATIC, FV, "fromArray", "(" + VSD + "[FI[II)" + FVD, false);
            }
        }
        mv.visitVarInsn(ASTORE, target);
    }

    /** Stores the value on the stack into the output slot at position i. */
    void store(int out, boolean masked) {
        if (ir.outDtype() == DType.BOOL) {
            mv.visitVarInsn(ALOAD, arr[out]);
            index(out);
            if (masked) {
                remaining();
                support("storeMaskTail", "(" + VMD + "[ZII)V");
            } else {
                support("storeMask", "(" + VMD + "[ZI)V");
            }
        } else {
            mv.visitVarInsn(ALOAD, arr[out]);
            index(out);
            if (masked) {
                mv.visitVarInsn(ALOAD, tailMask);
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI" + VMD + ")V", false);
            } else {
                mv.visitMethodInsn(INVOKEVIRTUAL, FV, "intoArray", "([FI)V", false);
            }
        }
    }

    /** Whether slot {@code s} is held as a displacement from its group's first slot (a row steps only the first). */
    boolean displaced(int s) {
        return ir.groupOf(s) != s;
    }

    /** Pushes slot {@code s}'s offset at the current row: its own, or its group's first slot's plus its displacement. */
    void offset(int s) {
        mv.visitVarInsn(ILOAD, off[ir.groupOf(s)]);
        if (displaced(s)) {
            mv.visitVarInsn(ILOAD, off[s]);
            mv.visitInsn(IADD);
        }
    }

    /** Pushes slot {@code s}'s position: {@code (offset + i) + displacement} (C2 shares {@code offset + i} within a group). */
    private void index(int s) {
        mv.visitVarInsn(ILOAD, off[ir.groupOf(s)]);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(IADD);
        if (displaced(s)) {
            mv.visitVarInsn(ILOAD, off[s]);
            mv.visitInsn(IADD);
        }
    }

    private void remaining() {
        mv.visitVarInsn(ILOAD, n);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(ISUB);
    }

    private void species() { mv.visitFieldInsn(GETSTATIC, owner, "S", VSD); }

    private void support(String method, String desc) { mv.visitMethodInsn(INVOKESTATIC, SUPPORT, method, desc, false); }
}
