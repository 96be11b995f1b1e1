package dev.javelin.autodiff;

/** Keeps the largest relative error any gradient check saw in this JVM, printed at the end of a test class. */
final class WorstError {
    private static double worst;
    private static String where = "none";

    private WorstError() {}

    static synchronized void note(String name, double error) {
        if (error > worst) {
            worst = error;
            where = name;
        }
    }

    static synchronized String summary() {
        return String.format("worst GradCheck relative error so far: %.3g (%s)", worst, where);
    }
}
