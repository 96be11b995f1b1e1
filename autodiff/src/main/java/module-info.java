/**
 * Reverse-mode automatic differentiation: a gradient tape that observes ops at the dispatch seam,
 * one vector-Jacobian rule per primitive, custom gradients, and a finite-difference gradient checker.
 */
module dev.javelin.autodiff {
    requires transitive dev.javelin.tensor;
    exports dev.javelin.autodiff;
}
