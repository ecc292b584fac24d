package dev.prescient.predict.failure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Failure predictor for devices: a small bag of {@link GradientBoostedTrees} over
 * {@link FeatureSchema} features, each trained on a bootstrap resample of the drives.
 *
 * <p>Online learning: {@link #observe} keeps the latest labelled samples in a bounded buffer
 * and {@link #update} boosts a few more trees on it in every bag, so the model follows drift
 * (new firmware, new failure modes) without a full retrain. State round-trips through
 * {@link FailureCodec}.
 */
public final class FailurePredictor {

    /** Bootstrap bags; three keep training cheap and still gives a usable spread. */
    public static final int DEFAULT_BAGS = 3;
    /** Labelled samples kept for online updates. */
    static final int BUFFER = 50_000;
    static final int UPDATE_ROUNDS = 10;

    private final FeatureSchema schema;
    private final GradientBoostedTrees.Params params;
    private final List<GradientBoostedTrees> bags;
    private final java.util.ArrayDeque<double[]> bufferX = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Integer> bufferY = new java.util.ArrayDeque<>();
    private long updates;

    FailurePredictor(FeatureSchema schema, GradientBoostedTrees.Params params, List<GradientBoostedTrees> bags,
            long updates) {
        this.schema = schema;
        this.params = params;
        this.bags = bags;
        this.updates = updates;
    }

    /**
     * Trains on SMART rows (columns in {@code schema} order, NaN = missing). With no rows the
     * model is bias-only at a prior failure rate and every drive scores the same.
     */
    public static FailurePredictor train(FeatureSchema schema, double[][] rows, int[] labels, int bags,
            GradientBoostedTrees.Params params, long seed) {
        if (rows.length != labels.length) {
            throw new IllegalArgumentException("rows and labels differ in length");
        }
        if (bags < 1) {
            throw new IllegalArgumentException("need at least one bag");
        }
        double[][] x = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            x[i] = schema.features(rows[i]);
        }
        List<GradientBoostedTrees> models = new ArrayList<>();
        Random rnd = new Random(seed);
        for (int b = 0; b < bags; b++) {
            if (x.length == 0) {
                models.add(GradientBoostedTrees.fit(new double[][] {new double[schema.size()]}, new int[] {0},
                        new GradientBoostedTrees.Params(0, 1, 0.1, 1, 0, 2, 1), seed));
                continue;
            }
            int[] idx = bags == 1 ? identity(x.length) : bootstrap(labels, rnd);
            double[][] bx = new double[idx.length][];
            int[] by = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                bx[i] = x[idx[i]];
                by[i] = labels[idx[i]];
            }
            models.add(GradientBoostedTrees.fit(bx, by, params, rnd.nextLong()));
        }
        return new FailurePredictor(schema, params, models, 0);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Bootstrap stratified by label, so every bag sees failures when there are any. */
    private static int[] bootstrap(int[] labels, Random rnd) {
        int[] pos = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == 1).toArray();
        int[] neg = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != 1).toArray();
        int[] out = new int[labels.length];
        int k = 0;
        for (int[] group : new int[][] {pos, neg}) {
            for (int i = 0; i < group.length; i++) {
                out[k++] = group[rnd.nextInt(group.length)];
            }
        }
        return out;
    }

    public FeatureSchema schema() {
        return schema;
    }

    GradientBoostedTrees.Params params() {
        return params;
    }

    List<GradientBoostedTrees> bags() {
        return bags;
    }

    long updates() {
        return updates;
    }

    /** Failure probability for one SMART row (schema column order, NaN = missing). */
    public FailurePrediction predict(double[] row) {
        double[] f = schema.features(row);
        double[] p = new double[bags.size()];
        for (int b = 0; b < p.length; b++) {
            p[b] = bags.get(b).probability(f);
        }
        return FailurePrediction.of(p);
    }

    /** Mean probability only: the ranking score used for ROC curves. */
    public double score(double[] row) {
        return predict(row).probability();
    }

    /** Buffers a labelled outcome (a drive failed, or was confirmed healthy) for {@link #update}. */
    public void observe(double[] row, boolean failed) {
        bufferX.add(schema.features(row));
        bufferY.add(failed ? 1 : 0);
        if (bufferX.size() > BUFFER) {
            bufferX.removeFirst();
            bufferY.removeFirst();
        }
    }

    public int buffered() {
        return bufferX.size();
    }

    /**
     * Boosts {@link #UPDATE_ROUNDS} more trees in every bag on the buffered samples and clears
     * the buffer. No-op on an empty buffer.
     */
    public void update() {
        if (bufferX.isEmpty()) {
            return;
        }
        double[][] x = bufferX.toArray(new double[0][]);
        int[] y = bufferY.stream().mapToInt(Integer::intValue).toArray();
        GradientBoostedTrees.Params p = new GradientBoostedTrees.Params(UPDATE_ROUNDS, params.depth(),
                params.learningRate(), params.lambda(), params.minChildHessian(), params.bins(), params.rowSample());
        for (int b = 0; b < bags.size(); b++) {
            bags.get(b).boost(x, y, p, updates * 31 + b);
        }
        updates++;
        bufferX.clear();
        bufferY.clear();
    }

    @Override
    public String toString() {
        return "FailurePredictor" + Arrays.asList(bags.size() + " bags", bags.get(0).trees() + " trees each");
    }
}
