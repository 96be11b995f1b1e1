package dev.javelin.kernels.cuda;

import java.util.List;

/**
 * One kernel launch, described without the driver: the entry's name and PTX text, the grid, the
 * block, dynamic shared memory and the arguments in parameter order ({@code Long} for u64 and
 * pointers, {@code Integer} for u32/s32, {@code Float}, {@code Double}). The planner produces these;
 * the device runs them, and tests collect them to assemble every PTX the backend emits.
 *
 * <pre>{@code
 * new Launch("E_copy_f32_r1", entry, 64, 1, 1, 256, 0, List.of(outAddr, n, inAddr, 0, 1));
 * }</pre>
 */
public record Launch(String name, String entry, int gridX, int gridY, int gridZ, int block, int sharedBytes, List<Object> args) {
    public Launch {
        args = List.copyOf(args);
        if (gridX < 1 || gridY < 1 || gridZ < 1 || block < 1) {
            throw new IllegalArgumentException("Launch " + name + ": empty grid " + gridX + "x" + gridY + "x" + gridZ + " block " + block);
        }
        if (gridY > 65535 || gridZ > 65535) {
            throw new IllegalArgumentException("Launch " + name + ": grid y/z above 65535: " + gridY + ", " + gridZ);
        }
    }
}
