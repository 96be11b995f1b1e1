package dev.javelin.jit.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The launchers' ways of stepping through a launch's positions agree with {@link Launch#offsetsAt}. */
class LaunchTest {
    private static Launch random(Random rnd, int n, int[] kept, int slots) {
        int[] inner = new int[slots], offsets = new int[slots];
        int[][] keptStrides = new int[slots][kept.length], reduced = new int[slots][0];
        for (int s = 0; s < slots; s++) {
            inner[s] = rnd.nextInt(2);
            offsets[s] = rnd.nextInt(7);
            for (int d = 0; d < kept.length; d++) keptStrides[s][d] = rnd.nextInt(50);
        }
        return new Launch(n, inner, kept, keptStrides, new int[0], reduced, offsets, 1);
    }

    @Test
    void nextKeptStepsThroughTheRowsAsOffsetsAtDoes() {
        Random rnd = new Random(5);
        for (int[] kept : new int[][] {{7}, {3, 1, 5, 2}, {1}, {2, 9}, {4, 1, 1}}) {
            Launch l = random(rnd, 3, kept, 4);
            int[] base = {10, 0, 3, 100};
            long rows = l.keptCount();
            for (long from = 0; from < rows; from++) { // from every starting row, as a chunk of a parallel loop starts
                int[] index = l.keptIndex(from), offs = new int[4], expected = new int[4];
                l.offsetsAt(from, 0, base, offs);
                for (long row = from; row < rows; row++) {
                    l.offsetsAt(row, 0, base, expected);
                    assertArrayEquals(expected, offs, "kept " + java.util.Arrays.toString(kept) + " row " + row + " from " + from);
                    if (row + 1 < rows) l.nextKept(index, offs);
                }
            }
        }
    }

    @Test
    void aRunOfOneValuePerRowBecomesThoseRowsWithALoopOfOne() {
        Random rnd = new Random(6);
        Launch rows = random(rnd, 33, new int[] {3, 4, 5}, 2);
        Launch flat = new Launch(60, new int[] {1, 0, 1}, new int[0], new int[3][0], new int[0], new int[3][0], new int[] {2, 0, 5}, 60);
        Launch perRow = flat.perRowOf(rows);
        assertEquals(1, perRow.n());
        assertArrayEquals(rows.keptDims(), perRow.keptDims());
        int[] base = {1, 2, 3}, atRow = new int[3], atPosition = new int[3];
        for (int p = 0; p < 60; p++) {
            perRow.offsetsAt(p, 0, base, atRow);
            flat.offsetsAt(0, 0, base, atPosition);
            for (int s = 0; s < 3; s++) atPosition[s] += p * flat.innerStrides()[s];
            assertArrayEquals(atPosition, atRow, "position " + p);
        }
        assertNull(flat.perRowOf(random(rnd, 8, new int[] {7}, 2)), "60 positions are not one per row of 7 rows");
    }
}
