package dev.prescient.predict.tiering;

import dev.prescient.predict.common.LongIntOpenMap;
import dev.prescient.predict.heat.ExtentHeatPredictor;

import java.util.Arrays;

/**
 * Gives any tiering heuristic the stream frontier that the Prescient row has, so the two can be
 * compared with the same read-ahead: the frontier proposals of an {@link ExtentHeatPredictor}
 * fed the same accesses, blended by a {@link FrontierWeightTuner} of the same capacity and budget.
 *
 * <p>The tuner blends on the heat model's scale (expected accesses), and a heuristic's scores
 * have none. So the heuristic supplies only the order of the pages it has seen: its k-th ranked
 * page gets the heat model's k-th largest prediction (quantile mapping), and the frontier is
 * weighed against that exactly as in the Prescient row. Only the order of seen pages differs.
 */
public final class FrontierRanker implements TierRanker {
    private final TierRanker inner;
    private final BlockTrace trace;
    private final ExtentHeatPredictor predictor;
    private final FrontierWeightTuner tuner;
    private final int maxProposals;
    private final LongIntOpenMap phantoms = new LongIntOpenMap(1024);
    private double[] innerScores = new double[0];
    private double[] mapped = new double[0];
    private double[] predicted = new double[0];
    private long[] order = new long[0];
    private int[] proposalIds = new int[64];
    private double[] proposalValues = new double[64];
    private int proposals;

    public FrontierRanker(TierRanker inner, BlockTrace trace, int epochLength, int capacity, int budget) {
        this.inner = inner;
        this.trace = trace;
        // the same predictor settings as PrescientRanker
        this.predictor = new ExtentHeatPredictor(epochLength, trace.uniquePages() / 4 + 16);
        this.tuner = new FrontierWeightTuner(capacity, budget, TieringSimulator.universe(trace));
        this.maxProposals = epochLength;
    }

    @Override
    public String name() {
        return inner.name() + " + frontier";
    }

    @Override
    public void access(int id, int t) {
        inner.access(id, t);
        predictor.record(trace.page(id), t);
        tuner.access(id);
    }

    @Override
    public void scores(double[] out, int n, int t) {
        if (innerScores.length < n) {
            innerScores = new double[n];
            mapped = new double[n];
            order = new long[n];
        }
        inner.scores(innerScores, n, t);
        predictor.endWindow(t);
        int tracked = predictor.tracked();
        if (predicted.length < tracked) {
            predicted = new double[Math.max(tracked, predicted.length * 2)];
        }
        predictor.predictAll(t, predicted);
        double[] scale = Arrays.copyOf(predicted, tracked);
        Arrays.sort(scale); // ascending: the k-th largest is scale[tracked - 1 - k]
        // order the heuristic's seen pages by its score: float bits of a non-negative score sort
        // like the score, the id rides in the low half
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (innerScores[i] > 0) {
                order[m++] = ((long) Float.floatToIntBits((float) innerScores[i]) << 32) | i;
            }
        }
        Arrays.sort(order, 0, m);
        Arrays.fill(mapped, 0, n, 0.0);
        for (int k = 0; k < m && k < tracked; k++) {
            int id = (int) order[m - 1 - k];
            mapped[id] = scale[tracked - 1 - k];
        }
        proposals = 0;
        predictor.frontier(t, maxProposals, (page, expected) -> {
            if (proposals == proposalIds.length) {
                proposalIds = Arrays.copyOf(proposalIds, proposals * 2);
                proposalValues = Arrays.copyOf(proposalValues, proposals * 2);
            }
            proposalIds[proposals] = resolve(page, n);
            proposalValues[proposals++] = expected;
        });
        tuner.boundary(mapped, proposalIds, proposalValues, proposals, n, out);
    }

    private int resolve(long page, int n) {
        return PrescientRanker.resolve(trace, phantoms, page, n);
    }
}
