package dev.prescient.predict.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prescient.predict.failure.BackblazeRule;
import dev.prescient.predict.failure.ClassifierMetrics;
import dev.prescient.predict.failure.SmartDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureSectionTest {

    private static String capture(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void absentDataPrintsAClearSkip(@TempDir Path empty) {
        assertThat(capture(o -> FailureSection.run(empty, o))).contains("SKIPPED").contains("backblaze_2019");
    }

    @Test
    void anyFileOfTheSameFormatIsEvaluatedWithMissingCells(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("drives.csv");
        StringBuilder sb = new StringBuilder("date,serial_number,model,capacity_bytes,failure,smart_5_raw,smart_9_raw,"
                + "smart_197_raw\n");
        Random r = new Random(4);
        for (int i = 0; i < 1500; i++) {
            boolean fail = i % 25 == 0;
            String realloc = i % 40 == 7 ? "" : String.valueOf(fail && r.nextBoolean() ? 8 + r.nextInt(100) : 0);
            // failures spread over the year, healthy drives recorded at its end, as in the real files
            String date = fail ? java.time.LocalDate.of(2019, 1, 1).plusDays(i / 5).toString() : "2019-12-31";
            sb.append(date).append(",S").append(i).append(",M,1,").append(fail ? 1 : 0).append(',').append(realloc)
                    .append(',').append(1000 + r.nextInt(40000)).append(',')
                    .append(fail && r.nextBoolean() ? r.nextInt(20) : 0).append('\n');
        }
        Files.writeString(f, sb);
        SmartDataset d = SmartDataset.readBackblazeCsv(f);
        assertThat(d.columns()).containsExactly("smart_5_raw", "smart_9_raw", "smart_197_raw");
        assertThat(d.rows()[7][0]).isNaN();
        String out = capture(o -> FailureSection.runFiles(List.of(f), o));
        assertThat(out).contains("time-ordered split", "Backblaze rule", "only N = 0", "without age")
                .contains("dropped as age-like: [smart_9_raw]").contains("NOT MEASURABLE");
    }

    @Test
    void innerFoldsSplitByDriveNotByRow() {
        assertThat(FailureSection.innerFold("ZA1234")).isEqualTo(FailureSection.innerFold("ZA1234"));
        long distinct = java.util.stream.IntStream.range(0, 200).map(i -> FailureSection.innerFold("S" + i))
                .distinct().count();
        assertThat(distinct).isEqualTo(FailureSection.INNER_FOLDS);
    }

    @Test
    void realBackblazeFilesParseWithTheDocumentedCountsAndRule() throws Exception {
        Optional<Path> data = PredictDataDir.find("backblaze_2019");
        assumeTrue(data.isPresent(), "shared data absent: ../shared/data/backblaze_2019 not found, skipping");
        Path raw = data.get().resolve("backblaze_2019/HGST_HMS5C4040BLE640_last_day_all_q_raw.csv");
        Path norm = data.get().resolve("backblaze_2019/ST4000DM000_last_day_all_q_normalised.csv");
        assumeTrue(Files.exists(raw) && Files.exists(norm), "Backblaze files absent");
        SmartDataset h = SmartDataset.readBackblazeCsv(raw);
        assertThat(h.size()).isEqualTo(14_606);
        assertThat(h.failures()).isEqualTo(57);
        assertThat(h.columns()).noneMatch(c -> c.contains("date") || c.contains("serial"));
        BackblazeRule rule = new BackblazeRule(h.columns());
        assertThat(rule.defined()).isTrue();
        boolean[] flagged = new boolean[h.size()];
        for (int i = 0; i < flagged.length; i++) {
            flagged[i] = rule.flags(h.rows()[i]);
        }
        double[] fr = ClassifierMetrics.fprAndRecall(flagged, h.labels());
        assertThat(fr[1]).isBetween(0.2, 0.6);
        SmartDataset s = SmartDataset.readBackblazeCsv(norm);
        assertThat(s.size()).isEqualTo(23_394);
        assertThat(s.failures()).isEqualTo(401);
        assertThat(new BackblazeRule(s.columns()).defined()).isFalse();
    }

    @Test
    void noTestRowReachesAModelAndTheThresholdComesFromTraining() {
        // 20 failed drives over the year, 400 healthy at its end; raw 5 is high on failed drives
        int n = 420;
        double[][] rows = new double[n][];
        int[] labels = new int[n];
        String[] serials = new String[n];
        int[] days = new int[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            boolean fail = i < 20;
            rows[i] = new double[] {fail && i % 2 == 0 ? 5 + r.nextInt(50) : (r.nextInt(50) == 0 ? 1 : 0),
                1000 + r.nextInt(5000)};
            labels[i] = fail ? 1 : 0;
            serials[i] = "D" + i;
            days[i] = fail ? 17_900 + i * 10 : 18_261;
        }
        SmartDataset d = new SmartDataset(List.of("smart_5_raw", "smart_9_raw"), rows, labels, serials, days);
        dev.prescient.predict.failure.DriveTimeline tl = new dev.prescient.predict.failure.DriveTimeline(d);
        dev.prescient.predict.failure.DriveTimeline.Split sp = tl.split(0.6, 0.5);
        java.util.Set<double[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        FailureSection.Candidate spy = new FailureSection.Candidate() {
            public String name() {
                return "spy";
            }

            public java.util.function.ToDoubleFunction<double[]> fit(dev.prescient.predict.failure.FeatureSchema s,
                    double[][] x, int[] y, long seed) {
                seen.addAll(List.of(x));
                return row -> row[0];
            }
        };
        FailureSection.Result res = FailureSection.evaluate("all", d, tl, sp, 0, List.of(spy));
        for (int i = 0; i < n; i++) {
            if (sp.testRow()[i]) {
                // by identity: AssertJ's contains would compare arrays by content
                assertThat(seen.contains(rows[i])).as("test row %d reached a model", i).isFalse();
            }
        }
        assertThat(seen).isNotEmpty();
        assertThat(res.chosen()).isEqualTo("spy");
        // the spy scores raw 5 itself, so at the rule's FPR it is the rule: same alerts on test
        assertThat(res.model()).containsExactly(res.rule());
    }

    @Test
    void theFeatureSetIsChosenOnTrainingRecallThenTrainingAuc() {
        FailureSection.Result a = result("without age", 0.50, 0.80);
        FailureSection.Result b = result("w/o age+peak", 0.50, 0.75);
        FailureSection.Result c = result("w/o age+growth", 0.40, 0.95);
        assertThat(FailureSection.chosenOnTraining(List.of(c, b, a))).containsSame(a);
        assertThat(FailureSection.chosenOnTraining(List.of(c, b))).containsSame(b);
        assertThat(FailureSection.chosenOnTraining(List.of())).isEmpty();
    }

    private static FailureSection.Result result(String features, double oofRecall, double oofAuc) {
        return new FailureSection.Result(features, 1, 10, 100, 0.5, 0.03, new double[] {0.03, 0.5},
                new double[] {0.03, 0.5}, 0.5, "logistic", oofRecall, oofAuc);
    }

    @Test
    void aPendingCountClearedBeforeTheFailureIsCaughtByTheRecentPeakNotByTheRule(@TempDir Path dir)
            throws Exception {
        // 40 drives fail over the year; 4 and 5 days before failing each reports 16 pending sectors,
        // cleared again from 3 days before: the rule (today's raw 197 > 0) misses the last 3 days.
        // 300 healthy drives recorded for the last 10 days of the year, every 25th with a steady 8.
        Path f = dir.resolve("daily.csv");
        StringBuilder sb = new StringBuilder("date,serial_number,model,capacity_bytes,failure,smart_5_raw,smart_9_raw,"
                + "smart_197_raw\n");
        Random r = new Random(11);
        java.time.LocalDate jan1 = java.time.LocalDate.of(2019, 1, 1);
        for (int i = 0; i < 340; i++) {
            boolean fails = i < 40;
            java.time.LocalDate last = fails ? jan1.plusDays(5 + 8L * i) : java.time.LocalDate.of(2019, 12, 31);
            int hours = 5000 + r.nextInt(20_000);
            for (int lead = 9; lead >= 0; lead--) {
                int pending = fails ? (lead == 4 || lead == 5 ? 16 : 0) : (i % 25 == 0 ? 8 : 0);
                sb.append(last.minusDays(lead)).append(",D").append(i).append(",M,1,").append(fails && lead == 0 ? 1 : 0)
                        .append(",0,").append(hours - 24 * lead).append(',').append(pending).append('\n');
            }
        }
        Files.writeString(f, sb);
        String out = capture(o -> FailureSection.runFiles(List.of(f), o));
        assertThat(out).contains("N = [0, 1, 7] measurable", "w/o age+peak", "feature set chosen on training data");
        // N = 1: the rule flags no test positive (all cleared); the peak features flag them all
        String peak1 = out.lines().filter(l -> l.trim().startsWith("w/o age+peak") && l.contains(" 1 ")).findFirst()
                .orElseThrow();
        assertThat(peak1).contains("/  0.0%").contains("/100.0%").contains("ahead");
        assertThat(out).contains("chosen            1   feature set chosen on training data: w/o age+peak");
        assertThat(out).contains("rows chosen on training data): MET");
    }
}
