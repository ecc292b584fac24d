package dev.prescient.predict.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecastSectionTest {

    private static String capture(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void absentDataPrintsAClearSkip(@TempDir Path empty) {
        String out = capture(o -> ForecastSection.run(empty, o));
        assertThat(out).contains("SKIPPED").contains("cloudphysics_features");
    }

    @Test
    void parsesTheSnapshotGridAndFindsGaps(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.csv");
        long w = ForecastSection.WINDOW_MICROS;
        Files.writeString(f, "index,ts,page_working_set_size\n0," + w + ",10\n1," + 2 * w + ",20\n2," + 4 * w
                + ",40\n");
        double[] y = ForecastSection.Table.read(f).regularSeries("page_working_set_size");
        assertThat(y).hasSize(4);
        assertThat(y[0]).isEqualTo(10);
        assertThat(y[2]).isNaN();
        assertThat(y[3]).isEqualTo(40);
        assertThat(ForecastSection.Table.read(f).regularSeries("absent")).isNull();
    }

    @Test
    void realCloudPhysicsSnapshotsProduceTheTables() {
        Optional<Path> data = PredictDataDir.find("cloudphysics_features/snapshots");
        assumeTrue(data.isPresent(), "shared data absent: ../shared/data/cloudphysics_features/snapshots not found,"
                + " skipping the real-data forecasting check");
        Path w01 = data.get().resolve("cloudphysics_features/snapshots/block_snap_w01.csv");
        assumeTrue(Files.exists(w01), "block_snap_w01.csv absent");
        String out = capture(o -> ForecastSection.runFiles(List.of(w01), o));
        assertThat(out).contains("-- working set (mean MASE over 1 workloads; 0 idle series", "-- bytes read", "-- bytes written",
                "30 min", "6 h", "24 h", "cover90", "hw", "best naive baseline");
        assertThat(out).doesNotContain("NaN");
    }

    @Test
    void developmentSplitReadsOnlyTheHistoryPart(@TempDir Path dir) throws Exception {
        // 10 days of a daily pattern whose last 40% (the test part) is 1000x larger: the
        // development run must never see those values, the normal run must
        Path f = dir.resolve("w.csv");
        long w = ForecastSection.WINDOW_MICROS;
        int n = 480;
        StringBuilder sb = new StringBuilder("ts,page_working_set_size,read_io_request_size_sum,write_io_request_size_sum\n");
        for (int i = 0; i < n; i++) {
            double base = 100 + 50 * Math.sin(2 * Math.PI * i / 48) + (i % 7);
            double v = i >= n * ForecastSection.HISTORY_SHARE ? base * 1000 : base;
            sb.append((i + 1) * w).append(',').append(v).append(',').append(v).append(',').append(v).append('\n');
        }
        Files.writeString(f, sb.toString());
        String dev = capture(o -> ForecastSection.runFiles(List.of(f), o, true));
        String full = capture(o -> ForecastSection.runFiles(List.of(f), o, false));
        assertThat(dev).contains("DEVELOPMENT SPLIT").contains(" 172  116 ");
        assertThat(full).doesNotContain("DEVELOPMENT SPLIT").contains(" 288  192 ");
    }

    @Test
    void anIdleSeriesIsReportedNotSilentlyDropped(@TempDir Path dir) throws Exception {
        // writes are zero throughout: MASE has no scale, so the row must say IDLE with its MAE
        // and the summary must count it, while reads and the working set are evaluated as usual
        Path f = dir.resolve("idle.csv");
        long w = ForecastSection.WINDOW_MICROS;
        StringBuilder sb = new StringBuilder("ts,page_working_set_size,read_io_request_size_sum,write_io_request_size_sum\n");
        for (int i = 0; i < 480; i++) {
            double base = 100 + 50 * Math.sin(2 * Math.PI * i / 48) + (i % 7);
            sb.append((i + 1) * w).append(',').append(base).append(',').append(base).append(",0\n");
        }
        Files.writeString(f, sb.toString());
        String out = capture(o -> ForecastSection.runFiles(List.of(f), o));
        assertThat(out).contains("bytes written").contains("IDLE: constant in history")
                .contains("-- bytes written (mean MASE over 0 workloads; 1 idle series reported above")
                .contains("-- bytes read (mean MASE over 1 workloads; 0 idle series");
    }
}
