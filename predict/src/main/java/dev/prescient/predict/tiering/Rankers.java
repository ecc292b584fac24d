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
        return residentFirst("ARC", arc, arc::resident, universe);
    }

    /** LIRS as a ranker: resident blocks first, then recency, as {@link #arc}. */
    public static TierRanker lirs(int capacity, int universe) {
        LirsCache c = new LirsCache(capacity, universe);
        return residentFirst("LIRS", c, c::resident, universe);
    }

    /** S3-FIFO as a ranker: resident objects first, then recency, as {@link #arc}. */
    public static TierRanker s3fifo(int capacity, int universe) {
        S3FifoCache c = new S3FifoCache(capacity, universe);
        return residentFirst("S3-FIFO", c, c::resident, universe);
    }

    private static TierRanker residentFirst(String name, CachePolicy cache, java.util.function.IntPredicate resident,
            int universe) {
        int[] last = new int[universe];
        return new TierRanker() {
            public String name() {
                return name;
            }

            public void access(int id, int t) {
                cache.access(id, t);
                last[id] = t + 1;
            }

            public void scores(double[] out, int n, int t) {
                double span = t + 2.0;
                for (int i = 0; i < n; i++) {
                    if (i >= last.length || last[i] == 0) {
                        out[i] = 0;
                    } else {
                        out[i] = (resident.test(i) ? 1.0 : 0.0) + last[i] / span;
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

    /**
     * A bound on rankings by coarse history class: pages read before the boundary are grouped by
     * which of the last {@code historyEpochs} epochs they were read in and by the bit length of
     * their total count (capped at 7), and every page scores its class's mean accesses in the
     * coming epoch, measured on that epoch (hindsight); the count breaks ties within a class.
     * Pages never read score 0. A ranker that learns class rates from past epochs can at best
     * match this, so the distance between the two shows how much the classes' rates move from
     * one epoch to the next (on P3 a few history classes are hot in one epoch and cold in the
     * next, which no past epoch reveals).
     */
    public static TierRanker oracleHistoryClasses(int[] ids, int universe, int epochLength, int historyEpochs) {
        if (historyEpochs < 1 || historyEpochs > 16) {
            throw new IllegalArgumentException("history of 1..16 epochs, got " + historyEpochs);
        }
        int[] hist = new int[universe];
        int[] count = new int[universe];
        int[] next = new int[universe];
        int classes = (1 << historyEpochs) * 8;
        double[] sum = new double[classes];
        double[] pages = new double[classes];
        int mask = (1 << historyEpochs) - 1;
        return new TierRanker() {
            public String name() {
                return "Oracle (history classes)";
            }

            public void access(int id, int t) {
                hist[id] |= 1;
                count[id]++;
            }

            private int classOf(int id) {
                return (hist[id] & mask) * 8 + Math.min(7, 32 - Integer.numberOfLeadingZeros(count[id]));
            }

            public void scores(double[] out, int n, int t) {
                Arrays.fill(next, 0);
                int end = Math.min(ids.length, t + epochLength);
                for (int i = t; i < end; i++) {
                    next[ids[i]]++;
                }
                Arrays.fill(sum, 0);
                Arrays.fill(pages, 0);
                for (int i = 0; i < universe; i++) {
                    if (count[i] > 0) {
                        int c = classOf(i);
                        sum[c] += next[i];
                        pages[c]++;
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (i < universe && count[i] > 0) {
                        int c = classOf(i);
                        out[i] = sum[c] / pages[c] + 1e-9 * Math.min(count[i], 1_000_000);
                    } else {
                        out[i] = 0;
                    }
                }
                for (int i = 0; i < universe; i++) {
                    hist[i] <<= 1; // the epoch that starts is bit 0
                }
            }
        };
    }
}
