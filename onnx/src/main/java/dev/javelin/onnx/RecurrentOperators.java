package dev.javelin.onnx;

import dev.javelin.tensor.ArrayOps;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Ops;
import dev.javelin.tensor.OpAttrs;
import dev.javelin.tensor.OpAttrs.Recurrence.Activation;
import dev.javelin.tensor.OpAttrs.Recurrence.Cell;
import dev.javelin.tensor.SequenceOps;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.spi.Dispatch;
import dev.javelin.tensor.spi.EagerEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ONNX's recurrent operators LSTM, GRU and RNN, each direction one fused {@code Op.RECURRENCE} (the
 * loop the Keras-like LSTM, GRU and SimpleRNN layers run), so a traced model does not grow with the
 * sequence and gradients flow through the op's backward rule. The input projection of every step is
 * one matmul before the loop.
 *
 * <p>ONNX's gate blocks are LSTM {@code i, o, f, c}, GRU {@code z, r, h}, RNN one block; Javelin's
 * LSTM cell reads {@code i, f, g, o} (PyTorch's and Keras's order), its GRU cells {@code z, r, h}.
 * Weights are {@code W [dirs, G*H, in]}, {@code R [dirs, G*H, H]}, {@code B [dirs, 2*G*H]} (the input
 * biases, then the recurrent ones). GRU's {@code linear_before_reset = 1} (PyTorch's export) is the
 * cell {@code GRU} (the recurrent bias inside the reset product), 0 is {@code GRU_RESET_BEFORE}.
 *
 * <p>Supported: directions forward, reverse, bidirectional; {@code layout} 0 ({@code X [T, B, in]},
 * {@code Y [T, dirs, B, H]}) and 1 ({@code X [B, T, in]}, {@code Y [B, T, dirs, H]}); activations
 * Sigmoid, Tanh, Relu (LSTM's {@code g} and {@code h} equal); {@code sequence_lens} (steps past a
 * sequence's length keep its state and give zeros in Y, as ONNX Runtime); {@code initial_h},
 * {@code initial_c}. Refused with the node named: {@code clip}, LSTM's peepholes {@code P} and
 * {@code input_forget}, other activations.
 */
final class RecurrentOperators {
    private RecurrentOperators() {}

    static void register(Map<String, OnnxOperator> t) {
        t.put("LSTM", ctx -> apply(ctx, Kind.LSTM));
        t.put("GRU", ctx -> apply(ctx, Kind.GRU));
        t.put("RNN", ctx -> apply(ctx, Kind.RNN));
    }

    /** The three operators: gate blocks, activations per direction and their defaults, states. */
    enum Kind {
        LSTM(4, List.of("Sigmoid", "Tanh", "Tanh"), 2),
        GRU(3, List.of("Sigmoid", "Tanh"), 1),
        RNN(1, List.of("Tanh"), 1);

        final int gates;
        final List<String> defaultActivations;
        final int states;

        Kind(int gates, List<String> defaultActivations, int states) {
            this.gates = gates;
            this.defaultActivations = defaultActivations;
            this.states = states;
        }
    }

    /** What one node asks for, checked: the reading of its attributes that every direction shares. */
    record Spec(Kind kind, int hidden, int directions, boolean reverseOnly, boolean batchFirst, boolean linearBeforeReset,
                List<Activation[]> activations) {
        /** Whether direction {@code d} walks time backwards. */
        boolean reverse(int d) {
            return reverseOnly || d == 1;
        }
    }

    /** Reads and checks the node's attributes (no inputs): also what {@code toModel()} maps from. */
    static Spec spec(NodeContext ctx, Kind kind) {
        long hidden = ctx.requiredInt("hidden_size");
        if (hidden < 1 || hidden > 1 << 20) throw ctx.error("hidden_size must be >= 1, got " + hidden);
        String direction = ctx.attrString("direction", "forward");
        int dirs = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw ctx.error("direction must be forward, reverse or bidirectional, got '" + direction + "'");
        };
        long layout = ctx.attrInt("layout", 0);
        if (layout != 0 && layout != 1) throw ctx.error("layout must be 0 ([T, B, in]) or 1 ([B, T, in]), got " + layout);
        if (ctx.hasAttr("clip")) {
            throw ctx.error("attribute 'clip' (" + ctx.attrFloat("clip", 0) + ") is not supported: Javelin's fused recurrence does not clip "
                    + "the gates' inputs; export without clipping");
        }
        if (kind == Kind.LSTM && ctx.attrInt("input_forget", 0) != 0) {
            throw ctx.error("input_forget = " + ctx.attrInt("input_forget", 0) + " (coupled input and forget gates) is not supported");
        }
        long lbr = ctx.attrInt("linear_before_reset", 0);
        if (kind == Kind.GRU && lbr != 0 && lbr != 1) throw ctx.error("linear_before_reset must be 0 or 1, got " + lbr);
        return new Spec(kind, (int) hidden, dirs, direction.equals("reverse"), layout == 1, lbr == 1, activations(ctx, kind, dirs));
    }

    /**
     * Per direction, the gate activation and the cell's (Javelin's {@code recurrentActivation} and
     * {@code activation}; for RNN both are the state's).
     */
    private static List<Activation[]> activations(NodeContext ctx, Kind kind, int dirs) {
        List<String> names = ctx.attrStrings("activations");
        int per = kind.defaultActivations.size();
        if (names == null) {
            names = new ArrayList<>();
            for (int d = 0; d < dirs; d++) names.addAll(kind.defaultActivations);
        }
        if (names.size() != per * dirs) {
            throw ctx.error("activations " + names + " must name " + per + " function(s) per direction (" + dirs + " direction(s)), got "
                    + names.size());
        }
        List<Activation[]> out = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            Activation[] a = new Activation[per];
            for (int k = 0; k < per; k++) {
                String name = names.get(d * per + k);
                a[k] = switch (name.toLowerCase(Locale.ROOT)) {
                    case "sigmoid" -> Activation.SIGMOID;
                    case "tanh" -> Activation.TANH;
                    case "relu" -> Activation.RELU;
                    default -> throw ctx.error("activation '" + name + "' is not supported (Sigmoid, Tanh and Relu are); activations "
                            + names);
                };
            }
            if (kind == Kind.LSTM && a[1] != a[2]) {
                throw ctx.error("activations " + names + ": the candidate's (g = " + a[1] + ") and the cell output's (h = " + a[2]
                        + ") must be the same function in Javelin's fused LSTM");
            }
            out.add(kind == Kind.RNN ? new Activation[] {a[0], a[0]} : new Activation[] {a[0], a[1]});
        }
        return out;
    }

    private static Tensor[] apply(NodeContext ctx, Kind kind) {
        Spec spec = spec(ctx, kind);
        if (kind == Kind.LSTM && ctx.has(7)) throw ctx.error("peepholes (input 7, P " + ctx.input(7).shape() + ") are not supported");
        int h = spec.hidden, dirs = spec.directions, width = kind.gates * h;
        Tensor x = ctx.input(0), w = ctx.input(1), r = ctx.input(2), b = ctx.optional(3);
        if (x.rank() != 3 || !x.dtype().isFloating()) {
            throw ctx.error("X must be a floating tensor of rank 3 (" + (spec.batchFirst ? "[batch, time, in]" : "[time, batch, in]")
                    + "), got " + x.dtype() + x.shape());
        }
        Tensor xb = spec.batchFirst ? x : x.permute(1, 0, 2); // [batch, time, in]
        int n = xb.dim(0), steps = xb.dim(1), in = xb.dim(2);
        expect(ctx, "W", w, dirs, width, in);
        expect(ctx, "R", r, dirs, width, h);
        if (b != null) expect(ctx, "B", b, dirs, 2 * width);
        if (steps < 1) throw ctx.error("X " + x.shape() + " has no time steps; expected at least 1");
        Tensor mask = ctx.has(4) ? mask(ctx, ctx.input(4), n, steps) : null;
        Tensor[] initial = new Tensor[kind.states];
        for (int s = 0; s < kind.states; s++) {
            Tensor given = ctx.optional(5 + s);
            if (given != null) {
                String what = s == 0 ? "initial_h" : "initial_c";
                if (spec.batchFirst) expect(ctx, what, given, n, dirs, h);
                else expect(ctx, what, given, dirs, n, h);
                initial[s] = spec.batchFirst ? given.permute(1, 0, 2) : given; // [dirs, batch, H]
            }
        }
        Weights[] laidOut = weights(ctx, spec, w, r, b);
        List<Tensor> ys = new ArrayList<>(), yh = new ArrayList<>(), yc = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            List<Tensor> states = new ArrayList<>();
            for (int s = 0; s < kind.states; s++) {
                states.add(initial[s] != null ? initial[s].narrow(0, d, 1).reshape(n, h)
                        : Ops.scalarLike(xb, 0).cast(xb.dtype()).expand(n, h));
            }
            List<Tensor> seqs = direction(spec, d, xb, laidOut[d], states, mask);
            int last = spec.reverse(d) ? 0 : steps - 1;
            Tensor hs = seqs.get(0);
            ys.add(mask == null ? hs : Ops.where(mask.unsqueeze(2), hs, Ops.scalarLike(hs, 0)));
            yh.add(hs.narrow(1, last, 1).reshape(n, h));
            if (kind == Kind.LSTM) yc.add(seqs.get(1).narrow(1, last, 1).reshape(n, h));
        }
        // Y: [T, dirs, B, H] (layout 0) or [B, T, dirs, H]; Y_h, Y_c: [dirs, B, H] or [B, dirs, H]
        Tensor y = spec.batchFirst ? ArrayOps.stack(ys, 2) : ArrayOps.stack(ys, 1).permute(2, 1, 0, 3);
        int stateAxis = spec.batchFirst ? 1 : 0;
        Tensor lastH = ArrayOps.stack(yh, stateAxis);
        return kind == Kind.LSTM ? new Tensor[] {y, lastH, ArrayOps.stack(yc, stateAxis)} : new Tensor[] {y, lastH};
    }

    /**
     * One direction's weights as the fused loop reads them: {@code kernel [in, G*H]} and
     * {@code recurrentKernel [H, G*H]} in Javelin's gate order, the bias added to the projected input
     * (null without B), and GRU's recurrent bias operand (with {@code linear_before_reset}; else null).
     */
    record Weights(Tensor kernel, Tensor recurrentKernel, Tensor inputBias, Tensor recurrentBias) {
        Weights contiguous() {
            return new Weights(kernel.contiguous(), recurrentKernel.contiguous(), inputBias == null ? null : inputBias.contiguous(),
                    recurrentBias == null ? null : recurrentBias.contiguous());
        }
    }

    /** Direction {@code d}'s {@link Weights} from {@code W [dirs, G*H, in]}, {@code R [dirs, G*H, H]}, {@code B [dirs, 2*G*H]} or null. */
    static Weights weights(Spec spec, int d, Tensor w, Tensor r, Tensor b) {
        Kind kind = spec.kind;
        int h = spec.hidden, width = kind.gates * h;
        Tensor kernel = javelinGateOrder(kind, w.narrow(0, d, 1).reshape(width, w.dim(2)), h).mT();
        Tensor recurrentKernel = javelinGateOrder(kind, r.narrow(0, d, 1).reshape(width, h), h).mT();
        Tensor bd = b == null ? null : b.narrow(0, d, 1).reshape(2 * width);
        Tensor inputBias = bd == null ? null : bd.narrow(0, 0, width), recurrentBias = bd == null ? null : bd.narrow(0, width, width);
        if (kind == Kind.GRU && spec.linearBeforeReset) {
            // n = g(x_h + Wb_h + r * (h R_h + Rb_h)): the recurrent bias stays inside the reset product
            return new Weights(kernel, recurrentKernel, inputBias,
                    recurrentBias != null ? recurrentBias : Ops.scalarLike(w, 0).cast(w.dtype()).expand(width));
        }
        // LSTM, RNN, and GRU's n = g(x_h + (r * h) R_h + Rb_h + Wb_h): every bias with the input
        Tensor bias = bd == null ? null : javelinGateOrder(kind, inputBias.add(recurrentBias).reshape(width, 1), h).reshape(width);
        return new Weights(kernel, recurrentKernel, bias, null);
    }

    /** The file's weights laid out once per node kind and direction (kept while the model lives), by W. */
    private record LaidOut(Spec spec, Tensor r, Tensor b, Weights[] directions) {}

    private static final Map<Tensor, LaidOut> LAID_OUT = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * Every direction's {@link Weights}. Where W, R and B are the file's initializers they are laid out
     * once, eagerly, and the copies kept: read through the gate reorder and transposes, a compiled
     * call re-laid them out each time (two dozen pad and add kernels per call of a 2-layer bidirectional LSTM).
     */
    private static Weights[] weights(NodeContext ctx, Spec spec, Tensor w, Tensor r, Tensor b) {
        boolean fromFile = ctx.isInitializer(1) && ctx.isInitializer(2) && (b == null || ctx.isInitializer(3));
        if (!fromFile) {
            Weights[] out = new Weights[spec.directions];
            for (int d = 0; d < out.length; d++) out[d] = weights(spec, d, w, r, b);
            return out;
        }
        LaidOut known = LAID_OUT.get(w);
        if (known != null && known.r == r && known.b == b && known.spec.kind == spec.kind && known.spec.hidden == spec.hidden
                && known.spec.directions == spec.directions && known.spec.linearBeforeReset == spec.linearBeforeReset) {
            return known.directions;
        }
        Weights[] out = new Weights[spec.directions];
        try (Dispatch.Scope s = Dispatch.use(EagerEngine.INSTANCE)) {
            for (int d = 0; d < out.length; d++) out[d] = weights(spec, d, w, r, b).contiguous();
        }
        LAID_OUT.put(w, new LaidOut(spec, r, b, out));
        return out;
    }

    /**
     * One direction's loop: the sequences {@code [batch, time, H]} of h (and, for LSTM, of c), each
     * step at its input time index.
     */
    private static List<Tensor> direction(Spec spec, int d, Tensor xb, Weights weights, List<Tensor> states, Tensor mask) {
        Kind kind = spec.kind;
        int h = spec.hidden, width = kind.gates * h;
        List<Tensor> operands = new ArrayList<>(states);
        Cell cell = switch (kind) {
            case LSTM -> Cell.LSTM;
            case GRU -> spec.linearBeforeReset ? Cell.GRU : Cell.GRU_RESET_BEFORE;
            case RNN -> Cell.RNN;
        };
        if (cell == Cell.GRU) operands.addFirst(weights.recurrentBias());
        int n = xb.dim(0), steps = xb.dim(1);
        Tensor projected = xb.reshape(n * steps, xb.dim(2)).matmul(weights.kernel());
        if (weights.inputBias() != null) projected = projected.add(weights.inputBias());
        projected = projected.reshape(n, steps, width);
        Activation[] act = spec.activations.get(d);
        Tensor packed = SequenceOps.recurrence(projected, weights.recurrentKernel(), operands, mask,
                new OpAttrs.Recurrence(cell, spec.reverse(d), true, act[1], act[0]));
        List<Tensor> seqs = new ArrayList<>(List.of(packed.slice(2, 0, h)));
        if (kind == Kind.LSTM) seqs.add(packed.slice(2, h, 2 * h));
        return seqs;
    }

    /** Rows of {@code m [G*H, k]} in Javelin's gate order: LSTM's i, o, f, c become i, f, c, o; others stay. */
    static Tensor javelinGateOrder(Kind kind, Tensor m, int h) {
        if (kind != Kind.LSTM) return m;
        return ArrayOps.concat(List.of(m.narrow(0, 0, h), m.narrow(0, 2 * h, h), m.narrow(0, 3 * h, h), m.narrow(0, h, h)), 0);
    }

    /** {@code sequence_lens [batch]} as a bool mask [batch, time]: true at the steps each sequence has. */
    private static Tensor mask(NodeContext ctx, Tensor lens, int n, int steps) {
        if (lens.rank() != 1 || lens.dim(0) != n || lens.dtype().isFloating() || lens.dtype() == DType.BOOL) {
            throw ctx.error("sequence_lens must be an integer tensor [batch] = [" + n + "], got " + lens.dtype() + lens.shape());
        }
        return Tensors.arange(steps).reshape(1, steps).lt(lens.cast(DType.INT64).reshape(n, 1));
    }

    private static void expect(NodeContext ctx, String what, Tensor t, int... dims) {
        if (!t.shape().equals(dev.javelin.tensor.Shape.of(dims)) || !t.dtype().isFloating()) {
            throw ctx.error(what + " must be a floating tensor " + java.util.Arrays.toString(dims) + ", got " + t.dtype() + t.shape());
        }
    }
}
