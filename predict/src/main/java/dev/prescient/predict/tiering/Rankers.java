package dev.prescient.predict.tiering;

import java.util.Arrays;

/** The heuristic baselines and the oracle of tiering mode. */
public final class Rankers {
    private Rankers() {
    }

    /** Most recently used first. */
    public static TierRanker lru(int universe) {
        int[] last = new int[universe];
        return new TierRanker() {
            public String name() {
                return "LRU";
            }

            public void access(int id, int t) {
                last[id] = t + 1;
            }

            public void scores(double[] out, int n, int t) {
                for (int i = 0; i < n; i++) {
                    out[i] = i < last.length ? last[i] : 0;
                }
            }
        };
    }

    /** Most frequently used since the start, recency breaking ties. */
    public static TierRanker lfu(int universe) {
        int[] count = new int[universe];
        int[] last = new int[universe];
        return new TierRanker() {
            public String name() {
                return "LFU";
            }

            public void access(int id, int t) {
                count[id]++;
                last[id] = t + 1;
            }

            public void scores(double[] out, int n, int t) {
                for (int i = 0; i < n; i++) {
                    out[i] = i < count.length ? count[i] + last[i] / (t + 2.0) : 0;
                }
            }
        };
    }

    /** Easy-Tier-style: an exponentially decayed access count (heat), half-life in requests. */
    public static TierRanker heat(int universe, double halfLife) {
        double lambda = Math.log(2) / halfLife;
        double[] logHeat = new double[universe];
        Arrays.fill(logHeat, Double.NEGATIVE_INFINITY);
        return new TierRanker() {
            public String name() {
                return "EasyTier-heat";
            }

            public void access(int id, int t) {
                double a = lambda * t;
                logHeat[id] = logHeat[id] == Double.NEGATIVE_INFINITY ? a : HeatCache.logAddExp(logHeat[id], a);
            }

            public void scores(double[] out, int n, int t) {
                double now = lambda * t;
                for (int i = 0; i < n; i++) {
                    // log-heat shifted to be positive for anything seen in the last ~700 half-lives
                    out[i] = i < logHeat.length ? Math.max(0, logHeat[i] - now + 700) : 0;
                }
            }
        };
    }

    /** ARC run as a cache of the fast tier's size; its resident set is the placement target. */
    public static TierRanker arc(int capacity, int universe) {
        ArcCache arc = new ArcCache(capacity, universe);
        int[] last = new int[universe];
        return new TierRanker() {
            public String name() {
                return "ARC";
            }

            public void access(int id, int t) {
                arc.access(id, t);
                last[id] = t + 1;
            }

            public void scores(double[] out, int n, int t) {
                double span = t + 2.0;
                for (int i = 0; i < n; i++) {
                    if (i >= last.length || last[i] == 0) {
                        out[i] = 0;
                    } else {
                        out[i] = (arc.resident(i) ? 1.0 : 0.0) + last[i] / span;
                    }
                }
            }
        };
    }

    /** Next-epoch oracle: the number of accesses each page will get in the coming epoch. */
    public static TierRanker oracle(int[] ids, int universe, int epochLength) {
        int[] count = new int[universe];
        return new TierRanker() {
            public String name() {
                return "Oracle(next epoch)";
            }

            public void access(int id, int t) {
            }

            public void scores(double[] out, int n, int t) {
                Arrays.fill(count, 0);
                int end = Math.min(ids.length, t + epochLength);
                for (int i = t; i < end; i++) {
                    count[ids[i]]++;
                }
                for (int i = 0; i < n; i++) {
                    out[i] = i < universe ? count[i] : 0;
                }
            }
        };
    }

    /**
     * Next-epoch oracle that knows only pages read before the boundary: the same counts as
     * {@link #oracle}, with pages never read so far scored 0. No predictor of re-reference can
     * place a page it has never heard of (only a sequential guess can), so the gap to this row
     * is the part of the oracle's advantage open to a heat model.
     */
    public static TierRanker oracleSeenPages(int[] ids, int universe, int epochLength) {
        int[] count = new int[universe];
        boolean[] seen = new boolean[universe];
        return new TierRanker() {
            public String name() {
                return "Oracle (seen pages)";
            }

            public void access(int id, int t) {
                seen[id] = true;
            }

            public void scores(double[] out, int n, int t) {
                Arrays.fill(count, 0);
                int end = Math.min(ids.length, t + epochLength);
                for (int i = t; i < end; i++) {
                    count[ids[i]]++;
                }
                for (int i = 0; i < n; i++) {
                    out[i] = i < universe && seen[i] ? count[i] : 0;
                }
            }
        };
    }
}
