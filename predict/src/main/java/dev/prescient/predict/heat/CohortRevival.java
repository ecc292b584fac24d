package dev.prescient.predict.heat;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * Cohort revival, one input of {@link ExtentHeatPredictor}: extents last read at about the same
 * time form a cohort (age buckets of a quarter window, relative to the window start). Counting
 * which cohorts the re-reads of a window come from tells which older cohorts are being read again
 * (a file set reopened, a job rerun), and the rest of such a cohort tends to follow in the next
 * windows; per-extent counts cannot say that for an extent not yet re-read. No per-extent state:
 * the age comes from the extent's last access time, which the predictor keeps.
 */
final class CohortRevival {
    static final int COHORTS_PER_WINDOW = 4;
    /** 64 windows of ages; older extents share the last bucket. */
    static final int COHORTS = 64 * COHORTS_PER_WINDOW;
    /**
     * Per-window factor on a cohort's earlier revival rate: a cohort being read again usually
     * takes a few windows. 0.5, and a quarter window per bucket, were chosen on the first 40% of
     * the OLTP and P3 traces (0, 0.8, and 8 or 16 buckets a window did no better there).
     */
    static final double COHORT_DECAY = 0.5;

    private final double invCohortLen;
    final double[] pop = new double[COHORTS];
    final double[] revived = new double[COHORTS];
    /** Revival rate by age bucket relative to the last window end (0 for the window just ended). */
    final double[] rate = new double[COHORTS];
    private final double[] tmp = new double[COHORTS];
    long windowStart;

    CohortRevival(double window) {
        this.invCohortLen = COHORTS_PER_WINDOW / window;
    }

    /** Age bucket of an extent last read {@code age} time units before a reference time. */
    int bucket(long age) {
        return (int) Math.min(COHORTS - 1, Math.max(0, age) * invCohortLen);
    }

    /** An extent last read at {@code previousLast} is read again. */
    void readAgain(long previousLast) {
        if (previousLast < windowStart) {
            revived[bucket(windowStart - previousLast)] += 1; // first re-read of the extent this window
        }
    }

    /** Revival rate of the cohort of an extent last read {@code age} time units ago. */
    double rateAt(long age) {
        return rate[bucket(age)];
    }

    /**
     * At a window end: the revival rate of each cohort over the window that ended (share of its
     * extents read again), moved to the ages the cohorts have now, and the cohorts' sizes for
     * the next window from the last access times of the {@code n} tracked extents.
     */
    void endWindow(long now, int n, IntToLongFunction lastOf) {
        int shift = (int) Math.min(COHORTS, Math.round((now - windowStart) * invCohortLen));
        Arrays.fill(tmp, 0.0);
        for (int a = 0; a < COHORTS; a++) {
            double fresh = pop[a] > 0 ? revived[a] / pop[a] : 0;
            double r = fresh + COHORT_DECAY * rate[a];
            int to = Math.min(COHORTS - 1, a + shift);
            tmp[to] = Math.max(tmp[to], r);
        }
        System.arraycopy(tmp, 0, rate, 0, COHORTS);
        Arrays.fill(revived, 0.0);
        Arrays.fill(pop, 0.0);
        for (int s = 0; s < n; s++) {
            pop[bucket(now - lastOf.applyAsLong(s))] += 1;
        }
        windowStart = now;
    }
}
