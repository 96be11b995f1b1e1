package dev.javelin.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContractionOpsTest {
    private static double dot(Tensor a, Tensor b) {
        return a.cast(DType.FLOAT64).mul(b.cast(DType.FLOAT64)).sum().item();
    }

    @Test
    void matmulOfMatricesVectorsAndBatches() {
        Tensor a = Tensors.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensors.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new float[] {4, 5, 10, 11}, a.matmul(b).toFloatArray());
        Tensor v = Tensors.of(new float[] {1, 1, 1});
        Tensor av = a.matmul(v);
        assertEquals(Shape.of(2), av.shape());
        assertArrayEquals(new float[] {6, 15}, av.toFloatArray());
        assertEquals(Shape.of(3), Tensors.of(new float[] {1, 1}).matmul(a).shape());
        assertEquals(3.0, v.matmul(v).item());
        Tensor batch = Tensors.ones(4, 1, 2, 3).matmul(Tensors.ones(5, 3, 2));
        assertEquals(Shape.of(4, 5, 2, 2), batch.shape());
        assertEquals(3.0, batch.get(3, 4, 1, 1));
    }

    @Test
    void matmulOfTransposedViewsAndIntegers() {
        Tensor a = Tensors.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {14, 32, 32, 77}, a.matmul(a.mT()).toFloatArray());
        Tensor i = Tensors.of(new int[] {1, 2, 3, 4}, 2, 2);
        Tensor p = i.matmul(i);
        assertEquals(DType.FLOAT32, p.dtype());
        assertArrayEquals(new float[] {7, 10, 15, 22}, p.toFloatArray());
    }

    @Test
    void matmulWithEmptyInnerDimensionGivesZeros() {
        Tensor z = Tensors.zeros(2, 0).matmul(Tensors.zeros(0, 3));
        assertArrayEquals(new float[6], z.toFloatArray());
        assertEquals(Shape.of(0, 3), Tensors.zeros(0, 4).matmul(Tensors.zeros(4, 3)).shape());
    }

    @Test
    void matmulNamesBothShapesWhenInnerDimensionsDiffer() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensors.zeros(2, 3).matmul(Tensors.zeros(4, 5)));
        assertEquals("matmul: inner dimensions differ: [2, 3] @ [4, 5]", e.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> Tensors.scalar(1).matmul(Tensors.zeros(1)));
        assertEquals("matmul: scalars are not matrices: [] @ [1]", s.getMessage());
    }

    @Test
    void conv2dSamePaddingPutsTheOddPixelBottomRight() {
        // 1x4x4x1 input of ones, 2x2 filter of ones, stride 1, same: total padding 1 goes after.
        Tensor y = NN.conv2d(Tensors.ones(1, 4, 4, 1), Tensors.ones(2, 2, 1, 1), 1, "same");
        assertEquals(Shape.of(1, 4, 4, 1), y.shape());
        assertEquals(4.0, y.get(0, 0, 0, 0));
        assertEquals(2.0, y.get(0, 3, 0, 0));
        assertEquals(1.0, y.get(0, 3, 3, 0));
        assertEquals(Shape.of(1, 3, 2, 1), NN.conv2d(Tensors.ones(1, 5, 4, 1), Tensors.ones(3, 3, 1, 1), 2, "same").shape());
        assertEquals(Shape.of(1, 2, 1, 1), NN.conv2d(Tensors.ones(1, 5, 4, 1), Tensors.ones(3, 3, 1, 1), 2, "valid").shape());
    }

    @Test
    void windowArithmeticDoesNotOverflowForHugeDilationsAndStrides() {
        // a dilation near 2^31 made the window's span overflow int: "valid" gave a [1, 14, 14, 1] output of
        // garbage sums for a 12 x 12 input, "same" a negative dimension or a wrong size
        Tensor x = Tensors.ones(1, 12, 12, 1), f = Tensors.ones(3, 3, 1, 1);
        int huge = Integer.MAX_VALUE;
        // (a window wider than the input is an error, as in PyTorch; its message shows the span computed without overflow)
        var valid = assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(x, f, new int[] {1, 1}, "valid", new int[] {huge, huge}, 1));
        assertTrue(valid.getMessage().startsWith("conv2d: the window along H (kernel 3, dilation " + huge + ": 4294967295 wide) is"
                + " larger than the (padded) input's 12"), valid.getMessage());
        var tall = assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(x, f, new int[] {1, 1}, "valid", new int[] {1 << 30, 1}, 1));
        assertTrue(tall.getMessage().contains("2147483649 wide"), tall.getMessage());
        var same = assertThrows(IllegalArgumentException.class, () -> NN.conv2d(x, f, new int[] {1, 1}, "same", new int[] {huge, 1}, 1));
        assertTrue(same.getMessage().startsWith("conv2d: a result dimension would be 4294967306") && same.getMessage().contains("dilation "
                + huge), same.getMessage());
        // "same" with a stride past the input: ceil(12 / stride) = 1 output, not 0
        assertEquals(Shape.of(1, 1, 1, 1), NN.conv2d(x, f, new int[] {huge, huge}, "same", null, 1).shape());
        var unfold = assertThrows(IllegalArgumentException.class, () -> Ops.unfold(x, new OpAttrs.Window(3, 3, 1, 1, 1 << 30, 1 << 30)));
        assertTrue(unfold.getMessage().startsWith("unfold: the window along H (kernel 3, dilation 1073741824: 2147483649 wide)"),
                unfold.getMessage());
    }

    /** A window larger than the (padded) input is an error naming the op, the axis and the shapes, as in PyTorch; padding that makes it fit is not. */
    @Test
    void windowsLargerThanThePaddedInputAreAnError() {
        Tensor x = Tensors.ones(2, 2, 5, 3), f = Tensors.ones(3, 3, 3, 4);
        var conv = assertThrows(IllegalArgumentException.class, () -> NN.conv2d(x, f, 1, "valid"));
        assertEquals("conv2d: the window along H (kernel 3) is larger than the (padded) input's 2 for input [2, 2, 5, 3], filter"
                + " [3, 3, 3, 4] and " + new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1) + "; expected a (padded) input of at least 3",
                conv.getMessage());
        assertEquals(Shape.of(2, 2, 5, 4), NN.conv2d(x, f, 1, "same").shape());
        assertEquals(Shape.of(2, 1, 3, 4), Ops.conv2d(x, f, new OpAttrs.Conv(1, 1, 1, 0, 0, 0, 1, 1, 1)).shape());
        var max = assertThrows(IllegalArgumentException.class, () -> NN.maxPool2d(x, new int[] {3, 3}, null, "valid"));
        assertTrue(max.getMessage().startsWith("maxPool2d: the window along H (kernel 3) is larger than the (padded) input's 2 for"
                + " input [2, 2, 5, 3], pool [3, 3]"), max.getMessage());
        var avg = assertThrows(IllegalArgumentException.class, () -> NN.avgPool2d(x, new int[] {1, 6}, null, "valid"));
        assertTrue(avg.getMessage().startsWith("avgPool2d: the window along W (kernel 6)"), avg.getMessage());
        assertEquals(Shape.of(2, 1, 2, 3), NN.maxPool2d(x, new int[] {3, 3}, null, "same").shape());
        var empty = assertThrows(IllegalArgumentException.class, () -> NN.conv2d(Tensors.ones(1, 0, 4, 3), f, 1, "valid"));
        assertTrue(empty.getMessage().contains("(padded) input's 0"), empty.getMessage());
        assertEquals(Shape.of(0, 1, 3, 4), NN.conv2d(Tensors.ones(0, 3, 5, 3), f, 1, "valid").shape(), "an empty batch is fine");
    }

    @Test
    void groupedConvolutionKeepsGroupsApart() {
        // Two groups of one channel each; filter 1x1 doubles group 0 and triples group 1.
        Tensor x = Tensors.of(new float[] {1, 10, 2, 20}, 1, 1, 2, 2);
        Tensor f = Tensors.of(new float[] {2, 3}, 1, 1, 1, 2);
        Tensor y = NN.conv2d(x, f, new int[] {1, 1}, "valid", null, 2);
        assertArrayEquals(new float[] {2, 30, 4, 60}, y.toFloatArray());
    }

    @Test
    void convolutionBackwardOpsAreAdjointsOfTheForward() {
        // <conv(x, f), dy> = <x, dx(dy, f)> = <f, df(x, dy)> for every geometry.
        OpAttrs.Conv[] geometries = {
            new OpAttrs.Conv(1, 1, 0, 0, 0, 0, 1, 1, 1),
            new OpAttrs.Conv(2, 1, 1, 2, 0, 1, 1, 1, 1),
            new OpAttrs.Conv(1, 2, 1, 1, 1, 1, 2, 1, 2),
        };
        for (OpAttrs.Conv c : geometries) {
            Tensor x = Tensors.uniform(Shape.of(2, 7, 6, 4), -1, 1, 1).cast(DType.FLOAT64);
            Tensor f = Tensors.uniform(Shape.of(3, 2, 4 / c.groups(), 6), -1, 1, 2).cast(DType.FLOAT64);
            Tensor y = Ops.conv2d(x, f, c);
            Tensor dy = Tensors.uniform(y.shape(), -1, 1, 3).cast(DType.FLOAT64);
            double forward = dot(y, dy);
            assertEquals(forward, dot(x, Ops.conv2dBackwardInput(dy, f, x.shape(), c)), 1e-9, c.toString());
            assertEquals(forward, dot(f, Ops.conv2dBackwardFilter(x, dy, f.shape(), c)), 1e-9, c.toString());
        }
    }

    @Test
    void conv2dRejectsMismatchedChannels() {
        var e = assertThrows(IllegalArgumentException.class, () -> NN.conv2d(Tensors.zeros(1, 4, 4, 3), Tensors.zeros(3, 3, 2, 8), 1, "same"));
        assertEquals("conv2d: input [1, 4, 4, 3] with 3 channels, filter [3, 3, 2, 8] and groups=1: expected filter dim 2 = "
                + "channels/groups and Cout divisible by groups", e.getMessage());
        var p = assertThrows(IllegalArgumentException.class, () -> NN.conv2d(Tensors.zeros(1, 4, 4, 1), Tensors.zeros(1, 1, 1, 1), 1, "full"));
        assertEquals("conv2d: padding must be \"same\" or \"valid\", got \"full\"", p.getMessage());
    }

    @Test
    void unfoldIsAViewAndFoldIsItsAdjoint() {
        Tensor x = Tensors.uniform(Shape.of(1, 6, 5, 2), 4).cast(DType.FLOAT64);
        OpAttrs.Window w = new OpAttrs.Window(3, 2, 2, 1, 1, 2);
        Tensor win = Ops.unfold(x, w);
        assertEquals(Shape.of(1, 2, 3, 3, 2, 2), win.shape());
        assertEquals(x.storage(), win.storage());
        assertEquals(x.get(0, 2 + 2, 1 + 2, 1), win.get(0, 1, 1, 2, 1, 1));
        Tensor g = Tensors.uniform(win.shape(), 5).cast(DType.FLOAT64);
        assertEquals(dot(win, g), dot(x, Ops.fold(g, w, x.shape())), 1e-12);
    }

    @Test
    void padIsTheAdjointOfAStridedSlice() {
        Tensor x = Tensors.uniform(Shape.of(3, 4), 6).cast(DType.FLOAT64);
        Tensor p = Ops.pad(x, new int[] {1, 0}, new int[] {2, 1}, new int[] {1, 2}, 0);
        assertEquals(Shape.of(1 + 3 + 2 + 2, 4 + 3 * 2 + 1), p.shape());
        Tensor back = p.slice(0, 1, 6, 2).slice(1, 0, 10, 3);
        assertArrayEquals(x.toDoubleArray(), back.toDoubleArray());
        assertEquals(dot(x, x), dot(p, p), 1e-12, "padding adds only zeros");
    }
}
