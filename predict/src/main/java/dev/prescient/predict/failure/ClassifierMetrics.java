package dev.prescient.predict.failure;

import java.util.Arrays;

/** Ranking metrics for a binary scorer: ROC AUC and recall at a false-positive rate. */
public final class ClassifierMetrics {

    private ClassifierMetrics() {
    }

    /** ROC AUC with ties counted half (Mann-Whitney); NaN if one class is absent. */
    public static double rocAuc(double[] score, int[] label) {
        Integer[] idx = order(score);
        long pos = Arrays.stream(label).filter(l -> l == 1).count();
        long neg = label.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        double rankSum = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (label[idx[k]] == 1) {
                    rankSum += avgRank;
                }
            }
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * Recall when alerting on scores strictly above the threshold that lets at most {@code fpr}
     * of the negatives through (ties at the threshold are not alerted, the conservative choice).
     */
    public static double recallAtFpr(double[] score, int[] label, double fpr) {
        double[] neg = java.util.stream.IntStream.range(0, score.length).filter(i -> label[i] != 1)
                .mapToDouble(i -> score[i]).sorted().toArray();
        long pos = Arrays.stream(label).filter(l -> l == 1).count();
        if (pos == 0 || neg.length == 0) {
            return Double.NaN;
        }
        int allowed = (int) Math.floor(fpr * neg.length);
        // Threshold: the (allowed+1)-th highest negative score; alert strictly above it.
        double thr = neg[neg.length - 1 - Math.min(allowed, neg.length - 1)];
        long hit = 0;
        for (int i = 0; i < score.length; i++) {
            if (label[i] == 1 && score[i] > thr) {
                hit++;
            }
        }
        return (double) hit / pos;
    }

    /**
     * The operating threshold (alert when score &gt; threshold) that lets at most {@code fpr} of
     * the negatives through; meant to be chosen on training scores and then applied unchanged to
     * test scores. Ties at the threshold are not alerted.
     */
    public static double thresholdAtFpr(double[] score, int[] label, double fpr) {
        double[] neg = java.util.stream.IntStream.range(0, score.length).filter(i -> label[i] != 1)
                .mapToDouble(i -> score[i]).sorted().toArray();
        if (neg.length == 0) {
            throw new IllegalArgumentException("no negatives to set a threshold on");
        }
        int allowed = (int) Math.floor(Math.max(0, fpr) * neg.length);
        return neg[neg.length - 1 - Math.min(allowed, neg.length - 1)];
    }

    /** False-positive rate and recall when alerting on scores above a fixed threshold. */
    public static double[] fprAndRecall(double[] score, int[] label, double threshold) {
        boolean[] flagged = new boolean[score.length];
        for (int i = 0; i < score.length; i++) {
            flagged[i] = score[i] > threshold;
        }
        return fprAndRecall(flagged, label);
    }

    /** False-positive rate and recall of a fixed yes/no rule. */
    public static double[] fprAndRecall(boolean[] flagged, int[] label) {
        long tp = 0;
        long fp = 0;
        long pos = 0;
        long neg = 0;
        for (int i = 0; i < label.length; i++) {
            if (label[i] == 1) {
                pos++;
                tp += flagged[i] ? 1 : 0;
            } else {
                neg++;
                fp += flagged[i] ? 1 : 0;
            }
        }
        return new double[] {neg == 0 ? Double.NaN : (double) fp / neg, pos == 0 ? Double.NaN : (double) tp / pos};
    }

    /**
     * Percentile bootstrap interval of the ROC AUC, resampling positives and negatives
     * separately (so every resample has both classes). With a few dozen failures the AUC is
     * uncertain by several points; printing the interval keeps that visible.
     */
    public static double[] rocAucInterval(double[] score, int[] label, int resamples, double level, long seed) {
        int[] pos = java.util.stream.IntStream.range(0, label.length).filter(i -> label[i] == 1).toArray();
        int[] neg = java.util.stream.IntStream.range(0, label.length).filter(i -> label[i] != 1).toArray();
        if (pos.length == 0 || neg.length == 0 || resamples < 1) {
            return new double[] {Double.NaN, Double.NaN};
        }
        java.util.Random r = new java.util.Random(seed);
        double[] aucs = new double[resamples];
        double[] s = new double[label.length];
        int[] y = new int[label.length];
        for (int b = 0; b < resamples; b++) {
            int k = 0;
            for (int i = 0; i < pos.length; i++) {
                s[k] = score[pos[r.nextInt(pos.length)]];
                y[k++] = 1;
            }
            for (int i = 0; i < neg.length; i++) {
                s[k] = score[neg[r.nextInt(neg.length)]];
                y[k++] = 0;
            }
            aucs[b] = rocAuc(s, y);
        }
        Arrays.sort(aucs);
        double tail = (1 - level) / 2;
        return new double[] {aucs[(int) Math.floor(tail * (resamples - 1))],
            aucs[(int) Math.ceil((1 - tail) * (resamples - 1))]};
    }

    private static Integer[] order(double[] score) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
        return idx;
    }
}
