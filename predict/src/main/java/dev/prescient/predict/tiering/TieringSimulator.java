package dev.prescient.predict.tiering;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Tiering mode: placement may change only at epoch boundaries, at most {@code budget} pages
 * promoted per epoch (each promotion into a full tier demotes one page). The metric is the share
 * of the accesses of each following epoch served from the fast tier, over all epochs but the
 * first (when nothing can be placed yet).
 */
public final class TieringSimulator {
    private final BlockTrace trace;
    private final int epochLength;
    private final double budgetFraction;

    /**
     * @param epochLength requests per epoch
     * @param budgetFraction promotions allowed per epoch, as a fraction of the fast tier's size
     */
    public TieringSimulator(BlockTrace trace, int epochLength, double budgetFraction) {
        if (epochLength <= 0 || !(budgetFraction > 0)) {
            throw new IllegalArgumentException("epoch length and budget must be positive");
        }
        this.trace = trace;
        this.epochLength = epochLength;
        this.budgetFraction = budgetFraction;
    }

    /**
     * Id space of a run: the trace's pages plus as many again for pages a predictor places that
     * the trace never reads (they take space and budget, and never hit).
     */
    public static int universe(BlockTrace trace) {
        return trace.uniquePages() * 2;
    }

    public int budget(int capacity) {
        return Math.max(1, (int) Math.round(capacity * budgetFraction));
    }

    /** Runs one ranker against several fast-tier sizes at once; returns the served share per size. */
    public double[] run(TierRanker ranker, int[] capacities) {
        int universe = universe(trace);
        Placement[] placements = new Placement[capacities.length];
        for (int k = 0; k < capacities.length; k++) {
            placements[k] = new Placement(capacities[k], budget(capacities[k]), universe);
        }
        double[] score = new double[universe];
        long[] hits = new long[capacities.length];
        long counted = 0;
        int[] ids = trace.ids();
        for (int start = 0; start < ids.length; start += epochLength) {
            int end = Math.min(ids.length, start + epochLength);
            if (start > 0) {
                ranker.scores(score, universe, start);
                for (Placement p : placements) {
                    p.rebalance(score, universe);
                }
                counted += end - start;
                for (int i = start; i < end; i++) {
                    int id = ids[i];
                    for (int k = 0; k < placements.length; k++) {
                        if (placements[k].resident[id]) {
                            hits[k]++;
                        }
                    }
                }
            }
            for (int i = start; i < end; i++) {
                ranker.access(ids[i], i);
            }
        }
        double[] share = new double[capacities.length];
        for (int k = 0; k < share.length; k++) {
            share[k] = counted == 0 ? 0 : (double) hits[k] / counted;
        }
        return share;
    }

    /** Runs a ranker that depends on the tier size (ARC) once per size. */
    public double[] runPerCapacity(IntFunction<TierRanker> factory, int[] capacities) {
        double[] share = new double[capacities.length];
        for (int k = 0; k < capacities.length; k++) {
            share[k] = run(factory.apply(capacities[k]), new int[] {capacities[k]})[0];
        }
        return share;
    }

    /** The fast tier's content and the budgeted swap at a boundary. */
    static final class Placement {
        final int capacity;
        final int budget;
        final boolean[] resident;
        final int[] members;
        int count;
        private final int[] candIds;
        private final double[] candScores;
        private final int[] victIds;
        private final double[] victScores;
        private final int[] memberPos;

        Placement(int capacity, int budget, int universe) {
            this.capacity = capacity;
            this.budget = budget;
            this.resident = new boolean[universe];
            this.members = new int[capacity];
            this.memberPos = new int[universe];
            this.candIds = new int[budget];
            this.candScores = new double[budget];
            this.victIds = new int[budget];
            this.victScores = new double[budget];
        }

        void rebalance(double[] score, int n) {
            // best `budget` non-residents (min-heap on score)
            int nc = 0;
            for (int i = 0; i < n; i++) {
                double s = score[i];
                if (s <= 0 || resident[i]) {
                    continue;
                }
                if (nc < budget) {
                    HeapOps.pushMin(candIds, candScores, nc++, i, s);
                } else if (s > candScores[0]) {
                    HeapOps.replaceTopMin(candIds, candScores, nc, i, s);
                }
            }
            // worst `budget` residents (max-heap on score)
            int nv = 0;
            for (int m = 0; m < count; m++) {
                int id = members[m];
                double s = score[id];
                if (nv < budget) {
                    HeapOps.pushMin(victIds, victScores, nv++, id, -s);
                } else if (-s > victScores[0]) {
                    HeapOps.replaceTopMin(victIds, victScores, nv, id, -s);
                }
            }
            int[] cand = HeapOps.sortedDescending(candIds, candScores, nc);
            int[] vict = HeapOps.sortedDescending(victIds, victScores, nv); // lowest score first
            int v = 0;
            for (int c = 0; c < cand.length; c++) {
                int in = cand[c];
                if (count < capacity) {
                    add(in);
                    continue;
                }
                if (v >= vict.length || score[vict[v]] >= score[in]) {
                    break;
                }
                remove(vict[v++]);
                add(in);
            }
        }

        private void add(int id) {
            resident[id] = true;
            memberPos[id] = count;
            members[count++] = id;
        }

        private void remove(int id) {
            resident[id] = false;
            int p = memberPos[id];
            int last = members[--count];
            members[p] = last;
            memberPos[last] = p;
        }
    }

    /** Fixed-size heaps of (id, score) in two parallel arrays. */
    static final class HeapOps {
        private HeapOps() {
        }

        static void pushMin(int[] ids, double[] s, int size, int id, double v) {
            int i = size;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (s[p] <= v) {
                    break;
                }
                ids[i] = ids[p];
                s[i] = s[p];
                i = p;
            }
            ids[i] = id;
            s[i] = v;
        }

        static void replaceTopMin(int[] ids, double[] s, int size, int id, double v) {
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    break;
                }
                int r = l + 1;
                int c = (r < size && s[r] < s[l]) ? r : l;
                if (s[c] >= v) {
                    break;
                }
                ids[i] = ids[c];
                s[i] = s[c];
                i = c;
            }
            ids[i] = id;
            s[i] = v;
        }

        /** Ids of a min-heap ordered by descending key. */
        static int[] sortedDescending(int[] ids, double[] s, int size) {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
            int[] out = new int[size];
            for (int i = 0; i < size; i++) {
                out[i] = ids[order[i]];
            }
            return out;
        }
    }
}
