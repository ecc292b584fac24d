package dev.prescient.predict.failure;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drive records: SMART columns ({@code smart_<id>_raw|normalized}), a 0/1 failure label, the
 * serial number and the record's day. Serial and day are never features: they are kept only to
 * split by drive and by time, and to derive lead times in files with daily histories (the date
 * leaks the label in the last-day files). {@code model} and {@code capacity_bytes} are dropped
 * (constant per file). {@code days} holds epoch days, {@link #NO_DATE} where the file has none.
 */
public record SmartDataset(List<String> columns, double[][] rows, int[] labels, String[] serials, int[] days) {

    public static final int NO_DATE = Integer.MIN_VALUE;

    /** The same records without the SMART attributes whose ids are in {@code ids}. */
    public SmartDataset withoutIds(java.util.Set<Integer> ids) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (!ids.contains(FeatureSchema.id(columns.get(i)))) {
                keep.add(i);
            }
        }
        double[][] r = new double[rows.length][keep.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < keep.size(); k++) {
                r[i][k] = rows[i][keep.get(k)];
            }
        }
        return new SmartDataset(keep.stream().map(columns::get).toList(), r, labels, serials, days);
    }

    /**
     * Adds, for each raw column whose id is in {@code ids}, a column {@code smart_<id>_growth}:
     * the counter's rise since the same drive's earliest record in the file, using only records
     * dated no later than the row (so a row never sees its drive's future). Zero for a drive's
     * first record; NaN where either value is missing.
     */
    public SmartDataset withGrowth(java.util.Set<Integer> ids) {
        List<Integer> src = new ArrayList<>();
        List<String> names = new ArrayList<>(columns);
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            if (c.endsWith("_raw") && ids.contains(FeatureSchema.id(c))) {
                src.add(i);
                names.add("smart_" + FeatureSchema.id(c) + "_growth");
            }
        }
        java.util.Map<String, Integer> first = new java.util.HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            Integer f = first.get(serials[i]);
            if (f == null || days[i] < days[f]) {
                first.put(serials[i], i);
            }
        }
        double[][] r = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            r[i] = java.util.Arrays.copyOf(rows[i], names.size());
            double[] base = rows[first.get(serials[i])];
            for (int k = 0; k < src.size(); k++) {
                r[i][columns.size() + k] = rows[i][src.get(k)] - base[src.get(k)];
            }
        }
        return new SmartDataset(List.copyOf(names), r, labels, serials, days);
    }

    /**
     * Adds, for each raw column whose id is in {@code ids}, a column {@code smart_<id>_peak}: the
     * largest value the same drive reported on the row's day and the {@code lookbackDays} days
     * before it (never a later record). A pending-sector count that a drive reported on Monday and
     * cleared by Wednesday is gone from Wednesday's row, and from the rule's view; the peak keeps
     * it for the lookback. Missing values are skipped; NaN when the window holds none.
     */
    public SmartDataset withRecentPeak(java.util.Set<Integer> ids, int lookbackDays) {
        if (lookbackDays < 0) {
            throw new IllegalArgumentException("lookback must be at least 0 days: " + lookbackDays);
        }
        List<Integer> src = new ArrayList<>();
        List<String> names = new ArrayList<>(columns);
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            if (c.endsWith("_raw") && ids.contains(FeatureSchema.id(c))) {
                src.add(i);
                names.add("smart_" + FeatureSchema.id(c) + "_peak");
            }
        }
        java.util.Map<String, List<Integer>> byDrive = new java.util.HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            byDrive.computeIfAbsent(serials[i], k -> new ArrayList<>()).add(i);
        }
        double[][] r = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            r[i] = java.util.Arrays.copyOf(rows[i], names.size());
            for (int k = 0; k < src.size(); k++) {
                double peak = Double.NaN;
                for (int j : byDrive.get(serials[i])) {
                    double v = rows[j][src.get(k)];
                    if (days[j] <= days[i] && days[j] >= days[i] - lookbackDays && !Double.isNaN(v)) {
                        peak = Double.isNaN(peak) ? v : Math.max(peak, v);
                    }
                }
                r[i][columns.size() + k] = peak;
            }
        }
        return new SmartDataset(List.copyOf(names), r, labels, serials, days);
    }

    /** The records at the given positions, in that order. */
    public SmartDataset select(int[] idx) {
        double[][] r = new double[idx.length][];
        int[] l = new int[idx.length];
        String[] s = new String[idx.length];
        int[] d = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            r[i] = rows[idx[i]];
            l[i] = labels[idx[i]];
            s[i] = serials[idx[i]];
            d[i] = days[idx[i]];
        }
        return new SmartDataset(columns, r, l, s, d);
    }

    public int size() {
        return rows.length;
    }

    public int failures() {
        int n = 0;
        for (int l : labels) {
            n += l;
        }
        return n;
    }

    public static SmartDataset readBackblazeCsv(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String head = r.readLine();
            if (head == null) {
                throw new IOException(file + ": empty file");
            }
            String[] h = head.split(",", -1);
            int failure = -1;
            int serial = -1;
            int date = -1;
            List<Integer> smart = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < h.length; i++) {
                String c = h[i].trim();
                if (c.equals("failure")) {
                    failure = i;
                } else if (c.equals("serial_number")) {
                    serial = i;
                } else if (c.equals("date")) {
                    date = i;
                } else if (c.matches("smart_\\d+_(raw|normalized)")) {
                    smart.add(i);
                    names.add(c);
                }
            }
            if (failure < 0 || smart.isEmpty()) {
                throw new IOException(file + ": not a Backblaze SMART file (needs failure and smart_* columns)");
            }
            List<double[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            List<String> serials = new ArrayList<>();
            List<Integer> days = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                double[] row = new double[smart.size()];
                for (int k = 0; k < row.length; k++) {
                    int c = smart.get(k);
                    row[k] = c < cells.length ? parse(cells[c]) : Double.NaN;
                }
                String lab = failure < cells.length ? cells[failure].trim() : "";
                if (!lab.equals("0") && !lab.equals("1")) {
                    continue; // unlabelled rows cannot be used for training or scoring
                }
                rows.add(row);
                labels.add(lab.equals("1") ? 1 : 0);
                serials.add(serial >= 0 && serial < cells.length ? cells[serial] : "row" + rows.size());
                days.add(date >= 0 && date < cells.length ? day(cells[date]) : NO_DATE);
            }
            return new SmartDataset(List.copyOf(names), rows.toArray(new double[0][]),
                    labels.stream().mapToInt(Integer::intValue).toArray(), serials.toArray(new String[0]),
                    days.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static int day(String s) {
        try {
            return (int) java.time.LocalDate.parse(s.trim()).toEpochDay();
        } catch (java.time.DateTimeException e) {
            return NO_DATE;
        }
    }

    private static double parse(String s) {
        s = s.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("null")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
