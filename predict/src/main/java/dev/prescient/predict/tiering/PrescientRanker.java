package dev.prescient.predict.tiering;

import dev.prescient.predict.common.LongIntOpenMap;
import dev.prescient.predict.heat.ExtentHeatPredictor;

import java.util.Arrays;

/**
 * Tiering mode driven by the {@link ExtentHeatPredictor}: pages ranked by expected accesses in
 * the next epochs (the predictor's horizon), including pages not read yet that a sequential stream is about to reach.
 * The predictor knows page numbers only; this adapter maps them to the simulator's ids.
 */
public final class PrescientRanker implements TierRanker {
    private final BlockTrace trace;
    private final ExtentHeatPredictor predictor;
    private final int maxProposals;
    private final LongIntOpenMap phantoms = new LongIntOpenMap(1024);
    private int[] idOfSlot = new int[0];
    private double[] predicted = new double[0];

    private final boolean streams;
    /** Set when the fast tier's size is known: it weighs the frontier against tracked extents. */
    private final FrontierWeightTuner tuner;
    /** With a tuner: duels the heat model's ranking against a count-since-start ranking. */
    private final RankingDuel duel;
    private double[][] candidates = new double[2][0];
    private double[] trackedScores = new double[0];
    private int[] proposalIds = new int[0];
    private double[] proposalValues = new double[0];
    private int proposals;

    public PrescientRanker(BlockTrace trace, int epochLength) {
        this(trace, epochLength, true);
    }

    /** @param streams false to leave out the sequential frontier (for the ablation row) */
    public PrescientRanker(BlockTrace trace, int epochLength, boolean streams) {
        this(trace, epochLength, streams, null);
    }

    /**
     * For one fast tier of known size and migration budget: frontier proposals are weighed
     * against tracked extents by a {@link FrontierWeightTuner} that measures, on past epochs,
     * which weight served this tier best.
     */
    public PrescientRanker(BlockTrace trace, int epochLength, int capacity, int budget) {
        this(trace, epochLength, true,
                new FrontierWeightTuner(capacity, budget, TieringSimulator.universe(trace)));
    }

    private PrescientRanker(BlockTrace trace, int epochLength, boolean streams, FrontierWeightTuner tuner) {
        this.streams = streams;
        this.trace = trace;
        this.predictor = new ExtentHeatPredictor(epochLength, trace.uniquePages() / 4 + 16);
        this.maxProposals = epochLength;
        this.tuner = tuner;
        this.duel = tuner == null ? null
                : new RankingDuel(2, tuner.capacity(), tuner.budget(), TieringSimulator.universe(trace),
                        FrontierWeightTuner.DEFAULT_DECAY);
    }

    /** The ranking in use: 0 the heat model (with the frontier), 1 the count since the start. */
    public int chosenRanking() {
        return duel == null ? 0 : duel.chosen();
    }

    /** The frontier weight in use (1 without a tuner, 0 without streams). */
    public double frontierWeight() {
        return !streams ? 0 : tuner == null ? 1 : tuner.chosenWeight();
    }

    public ExtentHeatPredictor predictor() {
        return predictor;
    }

    @Override
    public String name() {
        return streams ? "Prescient" : "Prescient w/o streams";
    }

    @Override
    public void access(int id, int t) {
        predictor.record(trace.page(id), t);
        if (tuner != null) {
            tuner.access(id);
            duel.access(id);
        }
    }

    @Override
    public void scores(double[] out, int n, int t) {
        predictor.endWindow(t);
        int tracked = predictor.tracked();
        if (predicted.length < tracked) {
            predicted = new double[Math.max(tracked, predicted.length * 2)];
        }
        if (idOfSlot.length < tracked) {
            int old = idOfSlot.length;
            idOfSlot = Arrays.copyOf(idOfSlot, Math.max(tracked, old * 2));
            Arrays.fill(idOfSlot, old, idOfSlot.length, -1);
        }
        predictor.predictAll(t, predicted);
        Arrays.fill(out, 0, n, 0.0);
        for (int s = 0; s < tracked; s++) {
            int id = idOfSlot[s];
            if (id < 0) {
                id = resolve(predictor.extentAt(s), n);
                idOfSlot[s] = id;
            }
            if (id >= 0) {
                out[id] = predicted[s];
            }
        }
        if (!streams) {
            return;
        }
        if (tuner != null) {
            proposals = 0;
            predictor.frontier(t, maxProposals, (page, expected) -> {
                if (proposals == proposalIds.length) {
                    proposalIds = Arrays.copyOf(proposalIds, Math.max(64, proposals * 2));
                    proposalValues = Arrays.copyOf(proposalValues, proposalIds.length);
                }
                proposalIds[proposals] = resolve(page, n);
                proposalValues[proposals++] = expected;
            });
            if (trackedScores.length < n) {
                trackedScores = new double[n];
            }
            System.arraycopy(out, 0, trackedScores, 0, n);
            if (candidates[0].length < n) {
                candidates[0] = new double[n];
                candidates[1] = new double[n];
            }
            tuner.boundary(trackedScores, proposalIds, proposalValues, proposals, n, candidates[0]);
            frequencyScores(candidates[1], n, t);
            int k = duel.boundary(candidates, n);
            System.arraycopy(candidates[k], 0, out, 0, n);
            return;
        }
        predictor.frontier(t, maxProposals, (page, expected) -> {
            int id = resolve(page, n);
            if (id >= 0 && expected > out[id]) {
                out[id] = expected;
            }
        });
    }

    /** Long-memory frequency from the predictor's state: decayed count of windows with a read. */
    private void frequencyScores(double[] out, int n, int t) {
        Arrays.fill(out, 0, n, 0.0);
        int tracked = predictor.tracked();
        for (int s = 0; s < tracked; s++) {
            int id = idOfSlot[s];
            if (id >= 0 && id < n) {
                // the last access breaks ties (in windows, below one window's weight)
                out[id] = predictor.windowsAtSlot(s, t) + 1e-6 * predictor.lastAtSlot(s) / (t + 1.0);
            }
        }
    }

    private int resolve(long page, int n) {
        return resolve(trace, phantoms, page, n);
    }

    /** A page's id: the trace's own, else a phantom id after the trace's pages (-1 beyond {@code n}). */
    static int resolve(BlockTrace trace, LongIntOpenMap phantoms, long page, int n) {
        int id = trace.idOf(page);
        if (id >= 0) {
            return id;
        }
        int ph = trace.uniquePages() + phantoms.intern(page);
        return ph < n ? ph : -1;
    }
}
