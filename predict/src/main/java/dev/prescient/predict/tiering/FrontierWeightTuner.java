package dev.prescient.predict.tiering;

import java.util.Arrays;

/**
 * Chooses, online, how much weight the sequential frontier proposals get against the heat
 * model's tracked extents for one fast tier (its capacity and migration budget known).
 *
 * <p>Why: a proposal is a one-shot read ahead of a stream, a hot extent keeps earning while it
 * stays. With room to spare (a large tier) proposals are nearly free and win; in a small tier
 * every promotion displaces a hot extent and spends budget a newly hot extent needed. Which
 * regime a tier is in depends on the workload, so it is measured rather than set: every
 * candidate weight drives a shadow placement of the same capacity and budget (set dueling, as
 * adaptive cache-insertion policies do), each shadow counts the hits it would have served, and
 * the weight whose shadow served most over the recent epochs (decayed) drives the real ranking.
 * Every choice uses only epochs already seen.
 */
public final class FrontierWeightTuner {
    /** Candidate weights: off, a quarter, half, full (the calibrated expected accesses as they are). */
    public static final double[] DEFAULT_WEIGHTS = {0.0, 0.25, 0.5, 1.0};
    /** Per-epoch decay of the shadows' hit counts: about a 7-epoch half-life. */
    public static final double DEFAULT_DECAY = 0.9;

    private final double[] weights;
    private final double decay;
    private final TieringSimulator.Placement[] shadows;
    private final double[] score;
    private final long[] epochHits;
    private double[] combined = new double[0];
    private int chosen;

    public FrontierWeightTuner(int capacity, int budget, int universe) {
        this(capacity, budget, universe, DEFAULT_WEIGHTS, DEFAULT_DECAY);
    }

    /**
     * @param weights candidate frontier weights; on a tie the later (larger) one is kept
     * @param decay   per-epoch factor on past hit counts, in (0, 1]
     */
    public FrontierWeightTuner(int capacity, int budget, int universe, double[] weights, double decay) {
        if (capacity < 1 || budget < 1 || universe < 1 || weights.length == 0 || !(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("need capacity, budget, universe >= 1, some weights, 0 < decay <= 1");
        }
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
            }
        }
        this.weights = weights.clone();
        this.decay = decay;
        this.shadows = new TieringSimulator.Placement[weights.length];
        for (int k = 0; k < shadows.length; k++) {
            shadows[k] = new TieringSimulator.Placement(capacity, budget, universe);
        }
        this.score = new double[weights.length];
        this.epochHits = new long[weights.length];
        this.chosen = weights.length - 1;
    }

    /** One access in the current epoch: credits every shadow that holds the id. */
    public void access(int id) {
        for (int k = 0; k < shadows.length; k++) {
            if (id < shadows[k].resident.length && shadows[k].resident[id]) {
                epochHits[k]++;
            }
        }
    }

    /**
     * At an epoch boundary: scores the epoch that ended, picks the weight, rebalances every shadow
     * with its own weight, and writes the chosen combination to {@code out}.
     *
     * @param tracked      heat-model scores per id (ids below n)
     * @param frontierIds  ids proposed by the streams, frontierValues their expected accesses
     */
    public void boundary(double[] tracked, int[] frontierIds, double[] frontierValues, int proposals, int n,
            double[] out) {
        for (int k = 0; k < weights.length; k++) {
            score[k] = score[k] * decay + epochHits[k];
            epochHits[k] = 0;
        }
        int best = chosen;
        for (int k = 0; k < weights.length; k++) {
            if (score[k] > score[best] || score[k] == score[best] && k > best) {
                best = k;
            }
        }
        chosen = best;
        if (combined.length < n) {
            combined = new double[n];
        }
        for (int k = 0; k < weights.length; k++) {
            combine(tracked, frontierIds, frontierValues, proposals, n, weights[k], combined);
            shadows[k].rebalance(combined, n);
        }
        combine(tracked, frontierIds, frontierValues, proposals, n, weights[chosen], out);
    }

    private static void combine(double[] tracked, int[] ids, double[] values, int proposals, int n, double w,
            double[] out) {
        System.arraycopy(tracked, 0, out, 0, n);
        if (w == 0) {
            return;
        }
        for (int i = 0; i < proposals; i++) {
            int id = ids[i];
            double v = values[i] * w;
            if (id >= 0 && id < n && v > out[id]) {
                out[id] = v;
            }
        }
    }

    public int capacity() {
        return shadows[0].capacity;
    }

    public int budget() {
        return shadows[0].budget;
    }

    /** The weight driving the real ranking now. */
    public double chosenWeight() {
        return weights[chosen];
    }

    /** Decayed hits of each candidate's shadow, in the order of the weights. */
    public double[] scores() {
        return Arrays.copyOf(score, score.length);
    }
}
