package dev.prescient.predict.tiering;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiering section of the harness on one trace: (a) cache mode, hit ratio; (b) tiering mode,
 * share of the next epoch's accesses served from the fast tier under a migration budget. Fast
 * tier sizes are 1, 5, 10 and 25% of the trace's unique pages.
 */
public final class TieringEvaluation {
    public static final double[] SIZES = {0.01, 0.05, 0.10, 0.25};
    /** Epochs of read history in the classes of the history-class oracle: 16 patterns x 8 counts. */
    public static final int HISTORY_CLASS_EPOCHS = 4;

    /** Evaluation settings; not model parameters (the models see none of these but the epoch). */
    public record Settings(int epochs, double budgetFraction) {
        public Settings {
            if (epochs < 2 || !(budgetFraction > 0) || budgetFraction > 1) {
                throw new IllegalArgumentException("need epochs >= 2 and 0 < budget <= 1");
            }
        }

        /** 100 epochs per trace; each epoch may promote 10% of the fast tier's size. */
        public static Settings defaults() {
            return new Settings(100, 0.10);
        }
    }

    /** One table: policy names and their figure per size. */
    public record Table(String title, int[] capacities, List<String> policies, List<double[]> values) {
        public double[] row(String policy) {
            return values.get(policies.indexOf(policy));
        }
    }

    private TieringEvaluation() {
    }

    public static int[] capacities(BlockTrace trace) {
        int[] caps = new int[SIZES.length];
        for (int i = 0; i < caps.length; i++) {
            caps[i] = Math.max(1, (int) Math.round(trace.uniquePages() * SIZES[i]));
        }
        return caps;
    }

    public static Table cacheMode(BlockTrace trace) {
        int[] caps = capacities(trace);
        int u = trace.uniquePages();
        List<String> names = List.of("LRU", "LFU", "ARC", "EasyTier-heat", "Prescient", "Belady (demand optimum)");
        List<double[]> vals = new ArrayList<>();
        for (int p = 0; p < names.size(); p++) {
            vals.add(new double[caps.length]);
        }
        int[] ids = trace.ids();
        for (int k = 0; k < caps.length; k++) {
            int c = caps[k];
            // Easy-Tier heat half-life: the time the cache takes to turn over once
            CachePolicy[] ps = {new LruCache(c, u), new LfuCache(c, u), new ArcCache(c, u), new HeatCache(c, u, c),
                    new PrescientCache(c, trace), new BeladyCache(c, u, ids)};
            for (int p = 0; p < ps.length; p++) {
                long hits = 0;
                for (int i = 0; i < ids.length; i++) {
                    if (ps[p].access(ids[i], i)) {
                        hits++;
                    }
                }
                vals.get(p)[k] = ids.length == 0 ? 0 : (double) hits / ids.length;
            }
        }
        return new Table("cache mode: hit ratio", caps, names, vals);
    }

    public static int epochLength(BlockTrace trace, Settings s) {
        return Math.max(1, (trace.length() + s.epochs() - 1) / s.epochs());
    }

    public static Table tieringMode(BlockTrace trace, Settings s) {
        int[] caps = capacities(trace);
        int u = TieringSimulator.universe(trace);
        int epoch = epochLength(trace, s);
        TieringSimulator sim = new TieringSimulator(trace, epoch, s.budgetFraction());
        List<String> names = new ArrayList<>();
        List<double[]> vals = new ArrayList<>();
        names.add("LRU");
        vals.add(sim.run(Rankers.lru(u), caps));
        names.add("LFU");
        vals.add(sim.run(Rankers.lfu(u), caps));
        names.add("ARC");
        vals.add(sim.runPerCapacity(c -> Rankers.arc(c, u), caps));
        names.add("EasyTier-heat");
        vals.add(sim.run(Rankers.heat(u, epoch), caps));
        names.add("Prescient w/o streams");
        vals.add(sim.run(new PrescientRanker(trace, epoch, false), caps));
        names.add("Prescient");
        // one ranker per tier size: it knows its tier's capacity and budget (as ARC does) and
        // weighs the stream frontier by what that weight served on the epochs already seen
        vals.add(sim.runPerCapacity(c -> new PrescientRanker(trace, epoch, c, sim.budget(c)), caps));
        names.add("Oracle (next epoch)");
        vals.add(sim.run(Rankers.oracle(trace.ids(), u, epoch), caps));
        names.add("Oracle (seen pages)");
        vals.add(sim.run(Rankers.oracleSeenPages(trace.ids(), u, epoch), caps));
        names.add("Oracle (history classes)");
        vals.add(sim.run(Rankers.oracleHistoryClasses(trace.ids(), u, epoch, HISTORY_CLASS_EPOCHS), caps));
        return new Table("tiering mode: share of next epoch's accesses from the fast tier (epoch "
                + epoch + " requests, budget " + Math.round(s.budgetFraction() * 100) + "% of the tier per epoch)",
                caps, names, vals);
    }

    /** Share of the accesses of epochs 2.. that go to pages not read in any earlier epoch. */
    public static double unseenShare(BlockTrace trace, int epochLength) {
        int[] ids = trace.ids();
        // ids are dense in order of first access: an id is new in its epoch iff it is at least
        // the number of distinct pages seen before the epoch
        int seenBefore = 0;
        long unseen = 0;
        long counted = 0;
        for (int start = 0; start < ids.length; start += epochLength) {
            int end = Math.min(ids.length, start + epochLength);
            int maxId = seenBefore - 1;
            for (int i = start; i < end; i++) {
                if (start > 0) {
                    counted++;
                    if (ids[i] >= seenBefore) {
                        unseen++;
                    }
                }
                maxId = Math.max(maxId, ids[i]);
            }
            seenBefore = maxId + 1;
        }
        return counted == 0 ? 0 : (double) unseen / counted;
    }

    /** Share of the LRU-to-oracle gap closed by a policy, per size (NaN where there is no gap). */
    public static double[] gapClosed(Table t, String policy, String oracle) {
        double[] lru = t.row("LRU");
        double[] o = t.row(oracle);
        double[] p = t.row(policy);
        double[] g = new double[lru.length];
        for (int i = 0; i < g.length; i++) {
            double gap = o[i] - lru[i];
            g[i] = gap > 1e-12 ? (p[i] - lru[i]) / gap : Double.NaN;
        }
        return g;
    }

    public static void print(Table t, PrintStream out) {
        out.println("  " + t.title());
        StringBuilder h = new StringBuilder(String.format("    %-24s", "policy \\ fast tier"));
        for (int i = 0; i < t.capacities().length; i++) {
            h.append(String.format("  %4.0f%% (%7d)", SIZES[i] * 100, t.capacities()[i]));
        }
        out.println(h);
        for (int p = 0; p < t.policies().size(); p++) {
            StringBuilder r = new StringBuilder(String.format("    %-24s", t.policies().get(p)));
            for (double v : t.values().get(p)) {
                r.append(String.format("  %15.4f", v));
            }
            out.println(r);
        }
    }

    /** Runs and prints both modes for one trace, with the target checks. */
    public static void run(BlockTrace trace, Settings s, PrintStream out) {
        out.printf("trace %s: %,d page requests over %,d unique pages (%,d requests)%n",
                trace.name(), trace.length(), trace.uniquePages(), trace.requests());
        long t0 = System.nanoTime();
        Table cache = cacheMode(trace);
        print(cache, out);
        double[] arc = cache.row("ARC");
        double[] pc = cache.row("Prescient");
        int atLeastArc = 0;
        for (int i = 0; i < arc.length; i++) {
            if (pc[i] >= arc[i]) {
                atLeastArc++;
            }
        }
        out.printf("    target cache mode Prescient >= ARC: %d of %d sizes -> %s%n", atLeastArc, arc.length,
                atLeastArc == arc.length ? "MET" : "NOT MET");
        out.println("    (Prescient reads ahead on sequential streams, so it can exceed Belady's demand-paging optimum)");
        Table tier = tieringMode(trace, s);
        print(tier, out);
        double[] g = gapClosed(tier, "Prescient", "Oracle (next epoch)");
        StringBuilder gs = new StringBuilder("    gap closed between LRU and oracle:");
        for (double v : g) {
            gs.append(String.format("  %6.1f%%", v * 100));
        }
        out.println(gs);
        double[] gSeen = gapClosed(tier, "Prescient", "Oracle (seen pages)");
        StringBuilder ss = new StringBuilder("    gap closed vs the oracle of seen pages:");
        for (double v : gSeen) {
            ss.append(String.format("  %6.1f%%", v * 100));
        }
        out.println(ss);
        out.printf("    (%.1f%% of the counted accesses go to pages never read before their epoch: only the"
                + " stream frontier can place those; the seen-pages oracle shows what is left to a heat model)%n",
                100 * unseenShare(trace, epochLength(trace, s)));
        int beats = 0;
        int halfGap = 0;
        double[] pr = tier.row("Prescient");
        for (int i = 0; i < pr.length; i++) {
            boolean all = true;
            for (String h : List.of("LRU", "LFU", "ARC", "EasyTier-heat")) {
                all &= pr[i] > tier.row(h)[i];
            }
            beats += all ? 1 : 0;
            halfGap += !(g[i] < 0.5) ? 1 : 0;
        }
        out.printf("    target tiering Prescient beats every heuristic: %d of %d sizes -> %s%n", beats, pr.length,
                beats == pr.length ? "MET" : "NOT MET");
        out.printf("    target tiering closes >= 50%% of the LRU-oracle gap: %d of %d sizes -> %s%n", halfGap, pr.length,
                halfGap == pr.length ? "MET" : "NOT MET");
        out.printf("    (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }
}
