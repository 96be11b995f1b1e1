package dev.javelin.tensor.spi;

import java.util.function.Supplier;

/**
 * A contraction operand that its caller knows never changes between calls (a compiled program's
 * captured weight: tensors are values, so a constant's memory is never written again), with room
 * for one form of it that a backend derives once and reuses on every later call: a convolution
 * filter already transformed for Winograd, a weight already packed. A compiled program keeps one per
 * contraction step whose operand is a constant and hands it to {@link Backend#contract}; the
 * derived form lives and dies with the program.
 *
 * <p>The derived form is stored under a key the backend chooses (the operand's array and the
 * geometry that shaped the form): a call with another key derives again, so a wrong key never
 * gives a stale result, only a slower call.
 *
 * <pre>{@code
 * ConstantOperand filter = new ConstantOperand(1);                 // the program's filter input
 * float[] u = filter.derived(List.of(filterArray, cin, cout), () -> transform(filterArray));
 * }</pre>
 */
public final class ConstantOperand {
    private final int input;
    private Object key;
    private Object value;

    /** The operand at position {@code input} of the contraction's inputs is constant. */
    public ConstantOperand(int input) {
        if (input < 0) throw new IllegalArgumentException("ConstantOperand: input index must be >= 0, got " + input);
        this.input = input;
    }

    /** Which of the contraction's inputs is constant. */
    public int input() {
        return input;
    }

    /**
     * The form derived under {@code key} ({@link Object#equals}; compare arrays by identity by putting
     * them in the key as they are), made by {@code make} on the first call with that key and kept
     * until a call with another key. Safe from several threads (a program may run on several at once).
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T derived(Object key, Supplier<T> make) {
        if (value == null || !this.key.equals(key)) {
            value = null; // drop the old form before making the new one (they may be large)
            value = make.get();
            this.key = key;
        }
        return (T) value;
    }
}
