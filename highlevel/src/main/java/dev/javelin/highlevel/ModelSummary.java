package dev.javelin.highlevel;

import dev.javelin.highlevel.layers.FreeDimensions;
import dev.javelin.highlevel.layers.InputLayer;
import dev.javelin.highlevel.layers.KerasTensors;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.Node;
import dev.javelin.tensor.Shape;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's {@code model.summary()} table: one row per layer with its output shape (batch as
 * {@code None}) and parameter count, then the totals. A layer called more than once (shared
 * weights) has one row that says how often it is used, and its parameters count once. Functional models whose graph is not a plain
 * chain get Keras's "Connected to" column.
 */
final class ModelSummary {
    private ModelSummary() {}

    static String of(Model model) {
        List<String[]> rows = new ArrayList<>();
        FunctionalGraph g = model.graph();
        boolean connected = g != null && !isChain(g);
        Map<Layer, Shape[]> free = atTwoSizes(model);
        if (g != null) {
            for (Tensor t : g.inputs) rows.add(row(KerasTensors.nodeOf(t).layer(), 1, connected ? "" : null, free));
            Map<Layer, List<Node>> uses = new LinkedHashMap<>(); // a shared layer: one row, however often it is called
            for (Node n : g.nodes) uses.computeIfAbsent(n.layer(), k -> new ArrayList<>()).add(n);
            for (Map.Entry<Layer, List<Node>> e : uses.entrySet()) {
                rows.add(row(e.getKey(), e.getValue().size(), connected ? sources(e.getValue()) : null, free));
            }
        } else {
            Map<Layer, Integer> uses = new LinkedHashMap<>();
            for (Layer l : model.layers()) {
                if (!(l instanceof InputLayer)) uses.merge(l, 1, Integer::sum);
            }
            for (Map.Entry<Layer, Integer> e : uses.entrySet()) rows.add(row(e.getKey(), e.getValue(), null, free));
        }
        String[] header = connected ? new String[] {"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[] {"Layer (type)", "Output Shape", "Param #"};
        int[] widths = connected ? new int[] {29, 26, 10, 20} : new int[] {29, 26, 10};
        for (String[] r : rows) for (int i = 0; i < r.length; i++) widths[i] = Math.max(widths[i], r[i].length() + 2);
        int total = 0;
        for (int w : widths) total += w;

        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(model.name()).append("\"\n");
        b.append("_".repeat(total)).append('\n');
        line(b, header, widths);
        b.append("=".repeat(total)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            line(b, rows.get(i), widths);
            if (connected && i + 1 < rows.size()) b.append("_".repeat(total)).append('\n');
        }
        b.append("=".repeat(total)).append('\n');
        long all = 0;
        long trainable = 0;
        for (Variable v : model.weights()) all += v.shape().size();
        for (Variable v : model.trainableWeights()) trainable += v.shape().size();
        b.append("Total params: ").append(count(all)).append('\n');
        b.append("Trainable params: ").append(count(trainable)).append('\n');
        b.append("Non-trainable params: ").append(count(all - trainable)).append('\n');
        b.append("_".repeat(total)).append('\n');
        return b.toString();
    }

    private static String[] row(Layer l, int uses, String connectedTo, Map<Layer, Shape[]> free) {
        String name = l.name() + " (" + l.getClass().getSimpleName() + ")" + (uses > 1 ? ", used " + uses + "x" : "");
        Shape[] two = free.get(l);
        String shape = two != null ? FreeDimensions.describe(two[0], two[1]) : l.outputShape() == null ? "?" : shape(l.outputShape());
        String params = String.format(Locale.ROOT, "%,d", l.countParams());
        return connectedTo == null ? new String[] {name, shape, params} : new String[] {name, shape, params, connectedTo};
    }

    /**
     * Each layer's output shape with the free input dimensions ({@link InputLayer#ANY}) at the first two
     * sizes the whole model takes ({@link FreeDimensions}): the dimensions that differ print as None, as
     * Keras prints them. Empty when no input has a free dimension or fewer than two sizes fit.
     */
    private static Map<Layer, Shape[]> atTwoSizes(Model model) {
        FunctionalGraph g = model.graph();
        List<Layer> layers = new ArrayList<>();
        List<Tensor> outputs = new ArrayList<>();
        InputLayer chainInput = null;
        if (g != null) {
            for (Tensor t : g.inputs) {
                layers.add(KerasTensors.nodeOf(t).layer());
                outputs.add(t);
            }
            for (Node n : g.nodes) {
                layers.add(n.layer());
                outputs.add(n.output());
            }
        } else if (model instanceof Sequential sq && sq.inputLayer() != null) {
            chainInput = sq.inputLayer();
            layers.addAll(sq.layers());
        }
        boolean anyFree = false;
        for (Layer l : layers) if (l instanceof InputLayer in) for (int d : in.sampleShape()) anyFree |= d == InputLayer.ANY;
        if (chainInput != null) for (int d : chainInput.sampleShape()) anyFree |= d == InputLayer.ANY;
        Map<Layer, Shape[]> out = new java.util.IdentityHashMap<>();
        if (!anyFree) return out;
        List<List<Shape>> fits = new ArrayList<>();
        for (int size : FreeDimensions.sizes()) {
            try {
                fits.add(chainInput != null ? FreeDimensions.chainAt(chainInput, layers, size, false) : FreeDimensions.shapesAt(outputs, size));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                continue; // a size some layer does not take
            }
            if (fits.size() == 2) break;
        }
        if (fits.size() < 2) return out;
        for (int i = 0; i < layers.size(); i++) out.put(layers.get(i), new Shape[] {fits.get(0).get(i), fits.get(1).get(i)}); // a shared layer: its last call
        return out;
    }

    /** {@code (None, 26, 26, 32)}: the batch axis is unknown until data flows. */
    static String shape(Shape s) {
        StringBuilder b = new StringBuilder("(None");
        for (int i = 1; i < s.rank(); i++) b.append(", ").append(s.dim(i));
        if (s.rank() == 1) b.append(',');
        return b.append(')').toString();
    }

    /** The layers feeding each call, calls separated by {@code "; "}. */
    private static String sources(List<Node> calls) {
        List<String> perCall = new ArrayList<>();
        for (Node n : calls) {
            List<String> names = new ArrayList<>();
            for (Tensor t : n.inputs()) names.add(KerasTensors.nodeOf(t).layer().name());
            perCall.add(String.join(", ", names));
        }
        return String.join("; ", perCall);
    }

    private static boolean isChain(FunctionalGraph g) {
        if (g.inputs.size() != 1 || g.outputs.size() != 1) return false;
        Tensor previous = g.inputs.get(0);
        for (Node n : g.nodes) {
            if (n.inputs().size() != 1 || n.inputs().get(0) != previous) return false;
            previous = n.output();
        }
        return true;
    }

    private static String count(long n) {
        double bytes = n * 4.0;
        String size = bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MB", bytes / (1 << 20))
                : bytes >= 1024 ? String.format(Locale.ROOT, "%.2f KB", bytes / 1024) : String.format(Locale.ROOT, "%.2f B", bytes);
        return String.format(Locale.ROOT, "%,d (%s)", n, size);
    }

    private static void line(StringBuilder b, String[] cells, int[] widths) {
        StringBuilder l = new StringBuilder(" ");
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            l.append(c).append(" ".repeat(Math.max(1, widths[i] - c.length() - (i == 0 ? 1 : 0))));
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }
}
