package dev.javelin.highlevel;

import dev.javelin.tensor.Tensor;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Model#gradientStep} returns: the loss of one batch and one gradient per trainable
 * variable, in {@link Model#trainableVariables()} order (null where the loss does not depend on the
 * variable; the optimizer then leaves it alone). The default {@link Model#trainStep} is this step
 * followed by the optimizer's update, so a data-parallel trainer can sum the gradients of several
 * workers between the two halves and still follow {@code fit}'s math.
 *
 * <pre>{@code
 * StepGradients g = model.computeGradients(batch);       // compiled: forward, loss, backward
 * List<Tensor> summed = allReduce(g.gradients());        // e.g. averaged over workers
 * model.applyGradients(summed);                          // compiled: the optimizer's update
 * }</pre>
 *
 * @param loss the batch's loss (a scalar), as {@code trainStep} returns it
 * @param gradients one per trainable variable; an element may be null
 */
public record StepGradients(Tensor loss, List<Tensor> gradients) {
    public StepGradients {
        Objects.requireNonNull(loss, "loss");
        gradients = Collections.unmodifiableList(new java.util.ArrayList<>(gradients)); // nulls allowed, unlike List.copyOf
    }
}
