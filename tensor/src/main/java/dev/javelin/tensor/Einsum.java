package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's and PyTorch's {@code einsum} on letters {@code a-z, A-Z} and {@code ...} (broadcast batch axes): each operand's
 * repeated letters become its diagonal, letters found in one operand only and not in the output are
 * summed first, then operands are contracted left to right, each pair as one batched
 * {@link Ops#matmul} (batch letters, the contracted letters, and each side's own letters). Without
 * {@code ->} the output is every letter that occurs once, in alphabetical order. Gradients come
 * from the primitives used.
 *
 * <pre>{@code
 * Tensor c = Einsum.einsum("ij,jk->ik", a, b);        // matmul
 * Tensor t = Einsum.einsum("ii", m);                  // trace
 * Tensor o = Einsum.einsum("bi,bj->bij", u, v);       // batched outer product
 * }</pre>
 */
public final class Einsum {
    private Einsum() {}

    /** Evaluates {@code equation} on {@code operands}; see the class description. */
    public static Tensor einsum(String equation, Tensor... operands) {
        operands = operands.clone();
        String eq = withoutEllipsis(equation, equation.replace(" ", ""), operands);
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] specs = lhs.split(",", -1);
        if (specs.length != operands.length) {
            throw new IllegalArgumentException("einsum: '" + equation + "' names " + specs.length + " operands, got " + operands.length);
        }
        Map<Character, Integer> sizes = new HashMap<>();
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < specs.length; i++) {
            String s = specs[i];
            if (s.length() != operands[i].rank()) {
                throw new IllegalArgumentException("einsum: operand " + i + " '" + s + "' has " + s.length() + " letters but shape "
                        + operands[i].shape() + " in '" + equation + "'");
            }
            for (int d = 0; d < s.length(); d++) {
                char c = s.charAt(d);
                if (!Character.isLetter(c) || c > 'z') {
                    throw new IllegalArgumentException("einsum: '" + equation + "': only letters a-z and A-Z are supported, got '" + c + "'");
                }
                Integer prev = sizes.putIfAbsent(c, operands[i].dim(d));
                if (prev != null && prev != operands[i].dim(d)) {
                    throw new IllegalArgumentException("einsum: letter '" + c + "' has size " + prev + " and " + operands[i].dim(d)
                            + " in '" + equation + "' (shapes " + shapes(operands) + ")");
                }
                counts.merge(c, 1, Integer::sum);
            }
        }
        String out = arrow < 0 ? implicitOutput(counts) : eq.substring(arrow + 2);
        for (int d = 0; d < out.length(); d++) {
            char c = out.charAt(d);
            if (!sizes.containsKey(c) || out.indexOf(c) != d) {
                throw new IllegalArgumentException("einsum: output letter '" + c + "' of '" + equation
                        + "' must occur in an operand and only once in the output");
            }
        }
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < operands.length; i++) terms.add(diagonal(new Term(operands[i], specs[i])));
        for (int i = 0; i < terms.size(); i++) terms.set(i, sumUnused(terms.get(i), out, terms, i));
        Term acc = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            StringBuilder needed = new StringBuilder(out);
            for (int j = i + 1; j < terms.size(); j++) needed.append(terms.get(j).letters);
            acc = contract(acc, terms.get(i), needed.toString());
        }
        acc = sumUnused(acc, out, List.of(acc), 0);
        int[] order = new int[out.length()];
        for (int d = 0; d < order.length; d++) order[d] = acc.letters.indexOf(out.charAt(d));
        return acc.value.rank() == 0 ? acc.value : acc.value.permute(order);
    }

    /**
     * NumPy's {@code ...}: the broadcast batch axes, right-aligned across the operands as NumPy aligns
     * them, each named by a letter the equation does not use; an operand whose axis there has size 1
     * is expanded to the others' size. Without {@code ->} they lead the output, as in NumPy.
     * {@code operands} is updated in place; the equation comes back with letters only.
     */
    private static String withoutEllipsis(String equation, String eq, Tensor[] operands) {
        if (!eq.contains("...")) return eq;
        int arrow = eq.indexOf("->");
        String[] specs = (arrow < 0 ? eq : eq.substring(0, arrow)).split(",", -1);
        if (specs.length != operands.length) {
            throw new IllegalArgumentException("einsum: '" + equation + "' names " + specs.length + " operands, got " + operands.length);
        }
        int[] batchRank = new int[specs.length];
        int most = 0;
        for (int i = 0; i < specs.length; i++) {
            String s = specs[i];
            int at = s.indexOf("...");
            if (at < 0) continue;
            if (s.indexOf("...", at + 1) >= 0) throw new IllegalArgumentException("einsum: operand " + i + " of '" + equation + "' has two '...'");
            batchRank[i] = operands[i].rank() - (s.length() - 3);
            if (batchRank[i] < 0) {
                throw new IllegalArgumentException("einsum: operand " + i + " '" + s + "' names " + (s.length() - 3)
                        + " axes besides '...' but has shape " + operands[i].shape() + " in '" + equation + "'");
            }
            most = Math.max(most, batchRank[i]);
        }
        StringBuilder letters = new StringBuilder();
        for (char c = 'A'; letters.length() < most && c <= 'z'; c++) {
            if (Character.isLetter(c) && eq.indexOf(c) < 0) letters.append(c);
        }
        if (letters.length() < most) throw new IllegalArgumentException("einsum: '" + equation + "' leaves too few letters for its '...' axes");
        int[] size = new int[most];
        java.util.Arrays.fill(size, 1);
        for (int i = 0; i < specs.length; i++) {
            for (int k = 0; k < batchRank[i]; k++) {
                int d = operands[i].dim(specs[i].indexOf("...") + k), slot = most - batchRank[i] + k;
                if (d != 1 && size[slot] != 1 && d != size[slot]) {
                    throw new IllegalArgumentException("einsum: the '...' axes of " + shapes(operands) + " do not broadcast in '" + equation + "'");
                }
                if (d != 1) size[slot] = d;
            }
        }
        StringBuilder lhs = new StringBuilder();
        for (int i = 0; i < specs.length; i++) {
            int at = specs[i].indexOf("...");
            if (at >= 0) {
                int[] target = operands[i].shape().toArray();
                for (int k = 0; k < batchRank[i]; k++) target[at + k] = size[most - batchRank[i] + k];
                operands[i] = operands[i].broadcastTo(Shape.of(target)); // a size-1 axis meets the others' size
                specs[i] = specs[i].substring(0, at) + letters.substring(most - batchRank[i]) + specs[i].substring(at + 3);
            }
            lhs.append(i == 0 ? "" : ",").append(specs[i]);
        }
        String out;
        if (arrow >= 0) {
            out = eq.substring(arrow + 2).replace("...", letters);
        } else { // NumPy's implicit output: the '...' axes, then the letters that occur once, in order
            Map<Character, Integer> counts = new HashMap<>();
            for (String s : specs) for (char c : s.toCharArray()) if (letters.indexOf(String.valueOf(c)) < 0) counts.merge(c, 1, Integer::sum);
            out = letters + implicitOutput(counts);
        }
        return lhs + "->" + out;
    }

    /** An operand and the letter of each of its axes. */
    private record Term(Tensor value, String letters) {}

    private static String implicitOutput(Map<Character, Integer> counts) {
        StringBuilder b = new StringBuilder();
        counts.keySet().stream().filter(c -> counts.get(c) == 1).sorted().forEach(b::append);
        return b.toString();
    }

    /** Replaces each repeated letter by one axis holding the diagonal: a mask of equal positions, then a sum. */
    private static Term diagonal(Term t) {
        String s = t.letters;
        for (int d = 0; d < s.length(); d++) {
            int again = s.indexOf(s.charAt(d), d + 1);
            if (again < 0) continue;
            int n = t.value.dim(d);
            int[] rowShape = ones(s.length()), colShape = ones(s.length());
            rowShape[d] = n;
            colShape[again] = n;
            Tensor same = Tensors.arange(n).reshape(rowShape).eq(Tensors.arange(n).reshape(colShape)).to(t.value.device());
            Tensor masked = Ops.where(same, t.value, Ops.cast(Ops.scalarLike(t.value, 0), t.value.dtype()));
            Tensor summed = masked.sum(again);
            return diagonal(new Term(summed, s.substring(0, again) + s.substring(again + 1)));
        }
        return t;
    }

    /** Sums the axes of {@code terms[self]} whose letters occur neither in {@code out} nor in another term. */
    private static Term sumUnused(Term t, String out, List<Term> terms, int self) {
        List<Integer> axes = new ArrayList<>();
        StringBuilder kept = new StringBuilder();
        for (int d = 0; d < t.letters.length(); d++) {
            char c = t.letters.charAt(d);
            boolean used = out.indexOf(c) >= 0;
            for (int j = 0; j < terms.size() && !used; j++) used = j != self && terms.get(j).letters.indexOf(c) >= 0;
            if (used) kept.append(c);
            else axes.add(d);
        }
        if (axes.isEmpty()) return t;
        return new Term(t.value.sum(axes.stream().mapToInt(Integer::intValue).toArray()), kept.toString());
    }

    /** One pair as a batched matmul: [batch, own letters of a, shared] @ [batch, shared, own letters of b]. */
    private static Term contract(Term a, Term b, String needed) {
        StringBuilder batch = new StringBuilder(), summed = new StringBuilder(), onlyA = new StringBuilder(), onlyB = new StringBuilder();
        for (char c : a.letters.toCharArray()) {
            if (b.letters.indexOf(c) < 0) onlyA.append(c);
            else if (needed.indexOf(c) >= 0) batch.append(c);
            else summed.append(c);
        }
        for (char c : b.letters.toCharArray()) if (a.letters.indexOf(c) < 0) onlyB.append(c);
        Tensor x = arrange(a, batch + onlyA.toString() + summed);
        Tensor y = arrange(b, batch + summed.toString() + onlyB);
        int nb = size(a, batch.toString()), m = size(a, onlyA.toString()), k = size(a, summed.toString()), n = size(b, onlyB.toString());
        Tensor product = x.reshape(nb, m, k).matmul(y.reshape(nb, k, n));
        String letters = batch.toString() + onlyA + onlyB;
        int[] dims = new int[letters.length()];
        for (int d = 0; d < dims.length; d++) {
            char c = letters.charAt(d);
            dims[d] = a.letters.indexOf(c) >= 0 ? a.value.dim(a.letters.indexOf(c)) : b.value.dim(b.letters.indexOf(c));
        }
        return new Term(product.reshape(dims), letters);
    }

    private static Tensor arrange(Term t, String letters) {
        int[] order = new int[letters.length()];
        for (int d = 0; d < order.length; d++) order[d] = t.letters.indexOf(letters.charAt(d));
        return t.value.rank() == 0 ? t.value : t.value.permute(order);
    }

    private static int size(Term t, String letters) {
        int n = 1;
        for (char c : letters.toCharArray()) n *= t.value.dim(t.letters.indexOf(c));
        return n;
    }

    private static int[] ones(int n) {
        int[] v = new int[n];
        Arrays.fill(v, 1);
        return v;
    }

    private static String shapes(Tensor[] operands) {
        return Arrays.stream(operands).map(t -> t.shape().toString()).toList().toString();
    }
}
