package dev.prescient.predict.harness;

import dev.prescient.predict.failure.BackblazeRule;
import dev.prescient.predict.failure.ClassifierMetrics;
import dev.prescient.predict.failure.FailurePredictor;
import dev.prescient.predict.failure.FeatureSchema;
import dev.prescient.predict.failure.GradientBoostedTrees;
import dev.prescient.predict.failure.LogisticBaseline;
import dev.prescient.predict.failure.SmartDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Harness section "Failure": Backblaze SMART files, split by drive (CRC32 of the serial number
 * into {@link #FOLDS} folds, so no drive is ever in both training and test), scores every drive
 * out of fold and compares the {@link FailurePredictor} with Backblaze's raw-SMART rule.
 *
 * <p>Run alone: {@code java -cp predict/target/classes dev.prescient.predict.harness.FailureSection
 * [dataDir | file.csv ...]}.
 */
public final class FailureSection {

    static final int FOLDS = 5;

    private FailureSection() {
    }

    public static void main(String[] args) {
        HarnessPaths.runSectionMain(args, FailureSection::run, FailureSection::runFiles);
    }

    public static void run(Path dataDir, PrintStream out) {
        Path dir = dataDir.resolve("backblaze_2019");
        out.println("== Failure prediction (Backblaze 2019 SMART, last day per drive) ==");
        List<Path> files = HarnessPaths.csvFilesOrSkip(dir, "backblaze_2019/*.csv", out);
        if (files.isEmpty()) {
            return;
        }
        runFiles(files, out);
    }

    static int fold(String serial) {
        CRC32 c = new CRC32();
        c.update(serial.getBytes(StandardCharsets.UTF_8));
        return (int) (c.getValue() % FOLDS);
    }

    /** Out-of-fold failure scores for every drive. */
    static double[] outOfFoldScores(SmartDataset d, int bags, GradientBoostedTrees.Params params) {
        FeatureSchema schema = new FeatureSchema(d.columns());
        double[] score = new double[d.size()];
        for (int k = 0; k < FOLDS; k++) {
            List<double[]> tx = new ArrayList<>();
            List<Integer> ty = new ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                if (fold(d.serials()[i]) != k) {
                    tx.add(d.rows()[i]);
                    ty.add(d.labels()[i]);
                }
            }
            FailurePredictor p = FailurePredictor.train(schema, tx.toArray(new double[0][]),
                    ty.stream().mapToInt(Integer::intValue).toArray(), bags, params, 17 + k);
            for (int i = 0; i < d.size(); i++) {
                if (fold(d.serials()[i]) == k) {
                    score[i] = p.score(d.rows()[i]);
                }
            }
        }
        return score;
    }

    /** Out-of-fold scores of the logistic baseline, same folds. */
    static double[] outOfFoldLogistic(SmartDataset d) {
        FeatureSchema schema = new FeatureSchema(d.columns());
        double[][] x = new double[d.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = schema.features(d.rows()[i]);
        }
        double[] score = new double[d.size()];
        for (int k = 0; k < FOLDS; k++) {
            List<double[]> tx = new ArrayList<>();
            List<Integer> ty = new ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                if (fold(d.serials()[i]) != k) {
                    tx.add(x[i]);
                    ty.add(d.labels()[i]);
                }
            }
            LogisticBaseline m = LogisticBaseline.fit(tx.toArray(new double[0][]),
                    ty.stream().mapToInt(Integer::intValue).toArray(), 1.0);
            for (int i = 0; i < d.size(); i++) {
                if (fold(d.serials()[i]) == k) {
                    score[i] = m.probability(x[i]);
                }
            }
        }
        return score;
    }

    public static void runFiles(List<Path> files, PrintStream out) {
        out.printf(Locale.ROOT, "date, serial_number, model, capacity dropped; %d-fold split by CRC32(serial),"
                + " every drive scored by the model that did not see it; model: %d bagged boosted-tree models%n",
                FOLDS, FailurePredictor.DEFAULT_BAGS);
        out.println("note: each failed row is the failure day itself, so this measures 'failing now', not lead time");
        for (Path f : files) {
            SmartDataset d;
            try {
                d = SmartDataset.readBackblazeCsv(f);
            } catch (IOException e) {
                out.println(f.getFileName() + ": unreadable (" + e.getMessage() + "), skipped");
                continue;
            }
            out.println();
            out.printf(Locale.ROOT, "-- %s: %d drives, %d failed, %d SMART columns --%n", f.getFileName(), d.size(),
                    d.failures(), d.columns().size());
            if (d.failures() < FOLDS || d.failures() == d.size()) {
                out.println("too few failures (or healthy drives) to evaluate, skipped");
                continue;
            }
            long t0 = System.nanoTime();
            double[] score = outOfFoldScores(d, FailurePredictor.DEFAULT_BAGS, GradientBoostedTrees.Params.defaults());
            double secs = (System.nanoTime() - t0) / 1e9;
            int[] y = d.labels();
            double auc = ClassifierMetrics.rocAuc(score, y);
            double r1 = ClassifierMetrics.recallAtFpr(score, y, 0.01);
            double[] ci = ClassifierMetrics.rocAucInterval(score, y, 200, 0.95, 5);
            out.printf(Locale.ROOT, "prescient: ROC AUC %.3f (95%% bootstrap %.3f-%.3f) [target >= 0.9: %s];"
                    + " recall at 1%% FPR %.1f%% (%d of %d failures; training+scoring %.1f s for %d folds)%n", auc,
                    ci[0], ci[1], auc >= 0.9 ? "MET" : "MISSED", r1 * 100, Math.round(r1 * d.failures()),
                    d.failures(), secs, FOLDS);
            double[] logit = outOfFoldLogistic(d);
            out.printf(Locale.ROOT, "logistic baseline (log1p + presence flags, L2): ROC AUC %.3f; recall at 1%% FPR"
                    + " %.1f%%%n", ClassifierMetrics.rocAuc(logit, y), ClassifierMetrics.recallAtFpr(logit, y, 0.01) * 100);
            double brier = 0;
            double base = (double) d.failures() / d.size();
            double brierBase = 0;
            for (int i = 0; i < y.length; i++) {
                brier += (score[i] - y[i]) * (score[i] - y[i]) / y.length;
                brierBase += (base - y[i]) * (base - y[i]) / y.length;
            }
            out.printf(Locale.ROOT, "probabilities: Brier %.5f vs %.5f for the constant base rate (skill %.1f%%)%n",
                    brier, brierBase, (1 - brier / brierBase) * 100);
            FailurePredictor full = FailurePredictor.train(new FeatureSchema(d.columns()), d.rows(), d.labels(),
                    FailurePredictor.DEFAULT_BAGS, GradientBoostedTrees.Params.defaults(), 1);
            out.printf(Locale.ROOT, "model state (all drives, %s): %d bytes serialised%n", full,
                    dev.prescient.predict.failure.FailureCodec.toBytes(full).length);
            BackblazeRule rule = new BackblazeRule(d.columns());
            if (rule.defined()) {
                compareWithRule("Backblaze rule (raw 5/187/188/197/198 > 0; " + rule.rawColumns()
                        + " of those raw columns present)", d, rule::flags, score, out);
            } else {
                out.println("Backblaze rule: UNDEFINED here (no raw columns; normalised values are vendor-scaled"
                        + " health, not counts, so 'raw > 0' has no meaning)");
                if (rule.proxyDefined()) {
                    compareWithRule("proxy of the rule (any normalised 5/187/188/197/198 < 100, i.e. below a fresh"
                            + " drive's value)", d, rule::normalisedProxy, score, out);
                }
            }
        }
    }

    private static void compareWithRule(String name, SmartDataset d, java.util.function.Predicate<double[]> rule,
            double[] score, PrintStream out) {
        boolean[] flagged = new boolean[d.size()];
        for (int i = 0; i < d.size(); i++) {
            flagged[i] = rule.test(d.rows()[i]);
        }
        double[] fr = ClassifierMetrics.fprAndRecall(flagged, d.labels());
        double modelRecall = ClassifierMetrics.recallAtFpr(score, d.labels(), fr[0]);
        out.printf(Locale.ROOT, "%s: FPR %.2f%%, recall %.1f%%%n", name, fr[0] * 100, fr[1] * 100);
        out.printf(Locale.ROOT, "prescient at the same FPR (%.2f%%): recall %.1f%% [target > rule's %.1f%%: %s]%n",
                fr[0] * 100, modelRecall * 100, fr[1] * 100, modelRecall > fr[1] ? "MET" : "MISSED");
    }
}
