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
}
