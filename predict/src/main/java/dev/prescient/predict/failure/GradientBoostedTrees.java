package dev.prescient.predict.failure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Binary gradient-boosted regression trees with the logistic loss (Newton leaf values), learned
 * on per-feature quantile histograms. Missing values (NaN) are first-class: every split learns
 * which side they go to, so a drive that does not report an attribute is neither imputed nor
 * dropped. Trees keep raw-value thresholds, so a fitted model needs no binning state and new
 * trees can be boosted on later data ({@link #boost}) — the online path.
 *
 * <p>Own implementation rather than a library: the model is ~300 lines, has no transitive
 * dependencies, serialises to a few kilobytes in our own versioned format, and can continue
 * boosting from its current state, which library models in this Maven Central do not all offer.
 */
public final class GradientBoostedTrees {

    /**
     * @param rounds          trees per call to {@link #boost}
     * @param depth           maximum tree depth
     * @param learningRate    shrinkage of each tree
     * @param lambda          L2 penalty on leaf values
     * @param minChildHessian minimum sum of p(1-p) in a child; with rare failures this must be
     *                        small or no split can isolate them
     * @param bins            maximum histogram bins per feature
     * @param rowSample       share of rows sampled per tree (stochastic boosting)
     */
    public record Params(int rounds, int depth, double learningRate, double lambda, double minChildHessian,
            int bins, double rowSample) {
        public Params {
            if (rounds < 0 || depth < 1 || depth > 12 || !(learningRate > 0) || lambda < 0 || minChildHessian < 0
                    || bins < 2 || bins > 255 || !(rowSample > 0 && rowSample <= 1)) {
                throw new IllegalArgumentException("invalid boosting parameters");
            }
        }

        public static Params defaults() {
            return new Params(100, 3, 0.1, 1.0, 0.05, 64, 0.8);
        }
    }

    /** One tree in flat arrays; feature < 0 marks a leaf. */
    static final class Tree {
        final int[] feature;
        final double[] threshold;
        final boolean[] missingLeft;
        final int[] left;
        final int[] right;
        final double[] value;

        Tree(int[] feature, double[] threshold, boolean[] missingLeft, int[] left, int[] right, double[] value) {
            this.feature = feature;
            this.threshold = threshold;
            this.missingLeft = missingLeft;
            this.left = left;
            this.right = right;
            this.value = value;
        }

        double predict(double[] x) {
            int n = 0;
            while (feature[n] >= 0) {
                double v = feature[n] < x.length ? x[feature[n]] : Double.NaN;
                boolean goLeft = Double.isNaN(v) ? missingLeft[n] : v <= threshold[n];
                n = goLeft ? left[n] : right[n];
            }
            return value[n];
        }
    }

    private final int features;
    private double bias;
    private final List<Tree> trees = new ArrayList<>();

    public GradientBoostedTrees(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("need at least one feature");
        }
        this.features = features;
    }

    public int features() {
        return features;
    }

    public int trees() {
        return trees.size();
    }

    /** Log-odds of failure for one feature vector. */
    public double margin(double[] x) {
        double s = bias;
        for (Tree t : trees) {
            s += t.predict(x);
        }
        return s;
    }

    public double probability(double[] x) {
        return 1 / (1 + Math.exp(-margin(x)));
    }

    /**
     * Fits a fresh model: bias at the smoothed base rate, then {@code params.rounds()} trees.
     * Labels are 0/1; an all-one-class set gives a bias-only model.
     */
    public static GradientBoostedTrees fit(double[][] x, int[] y, Params params, long seed) {
        if (x.length == 0) {
            throw new IllegalArgumentException("no training rows");
        }
        GradientBoostedTrees m = new GradientBoostedTrees(x[0].length);
        long pos = Arrays.stream(y).filter(v -> v == 1).count();
        // Add-one smoothing keeps the bias finite with zero failures in the data.
        double rate = (pos + 0.5) / (y.length + 1.0);
        m.bias = Math.log(rate / (1 - rate));
        m.boost(x, y, params, seed);
        return m;
    }

    /** Adds {@code params.rounds()} trees fitted to the current model's errors on (x, y). */
    public void boost(double[][] x, int[] y, Params params, long seed) {
        int n = x.length;
        if (n == 0 || params.rounds() == 0) {
            return;
        }
        for (double[] row : x) {
            if (row.length != features) {
                throw new IllegalArgumentException("row has " + row.length + " features, model " + features);
            }
        }
        double[][] cuts = new double[features][];
        byte[][] bin = new byte[features][n];
        for (int f = 0; f < features; f++) {
            cuts[f] = cuts(x, f, params.bins());
            for (int i = 0; i < n; i++) {
                bin[f][i] = (byte) binOf(cuts[f], x[i][f]);
            }
        }
        double[] score = new double[n];
        for (int i = 0; i < n; i++) {
            score[i] = margin(x[i]);
        }
        double[] g = new double[n];
        double[] h = new double[n];
        Random rnd = new Random(seed);
        for (int r = 0; r < params.rounds(); r++) {
            for (int i = 0; i < n; i++) {
                double p = 1 / (1 + Math.exp(-score[i]));
                g[i] = p - y[i];
                h[i] = Math.max(p * (1 - p), 1e-12);
            }
            int[] rows = sample(n, params.rowSample(), rnd);
            Tree t = new TreeBuilder(bin, cuts, g, h, params).build(rows);
            trees.add(t);
            for (int i = 0; i < n; i++) {
                score[i] += t.predict(x[i]);
            }
        }
    }

    private static int[] sample(int n, double share, Random rnd) {
        if (share >= 1) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] pick = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < share) {
                pick[k++] = i;
            }
        }
        return Arrays.copyOf(pick, Math.max(k, 1));
    }

    /** Distinct quantile cut points of the finite values of feature {@code f}. */
    static double[] cuts(double[][] x, int f, int bins) {
        double[] v = new double[x.length];
        int n = 0;
        for (double[] row : x) {
            if (!Double.isNaN(row[f])) {
                v[n++] = row[f];
            }
        }
        if (n == 0) {
            return new double[0];
        }
        v = Arrays.copyOf(v, n);
        Arrays.sort(v);
        int max = bins - 2; // bin 0 = missing, last bin = above the last cut
        double[] c = new double[max];
        int k = 0;
        for (int q = 1; q <= max; q++) {
            double val = v[Math.min(n - 1, (int) ((long) q * n / (max + 1)))];
            if (k == 0 || val > c[k - 1]) {
                c[k++] = val;
            }
        }
        // Values below the first cut and rare extremes still separate: always cut at the minimum.
        if (k == 0 || v[0] < c[0]) {
            double[] withMin = new double[Math.min(max, k + 1)];
            withMin[0] = v[0];
            System.arraycopy(c, 0, withMin, 1, withMin.length - 1);
            return withMin;
        }
        return Arrays.copyOf(c, k);
    }

    /** 0 for NaN, else 1 + the index of the first cut >= v (cuts.length + 1 above all cuts). */
    static int binOf(double[] cuts, double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        int lo = 0;
        int hi = cuts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cuts[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo + 1;
    }

    /** Grows one tree depth-first over histogram bins. */
    private static final class TreeBuilder {
        final byte[][] bin;
        final double[][] cuts;
        final double[] g;
        final double[] h;
        final Params p;
        final List<int[]> nodesF = new ArrayList<>();
        final List<Double> thr = new ArrayList<>();
        final List<Boolean> missL = new ArrayList<>();
        final List<Integer> lefts = new ArrayList<>();
        final List<Integer> rights = new ArrayList<>();
        final List<Double> values = new ArrayList<>();

        TreeBuilder(byte[][] bin, double[][] cuts, double[] g, double[] h, Params p) {
            this.bin = bin;
            this.cuts = cuts;
            this.g = g;
            this.h = h;
            this.p = p;
        }

        Tree build(int[] rows) {
            grow(rows, rows.length, 0);
            int n = values.size();
            int[] f = new int[n];
            double[] t = new double[n];
            boolean[] ml = new boolean[n];
            int[] l = new int[n];
            int[] r = new int[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                f[i] = nodesF.get(i)[0];
                t[i] = thr.get(i);
                ml[i] = missL.get(i);
                l[i] = lefts.get(i);
                r[i] = rights.get(i);
                v[i] = values.get(i);
            }
            return new Tree(f, t, ml, l, r, v);
        }

        private int newNode() {
            nodesF.add(new int[] {-1});
            thr.add(0.0);
            missL.add(false);
            lefts.add(-1);
            rights.add(-1);
            values.add(0.0);
            return values.size() - 1;
        }

        /** Grows the subtree for rows[0..n) and returns its node index. */
        private int grow(int[] rows, int n, int depth) {
            int node = newNode();
            double gs = 0;
            double hs = 0;
            for (int i = 0; i < n; i++) {
                gs += g[rows[i]];
                hs += h[rows[i]];
            }
            values.set(node, -gs / (hs + p.lambda()) * p.learningRate());
            if (depth >= p.depth() || n < 2) {
                return node;
            }
            double parent = gs * gs / (hs + p.lambda());
            double bestGain = 1e-9;
            int bestF = -1;
            int bestK = -1;
            boolean bestMissLeft = false;
            for (int f = 0; f < bin.length; f++) {
                int nb = cuts[f].length + 2;
                double[] gh = new double[nb];
                double[] hh = new double[nb];
                byte[] bf = bin[f];
                for (int i = 0; i < n; i++) {
                    int b = bf[rows[i]] & 0xff;
                    gh[b] += g[rows[i]];
                    hh[b] += h[rows[i]];
                }
                double gl = 0;
                double hl = 0;
                for (int k = 1; k < nb - 1; k++) {
                    gl += gh[k];
                    hl += hh[k];
                    for (int side = 0; side < 2; side++) {
                        if (side == 1 && hh[0] == 0) {
                            break; // no missing values here: both orientations are the same split
                        }
                        boolean missLeft = side == 0;
                        double gL = gl + (missLeft ? gh[0] : 0);
                        double hL = hl + (missLeft ? hh[0] : 0);
                        double gR = gs - gL;
                        double hR = hs - hL;
                        if (hL < p.minChildHessian() || hR < p.minChildHessian()) {
                            continue;
                        }
                        double gain = gL * gL / (hL + p.lambda()) + gR * gR / (hR + p.lambda()) - parent;
                        if (gain > bestGain) {
                            bestGain = gain;
                            bestF = f;
                            bestK = k;
                            bestMissLeft = missLeft;
                        }
                    }
                }
            }
            if (bestF < 0) {
                return node;
            }
            // Partition rows in place: left part first.
            int[] leftRows = new int[n];
            int[] rightRows = new int[n];
            int nl = 0;
            int nr = 0;
            byte[] bf = bin[bestF];
            for (int i = 0; i < n; i++) {
                int b = bf[rows[i]] & 0xff;
                boolean goLeft = b == 0 ? bestMissLeft : b <= bestK;
                if (goLeft) {
                    leftRows[nl++] = rows[i];
                } else {
                    rightRows[nr++] = rows[i];
                }
            }
            nodesF.get(node)[0] = bestF;
            thr.set(node, cuts[bestF][bestK - 1]);
            missL.set(node, bestMissLeft);
            int l = grow(leftRows, nl, depth + 1);
            int r = grow(rightRows, nr, depth + 1);
            lefts.set(node, l);
            rights.set(node, r);
            return node;
        }
    }

    void writeState(DataOutput out) throws IOException {
        out.writeInt(features);
        out.writeDouble(bias);
        out.writeInt(trees.size());
        for (Tree t : trees) {
            out.writeShort(t.value.length);
            for (int i = 0; i < t.value.length; i++) {
                out.writeShort(t.feature[i]);
                if (t.feature[i] >= 0) {
                    out.writeDouble(t.threshold[i]);
                    out.writeBoolean(t.missingLeft[i]);
                    out.writeShort(t.left[i]);
                    out.writeShort(t.right[i]);
                } else {
                    out.writeFloat((float) t.value[i]);
                }
            }
        }
    }

    static GradientBoostedTrees readState(DataInput in) throws IOException {
        int features = in.readInt();
        if (features < 1 || features > 100_000) {
            throw new FailureModelException("corrupt tree model: " + features + " features");
        }
        GradientBoostedTrees m = new GradientBoostedTrees(features);
        m.bias = in.readDouble();
        int count = in.readInt();
        if (count < 0 || count > 1_000_000) {
            throw new FailureModelException("corrupt tree model: " + count + " trees");
        }
        for (int k = 0; k < count; k++) {
            int n = in.readShort();
            if (n < 1) {
                throw new FailureModelException("corrupt tree: empty");
            }
            int[] f = new int[n];
            double[] t = new double[n];
            boolean[] ml = new boolean[n];
            int[] l = new int[n];
            int[] r = new int[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                f[i] = in.readShort();
                if (f[i] >= features) {
                    throw new FailureModelException("corrupt tree: feature " + f[i]);
                }
                if (f[i] >= 0) {
                    t[i] = in.readDouble();
                    ml[i] = in.readBoolean();
                    l[i] = in.readShort();
                    r[i] = in.readShort();
                    // Children come after their parent in depth-first order: no cycles.
                    if (l[i] <= i || l[i] >= n || r[i] <= i || r[i] >= n) {
                        throw new FailureModelException("corrupt tree: child index");
                    }
                } else {
                    v[i] = in.readFloat();
                }
            }
            m.trees.add(new Tree(f, t, ml, l, r, v));
        }
        return m;
    }
}
