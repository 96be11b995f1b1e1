package dev.javelin.tensor;

import java.util.Arrays;

/**
 * The non-tensor arguments of a primitive op. Every attribute is normalized by {@link Ops}
 * (axes non-negative and sorted, slices given for every axis), so backends, the tape and the JIT
 * never normalize again. Records with array fields compare by content here, which the JIT's kernel
 * cache relies on.
 */
public sealed interface OpAttrs {
    /** For ops whose shape and dtype in the {@link OpCall} say everything. */
    record None() implements OpAttrs {}

    /** The shared instance of {@link None}. */
    None NONE = new None();

    /** Axes (sorted, non-negative) for reductions; ARGMAX/ARGMIN take exactly one. */
    record Reduce(int[] axes, boolean keepDims) implements OpAttrs {
        @Override public boolean equals(Object o) {
            return o instanceof Reduce r && keepDims == r.keepDims && Arrays.equals(axes, r.axes);
        }
        @Override public int hashCode() { return Arrays.hashCode(axes) * 31 + (keepDims ? 1 : 0); }
        @Override public String toString() { return "axes=" + Arrays.toString(axes) + (keepDims ? ", keepDims" : ""); }
    }

    /** Output axis i is input axis order[i]. */
    record Permute(int[] order) implements OpAttrs {
        @Override public boolean equals(Object o) { return o instanceof Permute p && Arrays.equals(order, p.order); }
        @Override public int hashCode() { return Arrays.hashCode(order); }
        @Override public String toString() { return "order=" + Arrays.toString(order); }
    }

    /** Per axis: start (inclusive), stop (exclusive), step (positive); all within bounds. */
    record Slice(int[] start, int[] stop, int[] step) implements OpAttrs {
        @Override public boolean equals(Object o) {
            return o instanceof Slice s && Arrays.equals(start, s.start) && Arrays.equals(stop, s.stop) && Arrays.equals(step, s.step);
        }
        @Override public int hashCode() { return Arrays.hashCode(start) * 961 + Arrays.hashCode(stop) * 31 + Arrays.hashCode(step); }
        @Override public String toString() {
            return "start=" + Arrays.toString(start) + ", stop=" + Arrays.toString(stop) + ", step=" + Arrays.toString(step);
        }
    }

    /**
     * Per axis: elements of {@code value} added before ({@code low}), after ({@code high}) and between
     * each pair of elements ({@code interior}); all non-negative. Output size along an axis is
     * {@code low + n + max(n - 1, 0) * interior + high}.
     */
    record Pad(int[] low, int[] high, int[] interior, double value) implements OpAttrs {
        @Override public boolean equals(Object o) {
            return o instanceof Pad p && Arrays.equals(low, p.low) && Arrays.equals(high, p.high)
                    && Arrays.equals(interior, p.interior) && Double.compare(value, p.value) == 0;
        }
        @Override public int hashCode() {
            return (Arrays.hashCode(low) * 961 + Arrays.hashCode(high) * 31 + Arrays.hashCode(interior)) * 31 + Double.hashCode(value);
        }
        @Override public String toString() {
            return "low=" + Arrays.toString(low) + ", high=" + Arrays.toString(high)
                    + ", interior=" + Arrays.toString(interior) + ", value=" + value;
        }
    }

    /**
     * Sliding windows for UNFOLD and FOLD over an NHWC tensor that is already padded:
     * {@code OH = (H - dilationH * (kh - 1) - 1) / strideH + 1}, likewise OW.
     */
    record Window(int kh, int kw, int strideH, int strideW, int dilationH, int dilationW) implements OpAttrs {}

    /**
     * Convolution geometry: explicit padding (top, bottom, left, right), strides, dilations, groups.
     * {@code OH = (H + padTop + padBottom - dilationH * (KH - 1) - 1) / strideH + 1}, likewise OW.
     */
    record Conv(int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
                int dilationH, int dilationW, int groups) implements OpAttrs {}

    /** The (non-negative) axis of GATHER and SCATTER_ADD. */
    record Axis(int axis) implements OpAttrs {}

    /**
     * Scaled dot-product attention: the factor on {@code q·kᵀ}, and whether key {@code j} is hidden from
     * query {@code i} when {@code j > i} (the causal mask, aligned at the top left as PyTorch's), and
     * whether the packed results are time-major ([B...,T,H,width], so merging the heads is a view;
     * see {@link AttentionLayout}) rather than batch-major.
     */
    record Attention(double scale, boolean causal, boolean timeMajor) implements OpAttrs {
        /** Batch-major results. */
        public Attention(double scale, boolean causal) {
            this(scale, causal, false);
        }
    }

    /**
     * A recurrent loop: which {@code cell} runs at each step; {@code reverse} walks time from the last
     * step to the first (Keras's {@code go_backwards}); {@code timeOrder} stores step results at their
     * input time index rather than in processing order (what Bidirectional wants; the same without
     * {@code reverse}). With {@code recurrentDropout} the op takes one more operand after the states,
     * Keras 3's recurrent dropout: a multiplier {@code [batch, gates*units]} whose gate block {@code q}
     * scales h before that gate's product with w ({@code (h ∘ m_q)·w_q}), the same at every step.
     */
    record Recurrence(Cell cell, boolean reverse, boolean timeOrder, Activation activation, Activation recurrentActivation,
                      boolean recurrentDropout) implements OpAttrs {
        /** With Keras's default activations: tanh, and sigmoid for the gates. */
        public Recurrence(Cell cell, boolean reverse, boolean timeOrder) {
            this(cell, reverse, timeOrder, Activation.TANH, Activation.SIGMOID);
        }

        /** Without recurrent dropout. */
        public Recurrence(Cell cell, boolean reverse, boolean timeOrder, Activation activation, Activation recurrentActivation) {
            this(cell, reverse, timeOrder, activation, recurrentActivation, false);
        }

        /** The operands between w and the mask: the cell's parameters, its states, the recurrent dropout multiplier if any. */
        public int cellOperands() {
            return cell.parameters() + cell.states() + (recurrentDropout ? 1 : 0);
        }

        /**
         * The cells with a fused loop; each documents its operands on {@link Op#RECURRENCE}. Keras's
         * {@code activation} is {@link #activation()} (LSTM: the candidate and the cell output; GRU:
         * the candidate; RNN: the state), its {@code recurrent_activation} (the LSTM's and GRU's
         * gates) {@link #recurrentActivation()}.
         */
        public enum Cell {
            /** Keras's and PyTorch's LSTM: gates i, f, g (candidate), o. */
            LSTM(4, 6, 0, 2, "h0 [batch, units] and c0 [batch, units]"),
            /** GRU with {@code reset_after} (PyTorch's, Keras's default): gates z, r, h. */
            GRU(3, 5, 1, 1, "the recurrent bias [3*units] and h0 [batch, units]"),
            /**
             * Keras's GRU with {@code reset_after=False} (the original GRU): gates z, r, h, the reset gate
             * applied to h before the candidate's product, {@code n = act(x_h + (r ∘ h)·w_h)}; every bias
             * is in x. Stores h, z, r, n per step.
             */
            GRU_RESET_BEFORE(3, 4, 0, 1, "h0 [batch, units]"),
            /** Keras's SimpleRNN and PyTorch's {@code nn.RNN}: {@code h' = activation(x + h·w)}. */
            RNN(1, 1, 0, 1, "h0 [batch, units]");

            private final int gates, outputWidth, parameters, states;
            private final String operands;

            Cell(int gates, int outputWidth, int parameters, int states, String operands) {
                this.gates = gates;
                this.outputWidth = outputWidth;
                this.parameters = parameters;
                this.states = states;
                this.operands = operands;
            }

            /** Columns of the projected input (and of the recurrent kernel) per unit. */
            public int gates() {
                return gates;
            }

            /** Columns of the result per step and unit. */
            public int outputWidth() {
                return outputWidth;
            }

            /** Operands after w that are weights ([gates*units] each), before the states. */
            public int parameters() {
                return parameters;
            }

            /** Initial states ([batch, units] each), after the parameters. */
            public int states() {
                return states;
            }

            /** The operands between w and the mask, in words (for error messages). */
            public String operands() {
                return operands;
            }
        }

        /**
         * The activations a fused loop computes, each with its slope written from its own output
         * (which the loop stores), so the backward needs no pre-activation values.
         */
        public enum Activation {
            TANH, SIGMOID, RELU, LINEAR,
            /** Keras 3's and PyTorch's {@code min(max(x/6 + 1/2, 0), 1)} (Keras 2's slope was 0.2). */
            HARD_SIGMOID;

            /**
             * Keras's name ({@code "tanh"}, {@code "sigmoid"}, {@code "relu"}, {@code "linear"},
             * {@code "hard_sigmoid"}), or null for one without a fused loop.
             */
            public static Activation named(String keras) {
                return switch (keras) {
                    case "tanh" -> TANH;
                    case "sigmoid" -> SIGMOID;
                    case "relu" -> RELU;
                    case "linear" -> LINEAR;
                    case "hard_sigmoid" -> HARD_SIGMOID;
                    default -> null;
                };
            }

            /** The elementwise op computing it; null for LINEAR (the identity) and HARD_SIGMOID (a clamped line). */
            public Op op() {
                return switch (this) {
                    case TANH -> Op.TANH;
                    case SIGMOID -> Op.SIGMOID;
                    case RELU -> Op.RELU;
                    case LINEAR, HARD_SIGMOID -> null;
                };
            }

            /** Its value at {@code v}, in double (the reference backend's). */
            public double apply(double v) {
                return switch (this) {
                    case TANH -> Math.tanh(v);
                    case SIGMOID -> 1 / (1 + Math.exp(-v));
                    case RELU -> Math.max(v, 0);
                    case LINEAR -> v;
                    case HARD_SIGMOID -> Math.min(Math.max(v / 6 + 0.5, 0), 1);
                };
            }

            /** Its derivative where its output is {@code y}: 1 - y², y(1 - y), 1 where y > 0, 1, 1/6 where 0 < y < 1. */
            public double slope(double y) {
                return switch (this) {
                    case TANH -> 1 - y * y;
                    case SIGMOID -> y * (1 - y);
                    case RELU -> y > 0 ? 1 : 0;
                    case LINEAR -> 1;
                    case HARD_SIGMOID -> y > 0 && y < 1 ? 1.0 / 6 : 0;
                };
            }
        }

        /** The output row of processing step {@code s} of {@code steps}. */
        public int outputIndex(int s, int steps) {
            return timeOrder ? inputIndex(s, steps) : s;
        }

        /** The input time index of processing step {@code s} of {@code steps}. */
        public int inputIndex(int s, int steps) {
            return reverse ? steps - 1 - s : s;
        }
    }

    /** The (non-negative) axis of ARGSORT and its direction; ties keep their input order either way. */
    record Sort(int axis, boolean descending) implements OpAttrs {}
}
