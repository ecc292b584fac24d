package dev.prescient.predict.tiering;

/**
 * A policy in tiering mode: it watches every request, and at each epoch boundary ranks pages;
 * the simulator then moves the best-ranked pages to the fast tier within the migration budget.
 */
public interface TierRanker {
    String name();

    void access(int id, int t);

    /**
     * Writes a score for every id below {@code n} into {@code out}; higher = keep in the fast
     * tier. Scores &lt;= 0 mean "never promote". Called at boundary time {@code t}.
     */
    void scores(double[] out, int n, int t);
}
