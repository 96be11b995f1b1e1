package dev.javelin.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's and PyTorch's {@code einsum} on letters {@code a-z, A-Z} (no {@code ...}): each operand's
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
        String eq = equation.replace(" ", "");
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
