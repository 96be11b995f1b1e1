package dev.javelin.tensor;

import java.util.Arrays;

/**
 * An immutable list of dimension sizes, with NumPy's broadcasting rules and axis normalization.
 *
 * <pre>{@code
 * Shape s = Shape.broadcast("add", Shape.of(4, 1, 3), Shape.of(5, 1)); // [4, 5, 3]
 * }</pre>
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape from its dimension sizes; each must be >= 0. */
    public static Shape of(int... dims) {
        if (dims.length == 0) return SCALAR;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("Shape: negative dimension in " + Arrays.toString(dims));
        }
        return new Shape(dims.clone());
    }

    /** The shape of a 0-dimensional tensor (one element). */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of one dimension; negative axes count from the end. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis, dims.length, "Shape.dim")];
    }

    /** A copy of the dimension sizes. */
    public int[] toArray() {
        return dims.clone();
    }

    /**
     * Most elements one tensor may hold: the longest Java array, since storage is one array indexed
     * by int (strides and offsets are ints too). Every op and factory rejects a larger result.
     */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Number of elements (1 for a scalar, 0 when any dimension is 0); exact, or an error past a long. */
    public long size() {
        long n = 1;
        for (int d : dims) if (d == 0) return 0;
        for (int d : dims) {
            long next = n * d;
            if (Math.multiplyHigh(n, d) != 0 || next < 0) {
                throw new IllegalArgumentException("Shape " + this + ": the element count overflows a long (limit per tensor "
                        + MAX_ELEMENTS + ")");
            }
            n = next;
        }
        return n;
    }

    /** Number of elements as an int, failing clearly past what a Java array holds. */
    public int sizeAsInt() {
        checkFits("Shape", "");
        return (int) size();
    }

    /**
     * Returns this shape if a tensor of it fits ({@link #MAX_ELEMENTS}), else throws an
     * {@link IllegalArgumentException} naming {@code op}, the shape, the limit and {@code context}
     * (the operands, say). Eager and compiled code both go through it, so both say the same.
     *
     * <pre>{@code
     * Shape.of(65536, 65536).checkFits("matmul", "operands float32[65536, 1] and float32[1, 65536]");   // throws
     * }</pre>
     */
    public Shape checkFits(String op, String context) {
        if (fits()) return this;
        long n;
        try {
            n = size();
        } catch (IllegalArgumentException overflow) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": result shape " + this + " has "
                    + (n == Long.MAX_VALUE ? "more than 2^63" : Long.toString(n)) + " elements, more than the limit of "
                    + MAX_ELEMENTS + " per tensor (one Java array)" + (context.isEmpty() ? "" : "; " + context));
        }
        return this;
    }

    /**
     * {@link #checkFits} for a tensor of {@code dtype} that is about to be allocated whole (a layer's
     * weight): also refuses one larger than this JVM's maximum heap, which could never be allocated,
     * with an error naming {@code op} instead of an {@link OutOfMemoryError} (a config that declares
     * huge layers, say).
     *
     * <pre>{@code
     * Shape.of(1024, 2_000_000).checkFitsHeap("dense/kernel (Dense)", DType.FLOAT32, "a weight");   // throws under -Xmx8g
     * }</pre>
     */
    public Shape checkFitsHeap(String op, DType dtype, String context) {
        checkFits(op, context);
        long bytes = size() * dtype.byteSize(), heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IllegalArgumentException(op + ": " + dtype + this + " needs " + (bytes >> 20) + " MiB, more than this JVM's "
                    + "maximum heap of " + (heap >> 20) + " MiB (-Xmx)" + (context.isEmpty() ? "" : "; " + context));
        }
        return this;
    }

    /**
     * {@code n} as a dimension size: a size computed in long (a padded or concatenated length, a
     * flattened width) that must fit an int, else an error naming {@code op} and {@code context}.
     */
    public static int dimension(String op, long n, String context) {
        if (n < 0 || n > MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": a result dimension would be " + n + ", outside [0, " + MAX_ELEMENTS
                    + "] (the limit per tensor)" + (context.isEmpty() ? "" : "; " + context));
        }
        return (int) n;
    }

    /** Row-major strides of a dense tensor of this shape. */
    public int[] contiguousStrides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 1);
        }
        return s;
    }

    /** This shape with dimension {@code axis} replaced by {@code size}. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[normalizeAxis(axis, d.length, "Shape.with")] = size;
        return new Shape(d);
    }

    /** The trailing {@code rank() - from} dims, or a sub-range. */
    public Shape sub(int from, int to) {
        return Shape.of(Arrays.copyOfRange(dims, from, to));
    }

    /** Whether a tensor of this shape fits in one Java array ({@link #MAX_ELEMENTS} elements at most). */
    public boolean fits() {
        for (int d : dims) if (d == 0) return true;
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > MAX_ELEMENTS) return false; // checked at each step: a product of ints under the limit cannot overflow
        }
        return true;
    }

    /**
     * The broadcast of two shapes by NumPy's rules (align right; a dimension of 1 stretches).
     *
     * @param op named in the error message
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " do not broadcast (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        Shape result = new Shape(out);
        return result.fits() ? result : result.checkFits(op, "broadcasting " + a + " with " + b); // the message only when it fails
    }

    /** True when this shape broadcasts to {@code target} without changing {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) return false;
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) return false;
        }
        return true;
    }

    /**
     * Maps a possibly negative axis into {@code [0, rank)}.
     *
     * @throws IllegalArgumentException naming {@code op} when the axis is out of range
     */
    public static int normalizeAxis(int axis, int rank, String op) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for rank " + rank
                    + " (expected " + (-rank) + " <= axis < " + rank + ")");
        }
        return a;
    }

    /** Normalized, sorted, duplicate-free axes; an empty array means every axis. */
    public static int[] normalizeAxes(int[] axes, int rank, String op) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int ax : axes) {
            int a = normalizeAxis(ax, rank, op);
            if (seen[a]) throw new IllegalArgumentException(op + ": axis " + ax + " given twice in " + Arrays.toString(axes));
            seen[a] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < rank; i++) if (seen[i]) out[k++] = i;
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Prints as {@code [2, 3]}, the way error messages name shapes. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
