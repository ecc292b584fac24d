package dev.prescient.predict.harness;

import dev.prescient.predict.failure.BackblazeRule;
import dev.prescient.predict.failure.ClassifierMetrics;
import dev.prescient.predict.failure.DriveTimeline;
import dev.prescient.predict.failure.FailurePredictor;
import dev.prescient.predict.failure.FeatureSchema;
import dev.prescient.predict.failure.GradientBoostedTrees;
import dev.prescient.predict.failure.LogisticBaseline;
import dev.prescient.predict.failure.SmartDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.zip.CRC32;

/**
 * Harness section "Failure": Backblaze SMART files, judged the way a deployment would meet them.
 *
 * <ul>
 * <li>Time order: drives that failed earlier train, later ones test ({@link DriveTimeline}).</li>
 * <li>Horizons "fails within N days" for N = 0, 1, 7, 30, as far as the file's histories reach;
 *     for N &gt;= 1 no test positive is the failure day itself.</li>
 * <li>Every figure with all attributes and without the age-like ones ({@link FeatureSchema#AGE_LIKE}).</li>
 * <li>The operating threshold is fixed on training data only: on out-of-fold training scores, at
 *     the Backblaze rule's training false-positive rate; test FPR and recall are then measured
 *     for model and rule alike.</li>
 * </ul>
 *
 * <p>Run alone: {@code java -cp predict/target/classes dev.prescient.predict.harness.FailureSection
 * [dataDir | file.csv ...]}.
 */
public final class FailureSection {

    /** Folds inside the training drives, only to score them out of fold for the threshold. */
    static final int INNER_FOLDS = 3;
    /** Share of failed drives (earliest first) that train. */
    static final double TRAIN_SHARE = 0.6;
    /** Share of the healthy drives still running at the cutoff that train (by serial hash). */
    static final double HEALTHY_TRAIN_SHARE = 0.5;
    static final int[] HORIZONS = {0, 1, 7, 30};
    /**
     * Days before a row whose records its recent-peak features see. Chosen on the training drives
     * only (lookbacks 1-9 days: at 3 days the peaks of the rule's counters flag 11 training
     * positive rows within 7 days of failure that the rule misses, for 3 healthy rows; longer
     * lookbacks add about 1 positive for each healthy row). A short lookback also keeps the
     * file's 10-day window from truncating most healthy drives' history.
     */
    static final int PEAK_LOOKBACK_DAYS = 3;

    private FailureSection() {
    }

    public static void main(String[] args) {
        HarnessPaths.runSectionMain(args, FailureSection::run, FailureSection::runFiles);
    }

    public static void run(Path dataDir, PrintStream out) {
        Path dir = dataDir.resolve("backblaze_2019");
        out.println("== Failure prediction (Backblaze 2019 SMART) ==");
        List<Path> files = HarnessPaths.csvFilesOrSkip(dir, "backblaze_2019/*.csv", out);
        if (files.isEmpty()) {
            return;
        }
        runFiles(files, out);
    }

    /** Inner fold of a training drive; salted so it is independent of the healthy-drive split. */
    static int innerFold(String serial) {
        CRC32 c = new CRC32();
        c.update(("inner:" + serial).getBytes(StandardCharsets.UTF_8));
        return (int) (c.getValue() % INNER_FOLDS);
    }

    /** One row of the table. */
    record Result(String features, int horizon, int testPos, int testNeg, double auc, double trainRuleFpr,
            double[] rule, double[] model, double recallAtRuleTestFpr, String chosen, double oofRecall,
            double oofAuc) {

        /** Ahead: no less recall at no higher FPR, one of them strictly better; behind: the mirror. */
        String verdict() {
            int recall = Double.compare(model[1], rule[1]);
            int fpr = Double.compare(rule[0], model[0]);
            if (recall == 0 && fpr == 0) {
                return "even";
            }
            if (recall >= 0 && fpr >= 0) {
                return "ahead";
            }
            if (recall <= 0 && fpr <= 0) {
                return "behind";
            }
            return "trade-off";
        }

        /** The goal: recall strictly above the rule's at no higher FPR. */
        boolean beatsRule() {
            return model[1] > rule[1] && model[0] <= rule[0];
        }
    }

    /** A model family the section may choose on training data. */
    interface Candidate {
        String name();

        java.util.function.ToDoubleFunction<double[]> fit(FeatureSchema schema, double[][] rows, int[] y, long seed);
    }

    /**
     * The candidates: the shipped boosted trees, a shallower and shorter version (few failures
     * to learn from), and an L2 logistic model. The one with the highest out-of-fold training
     * recall at the rule's training FPR is used; no test row takes part in the choice.
     */
    static List<Candidate> candidates(int bags, GradientBoostedTrees.Params params) {
        GradientBoostedTrees.Params shallow = new GradientBoostedTrees.Params(40, 2, params.learningRate(),
                params.lambda() * 4, params.minChildHessian(), params.bins(), params.rowSample());
        return List.of(trees("trees", bags, params), trees("shallow trees", bags, shallow), new Candidate() {
            public String name() {
                return "logistic";
            }

            public java.util.function.ToDoubleFunction<double[]> fit(FeatureSchema schema, double[][] rows, int[] y,
                    long seed) {
                double[][] x = new double[rows.length][];
                for (int i = 0; i < x.length; i++) {
                    x[i] = schema.features(rows[i]);
                }
                LogisticBaseline m = LogisticBaseline.fit(x, y, 1.0);
                return r -> m.probability(schema.features(r));
            }
        });
    }

    private static Candidate trees(String name, int bags, GradientBoostedTrees.Params params) {
        return new Candidate() {
            public String name() {
                return name;
            }

            public java.util.function.ToDoubleFunction<double[]> fit(FeatureSchema schema, double[][] rows, int[] y,
                    long seed) {
                return FailurePredictor.train(schema, rows, y, bags, params, seed)::score;
            }
        };
    }

    static Result evaluate(String features, SmartDataset d, DriveTimeline tl, DriveTimeline.Split sp, int horizon,
            int bags, GradientBoostedTrees.Params params) {
        return evaluate(features, d, tl, sp, horizon, candidates(bags, params));
    }

    static Result evaluate(String features, SmartDataset d, DriveTimeline tl, DriveTimeline.Split sp, int horizon,
            List<Candidate> candidates) {
        Predicate<double[]> rule = rule(d.columns());
        int[] trainRows = tl.rows(sp.trainRow(), horizon, 0);
        int[] testRows = tl.rows(sp.testRow(), horizon, horizon == 0 ? 0 : 1);
        SmartDataset train = d.select(trainRows);
        SmartDataset test = d.select(testRows);
        int[] ytr = tl.labels(trainRows);
        int[] yte = tl.labels(testRows);
        double trainRuleFpr = ClassifierMetrics.fprAndRecall(flags(train, rule), ytr)[0];
        FeatureSchema schema = new FeatureSchema(d.columns());
        Candidate best = null;
        double[] bestOof = null;
        double bestRecall = -1;
        double bestAuc = -1;
        for (Candidate c : candidates) {
            double[] oof = outOfFold(c, schema, train, ytr);
            double thr = ClassifierMetrics.thresholdAtFpr(oof, ytr, trainRuleFpr);
            double recall = ClassifierMetrics.fprAndRecall(oof, ytr, thr)[1];
            double auc = ClassifierMetrics.rocAuc(oof, ytr);
            if (recall > bestRecall || (recall == bestRecall && auc > bestAuc)) {
                best = c;
                bestOof = oof;
                bestRecall = recall;
                bestAuc = auc;
            }
        }
        // fixed before any test score exists: the rule's training FPR, on out-of-fold training scores
        double threshold = ClassifierMetrics.thresholdAtFpr(bestOof, ytr, trainRuleFpr);
        java.util.function.ToDoubleFunction<double[]> full = best.fit(schema, train.rows(), ytr, 7);
        double[] score = new double[testRows.length];
        for (int i = 0; i < score.length; i++) {
            score[i] = full.applyAsDouble(test.rows()[i]);
        }
        double[] ruleTest = ClassifierMetrics.fprAndRecall(flags(test, rule), yte);
        int pos = java.util.Arrays.stream(yte).sum();
        return new Result(features, horizon, pos, yte.length - pos, ClassifierMetrics.rocAuc(score, yte),
                trainRuleFpr, ruleTest, ClassifierMetrics.fprAndRecall(score, yte, threshold),
                ClassifierMetrics.recallAtFpr(score, yte, ruleTest[0]), best.name(), bestRecall, bestAuc);
    }

    /** Scores of the training rows, each by a model fitted on the other inner folds (split by drive). */
    private static double[] outOfFold(Candidate c, FeatureSchema schema, SmartDataset train, int[] ytr) {
        double[] oof = new double[ytr.length];
        for (int k = 0; k < INNER_FOLDS; k++) {
            List<double[]> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            for (int i = 0; i < ytr.length; i++) {
                if (innerFold(train.serials()[i]) != k) {
                    x.add(train.rows()[i]);
                    y.add(ytr[i]);
                }
            }
            java.util.function.ToDoubleFunction<double[]> p = c.fit(schema, x.toArray(new double[0][]),
                    y.stream().mapToInt(Integer::intValue).toArray(), 31 + k);
            for (int i = 0; i < ytr.length; i++) {
                if (innerFold(train.serials()[i]) == k) {
                    oof[i] = p.applyAsDouble(train.rows()[i]);
                }
            }
        }
        return oof;
    }

    /** The rule on these columns (none of its attributes is age-like, so both feature sets have it). */
    static Predicate<double[]> rule(List<String> columns) {
        BackblazeRule r = new BackblazeRule(columns);
        return r.defined() ? r::flags : r::normalisedProxy;
    }

    private static boolean[] flags(SmartDataset d, Predicate<double[]> rule) {
        boolean[] f = new boolean[d.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = rule.test(d.rows()[i]);
        }
        return f;
    }

    public static void runFiles(List<Path> files, PrintStream out) {
        out.printf(Locale.ROOT, "model: %d bagged boosted-tree models; date, serial, model, capacity are never"
                + " features; threshold fixed on out-of-fold training scores (%d folds by drive) at the rule's"
                + " training FPR%n", FailurePredictor.DEFAULT_BAGS, INNER_FOLDS);
        for (Path f : files) {
            SmartDataset d;
            try {
                d = SmartDataset.readBackblazeCsv(f);
            } catch (IOException e) {
                out.println(f.getFileName() + ": unreadable (" + e.getMessage() + "), skipped");
                continue;
            }
            out.println();
            runOne(f.getFileName().toString(), d, out);
        }
    }

    static void runOne(String name, SmartDataset d, PrintStream out) {
        DriveTimeline tl;
        try {
            tl = new DriveTimeline(d);
        } catch (IllegalArgumentException e) {
            out.printf("-- %s: %s, skipped --%n", name, e.getMessage());
            return;
        }
        int maxLead = tl.supportedLead();
        out.printf(Locale.ROOT, "-- %s: %d rows, %d drives, %d failed, %d SMART columns; lead time reached by half"
                + " the failed drives: %d days (longest: %d) --%n", name, d.size(), tl.drives(), tl.failedDrives(),
                d.columns().size(), maxLead, tl.maxLead());
        if (tl.failedDrives() < 2 * INNER_FOLDS || tl.failedDrives() == tl.drives()) {
            out.println("too few failed (or healthy) drives for a time-ordered evaluation, skipped");
            return;
        }
        BackblazeRule rule = new BackblazeRule(d.columns());
        String ruleName;
        if (rule.defined()) {
            ruleName = "Backblaze rule (raw 5/187/188/197/198 > 0; " + rule.rawColumns() + " of those present)";
        } else if (rule.proxyDefined()) {
            ruleName = "proxy of the Backblaze rule (normalised 5/187/188/197/198 < 100; the rule itself needs raw"
                    + " counters)";
        } else {
            out.println("no attribute of the Backblaze rule in this file, skipped");
            return;
        }
        DriveTimeline.Split sp = tl.split(TRAIN_SHARE, HEALTHY_TRAIN_SHARE);
        out.printf(Locale.ROOT, "time-ordered split: drives failing before %s train (%d), from it on test (%d);"
                + " healthy drives retired before it train, those running at it split by serial hash%n",
                LocalDate.ofEpochDay(sp.cutoffDay()), sp.trainFailures(), sp.testFailures());
        List<Integer> horizons = new ArrayList<>();
        for (int h : HORIZONS) {
            if (h <= maxLead) {
                horizons.add(h);
            }
        }
        if (maxLead == 0) {
            out.println("lead time: one record per drive, a failed drive's record is its failure day: only N = 0"
                    + " ('failing now') is measurable; N = 1, 7, 30 need daily histories, absent here");
        } else {
            out.printf("lead time: histories of half the failed drives reach %d days before failure: N = %s measurable; test positives for"
                    + " N >= 1 are rows 1..N days before the failure (the failure day excluded); longer N need"
                    + " longer histories%n", maxLead, horizons);
        }
        out.println("baseline: " + ruleName + "; FPR and recall per row (per drive-day in daily histories)");
        out.printf("  %-15s %3s %11s %6s %16s %17s %20s %13s  %-10s %s%n", "features", "N", "test pos/neg", "AUC",
                "rule FPR/recall", "model FPR/recall", "(threshold fixed on", "model recall", "verdict",
                "model chosen on training data (its out-of-fold training recall at the rule's training FPR)");
        out.printf("  %-15s %3s %11s %6s %16s %17s %20s %13s%n", "", "", "", "", "on test", "on test",
                "train at FPR)", "at rule's FPR");
        SmartDataset noAge = d.withoutIds(FeatureSchema.AGE_LIKE);
        // with daily histories, how fast the rule's counters rise over the drive's earlier records
        List<String> sets = new ArrayList<>(List.of("all", "without age"));
        List<SmartDataset> data = new ArrayList<>(List.of(d, noAge));
        if (maxLead > 0) {
            sets.add("w/o age+growth");
            data.add(noAge.withGrowth(FeatureSchema.CRITICAL));
            sets.add("w/o age+peak");
            data.add(noAge.withRecentPeak(FeatureSchema.CRITICAL, PEAK_LOOKBACK_DAYS));
        }
        List<Result> results = new ArrayList<>();
        List<Result> chosenRows = new ArrayList<>();
        for (int h : horizons) {
            List<Result> ageFree = new ArrayList<>();
            for (int fs = 0; fs < sets.size(); fs++) {
                SmartDataset ds = data.get(fs);
                if (ds.columns().isEmpty()) {
                    continue;
                }
                Result r = evaluate(sets.get(fs), ds, tl, sp, h, FailurePredictor.DEFAULT_BAGS,
                        GradientBoostedTrees.Params.defaults());
                results.add(r);
                if (!r.features().equals("all")) {
                    ageFree.add(r);
                }
                out.printf(Locale.ROOT, "  %-15s %3d %5d/%-5d %6.3f %7.2f%%/%5.1f%% %8.2f%%/%5.1f%% %19.2f%% %12.1f%%"
                        + "  %-10s %s%n", r.features(), h, r.testPos(), r.testNeg(), r.auc(), r.rule()[0] * 100,
                        r.rule()[1] * 100, r.model()[0] * 100, r.model()[1] * 100, r.trainRuleFpr() * 100,
                        r.recallAtRuleTestFpr() * 100, r.verdict(), String.format(Locale.ROOT, "%s (%.1f%%)",
                        r.chosen(), r.oofRecall() * 100));
            }
            // the age-free feature set is chosen like the model: on out-of-fold training scores only
            chosenOnTraining(ageFree).ifPresent(c -> {
                chosenRows.add(c);
                out.printf(Locale.ROOT, "  %-15s %3d   feature set chosen on training data: %s (out-of-fold training"
                        + " recall %.1f%% at the rule's training FPR, AUC %.3f); its test row: %s%n", "chosen",
                        c.horizon(), c.features(), c.oofRecall() * 100, c.oofAuc(), c.verdict());
            });
        }
        out.printf("  dropped as age-like: %s%n", d.columns().stream()
                .filter(c -> FeatureSchema.AGE_LIKE.contains(FeatureSchema.id(c))).toList());
        printAgeProxies(d, tl, sp, out);
        if (maxLead > 0) {
            out.println("  growth: rise of raw 5/187/188/197/198 since the drive's earliest record in the file (earlier"
                    + " records only)");
        }
        if (maxLead > 0) {
            out.printf("  peak: largest raw 5/187/188/197/198 of the drive on the row's day and the %d days before"
                    + " (earlier records only)%n", PEAK_LOOKBACK_DAYS);
        }
        // judged on the rows whose feature set and model were chosen on training data, at every
        // horizon with lead time: picking the best-looking test row would be choosing on test
        List<Result> goals = chosenRows.stream().filter(r -> r.horizon() >= 1).toList();
        if (goals.isEmpty()) {
            out.println("  goal (recall above the rule's at its FPR, with lead time, without age): NOT MEASURABLE"
                    + " on this file (no lead time)");
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Result g : goals) {
            sb.append(String.format(Locale.ROOT, "; N = %d %s (%s, %s: model %.1f%% at FPR %.2f%% vs rule %.1f%% at"
                    + " %.2f%%)", g.horizon(), g.beatsRule() ? "met" : "missed", g.features(), g.chosen(),
                    g.model()[1] * 100, g.model()[0] * 100, g.rule()[1] * 100, g.rule()[0] * 100));
        }
        out.printf("  goal (recall above the rule's at its FPR, with lead time, without age; rows chosen on training"
                + " data): %s%s%n", goals.stream().allMatch(Result::beatsRule) ? "MET" : "MISSED", sb);
    }

    /** The age-free row with the best out-of-fold training recall at the rule's training FPR (ties: AUC). */
    static java.util.Optional<Result> chosenOnTraining(List<Result> ageFree) {
        return ageFree.stream().max(java.util.Comparator.comparingDouble(Result::oofRecall)
                .thenComparingDouble(Result::oofAuc));
    }

    /** How well each age-like attribute alone separates the test rows: a leak, not a prediction. */
    private static void printAgeProxies(SmartDataset d, DriveTimeline tl, DriveTimeline.Split sp, PrintStream out) {
        int[] rows = tl.rows(sp.testRow(), 0, 0);
        int[] y = tl.labels(rows);
        StringBuilder sb = new StringBuilder("  age-like attributes alone on the test rows (N = 0), AUC read in"
                + " the better direction:");
        for (int c = 0; c < d.columns().size(); c++) {
            if (!FeatureSchema.AGE_LIKE.contains(FeatureSchema.id(d.columns().get(c)))) {
                continue;
            }
            double[] s = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                double v = d.rows()[rows[i]][c];
                s[i] = Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
            }
            double auc = ClassifierMetrics.rocAuc(s, y);
            sb.append(String.format(Locale.ROOT, " %s %.3f", d.columns().get(c), Math.max(auc, 1 - auc)));
        }
        out.println(sb);
    }
}
