package dev.prescient.predict.harness;

import dev.prescient.predict.forecast.CapacityForecaster;
import dev.prescient.predict.forecast.Forecast;
import dev.prescient.predict.forecast.HoltWinters;
import dev.prescient.predict.forecast.SeasonalNaive;
import dev.prescient.predict.forecast.VolumeForecaster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Harness section "Forecasting": replays CloudPhysics half-hour feature snapshots
 * ({@code cloudphysics_features/snapshots/*.csv}) on a time split and compares the selected
 * {@link VolumeForecaster} with naive and seasonal-naive forecasts.
 *
 * <p>Run alone: {@code java -cp predict/target/classes dev.prescient.predict.harness.ForecastSection
 * [dataDir | file.csv ...]}.
 */
public final class ForecastSection {

    /** Series evaluated: column name and the label printed. */
    static final Map<String, String> SERIES = new LinkedHashMap<>();

    static {
        SERIES.put("page_working_set_size", "working set");
        SERIES.put("read_io_request_size_sum", "bytes read");
        SERIES.put("write_io_request_size_sum", "bytes written");
    }

    /** Share of each series used as history; the rest is the test period. */
    static final double HISTORY_SHARE = 0.6;
    static final int DAY = 48;
    static final int[] HORIZONS = {1, 12, 48};
    static final String[] HORIZON_LABELS = {"30 min", "6 h", "24 h"};
    static final long WINDOW_MICROS = 30L * 60 * 1_000_000;

    private ForecastSection() {
    }

    /**
     * {@code [--development] [dataDir | file.csv ...]}: with --development, the evaluation runs on
     * the history part of each series only (for choosing settings without the test windows).
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--development")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            HarnessPaths.runSectionMain(rest, (dir, out) -> {
                List<Path> files = HarnessPaths.csvFilesOrSkip(
                        dir.resolve("cloudphysics_features").resolve("snapshots"),
                        "cloudphysics_features/snapshots/*.csv", out);
                if (!files.isEmpty()) {
                    runFiles(files, out, true);
                }
            }, (files, out) -> runFiles(files, out, true));
            return;
        }
        HarnessPaths.runSectionMain(args, ForecastSection::run, ForecastSection::runFiles);
    }

    public static void run(Path dataDir, PrintStream out) {
        Path dir = dataDir.resolve("cloudphysics_features").resolve("snapshots");
        out.println("== Forecasting (CloudPhysics half-hour features) ==");
        List<Path> files = HarnessPaths.csvFilesOrSkip(dir, "cloudphysics_features/snapshots/*.csv", out);
        if (files.isEmpty()) {
            return;
        }
        runFiles(files, out);
    }

    /** Per-method accumulators for one series type and horizon. */
    static final class Acc {
        final List<Double> mase = new ArrayList<>();
        final List<Double> mape = new ArrayList<>();
        long covered;
        long intervals;
        int idle;
    }

    /** Largest serialised model state seen, for the report. */
    private static int maxStateBytes;

    public static void runFiles(List<Path> files, PrintStream out) {
        runFiles(files, out, false);
    }

    /**
     * @param development true to evaluate on the history part of each series only (its first
     *                    {@link #HISTORY_SHARE}, split again the same way): for choosing model
     *                    settings without looking at any test window
     */
    public static void runFiles(List<Path> files, PrintStream out, boolean development) {
        maxStateBytes = 0;
        if (development) {
            out.println("DEVELOPMENT SPLIT: each series cut to its history part; none of the test windows is read");
        }
        out.printf(Locale.ROOT, "time split: first %.0f%% of each series is history (model selection inside it),"
                + " last %.0f%% is test; forecasts from every test origin; MASE scaled by the in-sample"
                + " seasonal-naive (m=%d) MAE; 90%% intervals%n", HISTORY_SHARE * 100, (1 - HISTORY_SHARE) * 100, DAY);
        // type -> method -> horizon -> acc
        Map<String, Map<String, Acc[]>> acc = new LinkedHashMap<>();
        out.printf(Locale.ROOT, "%-20s %-13s %4s %4s  %s%n", "workload", "series", "hist", "test",
                "per horizon: MASE of naive, snaive, hw, prescient, then prescient's 90% coverage; below, the"
                        + " models prescient averages per horizon range (at the end of the test)");
        // All series first: each metric's forecasters are trained as a group (trainPooled; with
        // POOLED_OWN_WEIGHT = 1 each series is chosen on its own evidence, as in production today).
        List<String[]> names = new ArrayList<>();
        List<double[]> series = new ArrayList<>();
        for (Path f : files) {
            Table t;
            try {
                t = Table.read(f);
            } catch (IOException | RuntimeException e) {
                out.println("  " + f.getFileName() + ": unreadable (" + e.getMessage() + "), skipped");
                continue;
            }
            for (Map.Entry<String, String> s : SERIES.entrySet()) {
                double[] y = t.regularSeries(s.getKey());
                if (y == null) {
                    out.println("  " + f.getFileName() + ": no column " + s.getKey());
                    continue;
                }
                if (development) {
                    y = java.util.Arrays.copyOf(y, (int) Math.floor(y.length * HISTORY_SHARE));
                }
                int hist = (int) Math.floor(y.length * HISTORY_SHARE);
                if (hist < 2 * DAY || y.length - hist <= HORIZONS[HORIZONS.length - 1]) {
                    out.printf(Locale.ROOT, "%-22s %-14s too short (%d windows), skipped%n", f.getFileName(),
                            s.getValue(), y.length);
                    continue;
                }
                names.add(new String[] {f.getFileName().toString(), s.getValue()});
                series.add(y);
            }
        }
        VolumeForecaster[] models = new VolumeForecaster[series.size()];
        for (String type : SERIES.values()) {
            List<Integer> group = new ArrayList<>();
            List<double[]> histories = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                if (names.get(i)[1].equals(type)) {
                    group.add(i);
                    double[] y = series.get(i);
                    histories.add(java.util.Arrays.copyOf(y, (int) Math.floor(y.length * HISTORY_SHARE)));
                }
            }
            List<VolumeForecaster> trained = VolumeForecaster.trainPooled(histories,
                    VolumeForecaster.Config.halfHourly(), VolumeForecaster.Kind.LOAD, VolumeForecaster.POOLED_OWN_WEIGHT);
            for (int j = 0; j < group.size(); j++) {
                models[group.get(j)] = trained.get(j);
            }
        }
        for (int i = 0; i < series.size(); i++) {
            evaluate(names.get(i)[0], names.get(i)[1], series.get(i), models[i], acc, out);
        }
        out.println();
        for (Map.Entry<String, Map<String, Acc[]>> e : acc.entrySet()) {
            Acc[] pa = e.getValue().get("prescient");
            out.println("-- " + e.getKey() + " (mean MASE over " + pa[0].mase.size() + " workloads; " + pa[0].idle
                    + " idle series reported above and left out of the means) --");
            out.printf(Locale.ROOT, "%-8s %-11s %8s %8s %9s%n", "horizon", "method", "MASE", "MAPE%", "cover90");
            for (int k = 0; k < HORIZONS.length; k++) {
                for (String m : e.getValue().keySet()) {
                    Acc a = e.getValue().get(m)[k];
                    out.printf(Locale.ROOT, "%-8s %-11s %8.3f %8.1f %9s%n", HORIZON_LABELS[k], m, mean(a.mase),
                            mean(a.mape) * 100, a.intervals == 0 ? "-"
                                    : String.format(Locale.ROOT, "%.1f%%", 100.0 * a.covered / a.intervals));
                }
                double p = mean(pa[k].mase);
                double bestNaive = Math.min(mean(e.getValue().get("naive")[k].mase),
                        mean(e.getValue().get("snaive")[k].mase));
                double hwMase = mean(e.getValue().get("hw")[k].mase);
                double cover = pa[k].intervals == 0 ? Double.NaN : (double) pa[k].covered / pa[k].intervals;
                double ratio = p / bestNaive;
                out.printf(Locale.ROOT, "         prescient / best naive baseline: %.2fx [target < 0.8x: %s];"
                        + " / hw: %.2fx; coverage %.1f%% [target 85-95%%: %s]%n", ratio,
                        ratio < 0.8 ? "MET" : "MISSED by " + String.format(Locale.ROOT, "%.2fx", ratio - 0.8),
                        p / hwMase, cover * 100, cover >= 0.85 && cover <= 0.95 ? "MET" : "MISSED");
            }
        }
        out.printf(Locale.ROOT, "model state: at most %d bytes per series (ForecasterCodec, incl. %d-error"
                + " calibration windows per horizon)%n", maxStateBytes, VolumeForecaster.Config.halfHourly().window());
        out.println("prescient = VolumeForecaster (load candidates); capacity = CapacityForecaster (growth"
                + " candidates), shown for the working set it is meant for.");
        out.println("MAPE is printed as asked but is dominated by windows with near-zero actuals (idle writes,"
                + " tiny working sets), where any absolute error is thousands of percent; MASE is the fair"
                + " comparison.");
    }

    /** Method names in column order; "capacity" only for the working set. */
    static final String[] BASELINES = {"naive", "snaive", "hw"};

    private static void evaluate(String workload, String type, double[] y, VolumeForecaster model,
            Map<String, Map<String, Acc[]>> acc, PrintStream out) {
        int hist = (int) Math.floor(y.length * HISTORY_SHARE);
        int maxH = HORIZONS[HORIZONS.length - 1];
        double[] history = java.util.Arrays.copyOf(y, hist);
        // The capacity model (growth candidates) is judged on the working set, its main input.
        CapacityForecaster capacity = type.equals("working set")
                ? CapacityForecaster.train(history, VolumeForecaster.Config.halfHourly()) : null;
        SeasonalNaive naive = SeasonalNaive.naive();
        SeasonalNaive snaive = new SeasonalNaive(DAY, false);
        for (double v : history) {
            naive.observe(v);
            snaive.observe(v);
        }
        // additive Holt-Winters with a daily season, fitted on the history only: the ETS(A,N,A) baseline
        HoltWinters hw = HoltWinters.fit(history, DAY, false);
        double scale = 0;
        int n = 0;
        for (int t = DAY; t < hist; t++) {
            if (!Double.isNaN(y[t]) && !Double.isNaN(y[t - DAY])) {
                scale += Math.abs(y[t] - y[t - DAY]);
                n++;
            }
        }
        scale = n == 0 ? Double.NaN : scale / n;
        String[] names = capacity == null ? new String[] {"naive", "snaive", "hw", "prescient"}
                : new String[] {"naive", "snaive", "hw", "prescient", "capacity"};
        final int pm = 3;
        int methods = names.length;
        int k = HORIZONS.length;
        double[][] absErr = new double[methods][k];
        double[][] apeSum = new double[methods][k];
        int[][] cnt = new int[methods][k];
        int[][] apeCnt = new int[methods][k];
        long[][] covered = new long[methods][k];
        long[][] intervals = new long[methods][k];
        for (int origin = hist; origin < y.length; origin++) {
            // Forecasts made after observing y[0..origin-1].
            Forecast[] f = new Forecast[methods];
            f[pm] = model.forecast(maxH);
            if (capacity != null) {
                f[pm + 1] = capacity.forecast(maxH);
            }
            double[][] paths = new double[methods][];
            paths[0] = naive.forecast(maxH);
            paths[1] = snaive.forecast(maxH);
            paths[2] = hw.forecast(maxH);
            for (int m = pm; m < methods; m++) {
                paths[m] = f[m].point();
            }
            for (int j = 0; j < k; j++) {
                int h = HORIZONS[j];
                int target = origin + h - 1;
                if (target >= y.length || Double.isNaN(y[target])) {
                    continue;
                }
                double actual = y[target];
                for (int m = 0; m < methods; m++) {
                    double e = Math.abs(actual - paths[m][h - 1]);
                    absErr[m][j] += e;
                    cnt[m][j]++;
                    if (actual != 0) {
                        apeSum[m][j] += e / Math.abs(actual);
                        apeCnt[m][j]++;
                    }
                    if (f[m] != null) {
                        // a forecast without an interval counts as one that missed, not as absent
                        intervals[m][j]++;
                        if (!Double.isNaN(f[m].lower(h)) && actual >= f[m].lower(h) && actual <= f[m].upper(h)) {
                            covered[m][j]++;
                        }
                    }
                }
            }
            model.observe(y[origin]);
            if (capacity != null) {
                capacity.observe(y[origin]);
            }
            naive.observe(y[origin]);
            snaive.observe(y[origin]);
            hw.observe(y[origin]);
        }
        maxStateBytes = Math.max(maxStateBytes, dev.prescient.predict.forecast.ForecasterCodec.toBytes(model).length);
        boolean idle = !(scale > 0);
        StringBuilder detail = new StringBuilder();
        for (int j = 0; j < k; j++) {
            detail.append(String.format(Locale.ROOT, "  %-6s", HORIZON_LABELS[j]));
            for (int m = 0; m <= pm; m++) {
                double v = absErr[m][j] / cnt[m][j];
                detail.append(idle ? String.format(Locale.ROOT, " %.3g", v)
                        : String.format(Locale.ROOT, " %.2f", v / scale));
            }
            detail.append(intervals[pm][j] == 0 ? " -"
                    : String.format(Locale.ROOT, " %3.0f%%", 100.0 * covered[pm][j] / intervals[pm][j]));
        }
        out.printf(Locale.ROOT, "%-20s %-13s %4d %4d %s%s%n%-20s %-13s %4s %4s  %s%n", workload, type, hist,
                y.length - hist, detail, idle ? "  IDLE: constant in history, MAE shown, left out of the MASE means"
                        : "", "", "", "", "", model.modelName());
        Map<String, Acc[]> byMethod = acc.computeIfAbsent(type, x -> new LinkedHashMap<>());
        for (int m = 0; m < methods; m++) {
            Acc[] a = byMethod.computeIfAbsent(names[m], x -> {
                Acc[] arr = new Acc[HORIZONS.length];
                for (int i = 0; i < arr.length; i++) {
                    arr[i] = new Acc();
                }
                return arr;
            });
            for (int j = 0; j < k; j++) {
                if (cnt[m][j] > 0 && !idle) {
                    a[j].mase.add(absErr[m][j] / cnt[m][j] / scale);
                }
                if (idle) {
                    a[j].idle++;
                }
                if (apeCnt[m][j] > 0) {
                    a[j].mape.add(apeSum[m][j] / apeCnt[m][j]);
                }
                a[j].covered += covered[m][j];
                a[j].intervals += intervals[m][j];
            }
        }
    }

    static double mean(List<Double> v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return v.isEmpty() ? Double.NaN : s / v.size();
    }

    /** A CloudPhysics snapshot CSV: header row, numeric cells, {@code ts} in microseconds. */
    static final class Table {
        final List<String> header;
        final List<double[]> rows;

        private Table(List<String> header, List<double[]> rows) {
            this.header = header;
            this.rows = rows;
        }

        static Table read(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty()) {
                throw new IOException("empty file");
            }
            List<String> header = List.of(lines.get(0).split(",", -1));
            List<double[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                double[] r = new double[header.size()];
                for (int c = 0; c < r.length; c++) {
                    r[c] = c < cells.length ? parse(cells[c]) : Double.NaN;
                }
                rows.add(r);
            }
            return new Table(header, rows);
        }

        private static double parse(String s) {
            if (s.isEmpty()) {
                return Double.NaN;
            }
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        /**
         * The column as a series on a 30-minute grid by {@code ts}; missing windows become NaN.
         * Null when the column is absent.
         */
        double[] regularSeries(String column) {
            int c = header.indexOf(column);
            int ts = header.indexOf("ts");
            if (c < 0) {
                return null;
            }
            if (ts < 0 || rows.isEmpty()) {
                return rows.stream().mapToDouble(r -> r[c]).toArray();
            }
            List<double[]> sorted = new ArrayList<>(rows);
            sorted.sort((a, b) -> Double.compare(a[ts], b[ts]));
            double t0 = sorted.get(0)[ts];
            int last = (int) Math.round((sorted.get(sorted.size() - 1)[ts] - t0) / WINDOW_MICROS);
            double[] y = new double[last + 1];
            java.util.Arrays.fill(y, Double.NaN);
            for (double[] r : sorted) {
                int i = (int) Math.round((r[ts] - t0) / WINDOW_MICROS);
                y[i] = r[c];
            }
            return y;
        }
    }
}
