package dev.javelin.jit.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.javelin.jit.CompiledFunction;
import dev.javelin.jit.Jit;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import dev.javelin.tensor.spi.HeapStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A compiled program takes back the memory of the variable values it wrote once they are replaced
 * ({@link VariableLeases}): these tests check that it does, and that a tensor anybody else holds
 * (read from the variable, returned by the program, held by another variable, read by another
 * program running at the same time) keeps its values.
 */
class VariableMemoryReuseTest {
    private static final int N = 1000;

    /** The array under the variable's value, looked at without marking the value as seen. */
    private static Object arrayOf(Variable v) {
        Variable.Stored s = v.pin();
        try {
            return ((HeapStorage) s.value().storage()).array();
        } finally {
            s.unpin();
        }
    }

    private static CompiledFunction addOne(Variable w) {
        return Jit.compile(a -> {
            w.assign(w.value().add(1.0));
            return new Tensor[] {a[0].mul(2.0)};
        });
    }

    private static void assertFilled(float expected, Tensor t) {
        for (float x : t.toFloatArray()) assertEquals(expected, x, "a held tensor changed");
    }

    @Test
    void aStepReusesTheMemoryOfTheValueItReplacedTwoStepsAgo() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        CompiledFunction f = addOne(w);
        Tensor x = Tensors.ones(4);
        f.call(x);
        f.call(x);
        Object second = arrayOf(w);
        f.call(x);
        f.call(x);
        assertSame(second, arrayOf(w), "the weights should alternate between two arrays");
        assertFilled(4, w.stored());
    }

    @Test
    void aValueReadFromTheVariableIsNeverOverwritten() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        CompiledFunction f = addOne(w);
        Tensor x = Tensors.ones(4);
        List<Tensor> held = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            f.call(x);
            held.add(w.value()); // the user keeps every value
        }
        for (int step = 0; step < 6; step++) f.call(x);
        for (int i = 0; i < held.size(); i++) assertFilled(i + 1, held.get(i));
        assertFilled(12, w.stored());
    }

    @Test
    void aReturnedValueThatIsAlsoWrittenIsNeverOverwritten() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        CompiledFunction f = Jit.compile(a -> {
            Tensor next = w.value().add(a[0]);
            w.assign(next);
            return new Tensor[] {next, w.value()};
        });
        Tensor one = Tensors.ones(N);
        List<Tensor[]> held = new ArrayList<>();
        for (int step = 0; step < 6; step++) held.add(f.call(one));
        for (int i = 0; i < held.size(); i++) {
            assertFilled(i + 1, held.get(i)[0]);
            assertFilled(i + 1, held.get(i)[1]);
        }
    }

    @Test
    void aValueReturnedAsReadIsNeverOverwritten() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        CompiledFunction f = Jit.compile(a -> {
            Tensor before = w.value();
            w.assign(before.add(a[0]));
            return new Tensor[] {before};
        });
        Tensor one = Tensors.ones(N);
        List<Tensor> held = new ArrayList<>();
        for (int step = 0; step < 6; step++) held.add(f.call(one)[0]);
        for (int i = 0; i < held.size(); i++) assertFilled(i, held.get(i));
    }

    @Test
    void aValueHandedToAnotherVariableIsNeverOverwritten() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        Variable previous = new Variable("previous", Tensors.zeros(N), false);
        CompiledFunction f = Jit.compile(a -> {
            Tensor old = w.value();
            previous.assign(old);
            w.assign(old.add(a[0]));
            return new Tensor[] {a[0].sum()};
        });
        Tensor one = Tensors.ones(N);
        List<Tensor> previousValues = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            f.call(one);
            previousValues.add(previous.stored());
        }
        for (int step = 0; step < 6; step++) assertFilled(step, previousValues.get(step));
        assertFilled(6, w.stored());
    }

    @Test
    void aCheckpointTakenBetweenStepsKeepsItsValues() {
        Variable w = new Variable("w", Tensors.zeros(N), false);
        CompiledFunction f = addOne(w);
        Tensor x = Tensors.ones(4);
        f.call(x);
        f.call(x);
        Tensor checkpoint = w.stored(); // what ModelArchiveIO and TrainingState do
        for (int step = 0; step < 5; step++) f.call(x);
        assertFilled(2, checkpoint);
        assertFilled(7, w.stored());
    }

    /**
     * Two threads run the update while two others run a program that reads the variable and one
     * reads it eagerly: every value anybody sees must be one value in every element (a reader
     * whose memory was reused under it would see two).
     */
    @Test
    void concurrentProgramsNeverReadMemoryThatIsBeingReused() throws Exception {
        int size = 1 << 18;
        Variable w = new Variable("w", Tensors.zeros(size), false);
        CompiledFunction update = addOne(w);
        CompiledFunction read = Jit.compile(a -> new Tensor[] {w.value().mul(a[0])});
        Tensor x = Tensors.ones(4);
        Tensor one = Tensors.scalar(1f);
        update.call(x);
        read.call(one);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < 60 && failure.get() == null; i++) update.call(x);
            }));
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < 60 && failure.get() == null; i++) checkUniform(read.call(one)[0], failure);
            }));
        }
        threads.add(new Thread(() -> {
            await(start);
            for (int i = 0; i < 30 && failure.get() == null; i++) {
                Tensor seen = w.value();
                float[] first = seen.toFloatArray();
                Thread.yield();
                float[] again = seen.toFloatArray();
                if (!java.util.Arrays.equals(first, again)) failure.compareAndSet(null, new AssertionError("a value read eagerly changed"));
                checkUniform(seen, failure);
            }
        }));
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        checkUniform(w.stored(), failure);
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    private static void checkUniform(Tensor t, AtomicReference<Throwable> failure) {
        float[] a = t.toFloatArray();
        for (float v : a) {
            if (v != a[0]) {
                failure.compareAndSet(null, new AssertionError("a value holds both " + a[0] + " and " + v + ": its memory was reused under a reader"));
                return;
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
