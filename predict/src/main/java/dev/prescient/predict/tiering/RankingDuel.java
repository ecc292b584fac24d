package dev.prescient.predict.tiering;

import java.util.Arrays;

/**
 * Chooses, online, which of several complete rankings drives one fast tier (capacity and
 * migration budget known): each candidate drives a shadow placement of the same size and budget,
 * every access credits the shadows that hold it, and at each epoch boundary the candidate whose
 * shadow served most over the recent epochs (hits decayed per epoch) is used. Set dueling, as in
 * adaptive cache insertion; every choice uses only epochs already seen.
 *
 * <p>Why: a learned short-horizon heat model and a long-memory frequency ranking win in different
 * regimes. In a small tier only the hottest extents fit and recent heat decides; in a large one
 * nearly every recently used extent fits and what matters is keeping the extents that come back
 * after a long gap, which a count since the start remembers and a decayed heat forgets. Which
 * regime a tier is in depends on the workload and its size, so it is measured.
 */
public final class RankingDuel {
    private final TieringSimulator.Placement[] shadows;
    private final double decay;
    private final double[] score;
    private final long[] epochHits;
    private int chosen;

    /**
     * @param candidates number of rankings compared (>= 1); on a tie the lower index is kept
     * @param decay      per-epoch factor on past hit counts, in (0, 1]
     */
    public RankingDuel(int candidates, int capacity, int budget, int universe, double decay) {
        if (candidates < 1 || capacity < 1 || budget < 1 || universe < 1 || !(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException(
                    "need candidates, capacity, budget, universe >= 1 and 0 < decay <= 1");
        }
        this.decay = decay;
        this.shadows = new TieringSimulator.Placement[candidates];
        for (int k = 0; k < candidates; k++) {
            shadows[k] = new TieringSimulator.Placement(capacity, budget, universe);
        }
        this.score = new double[candidates];
        this.epochHits = new long[candidates];
    }

    /** One access in the current epoch: credits every shadow that holds the id. */
    public void access(int id) {
        for (int k = 0; k < shadows.length; k++) {
            if (id >= 0 && id < shadows[k].resident.length && shadows[k].resident[id]) {
                epochHits[k]++;
            }
        }
    }

    /**
     * At an epoch boundary: scores the epoch that ended, picks the candidate that served most, and
     * rebalances every shadow with its own candidate's scores.
     *
     * @param candidates one score array per candidate (ids below n)
     * @return the index of the candidate to use for the coming epoch
     */
    public int boundary(double[][] candidates, int n) {
        if (candidates.length != shadows.length) {
            throw new IllegalArgumentException("expected " + shadows.length + " candidates, got " + candidates.length);
        }
        for (int k = 0; k < shadows.length; k++) {
            score[k] = score[k] * decay + epochHits[k];
            epochHits[k] = 0;
        }
        int best = chosen;
        for (int k = 0; k < shadows.length; k++) {
            if (score[k] > score[best] || score[k] == score[best] && k < best) {
                best = k;
            }
        }
        chosen = best;
        for (int k = 0; k < shadows.length; k++) {
            shadows[k].rebalance(candidates[k], n);
        }
        return chosen;
    }

    /** The candidate in use. */
    public int chosen() {
        return chosen;
    }

    /** Decayed hits of each candidate's shadow. */
    public double[] scores() {
        return Arrays.copyOf(score, score.length);
    }
}
