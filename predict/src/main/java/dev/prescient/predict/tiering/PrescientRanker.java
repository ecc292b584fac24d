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

    public PrescientRanker(BlockTrace trace, int epochLength) {
        this(trace, epochLength, true);
    }

    /** @param streams false to leave out the sequential frontier (for the ablation row) */
    public PrescientRanker(BlockTrace trace, int epochLength, boolean streams) {
        this.streams = streams;
        this.trace = trace;
        this.predictor = new ExtentHeatPredictor(epochLength, trace.uniquePages() / 4 + 16);
        this.maxProposals = epochLength;
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
        predictor.frontier(t, maxProposals, (page, expected) -> {
            int id = resolve(page, n);
            if (id >= 0 && expected > out[id]) {
                out[id] = expected;
            }
        });
    }

    private int resolve(long page, int n) {
        int id = trace.idOf(page);
        if (id >= 0) {
            return id;
        }
        int ph = trace.uniquePages() + phantoms.intern(page);
        return ph < n ? ph : -1;
    }
}
