package dev.prescient.predict.failure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns SMART columns into model features. Raw counters go through log1p (their scale spans
 * nine decades); normalised values stay as they are. Derived features carry domain knowledge
 * that rare failures cannot teach a model: the total of the reallocation/pending/uncorrectable
 * counters that Backblaze's rule watches, the worst normalised value of those attributes, and
 * the number of missing attributes (a drive that stops reporting is itself suspicious).
 */
public final class FeatureSchema {

    /** SMART ids in Backblaze's rule: reallocated, reported uncorrectable, command timeout, pending, offline uncorrectable. */
    public static final Set<Integer> CRITICAL = Set.of(5, 187, 188, 197, 198);

    /**
     * Attributes that grow with a drive's age or use rather than its health: start/stop count (4),
     * power-on hours (9), power cycles (12), power-off retracts (192), load cycles (193), loaded
     * hours (222), load/unload cycles (225), head flying hours (240), LBAs written/read (241,
     * 242). In files where healthy drives are recorded at a later date than failed ones these
     * counters stand in for the date, so results are reported with and without them.
     */
    public static final Set<Integer> AGE_LIKE = Set.of(4, 9, 12, 192, 193, 222, 225, 240, 241, 242);

    private final List<String> columns;

    public FeatureSchema(List<String> columns) {
        for (String c : columns) {
            if (!c.matches("smart_\\d+_(raw|normalized|growth|peak)")) {
                throw new IllegalArgumentException("not a SMART column name: " + c);
            }
        }
        this.columns = List.copyOf(columns);
    }

    public List<String> columns() {
        return columns;
    }

    public static int id(String column) {
        return Integer.parseInt(column.substring(6, column.indexOf('_', 6)));
    }

    static boolean raw(String column) {
        return column.endsWith("_raw");
    }

    /** Growth of a raw counter over the drive's earlier records ({@link SmartDataset#withGrowth}). */
    static boolean growth(String column) {
        return column.endsWith("_growth");
    }

    /** Recent peak of a raw counter ({@link SmartDataset#withRecentPeak}). */
    static boolean peak(String column) {
        return column.endsWith("_peak");
    }

    public int size() {
        return columns.size() + 3;
    }

    public List<String> featureNames() {
        List<String> n = new ArrayList<>();
        for (String c : columns) {
            n.add(raw(c) || growth(c) || peak(c) ? "log1p(" + c + ")" : c);
        }
        n.add("log1p(sum critical raw)");
        n.add("min critical normalized");
        n.add("missing attributes");
        return n;
    }

    /** Features of one row given in {@link #columns()} order; NaN = not reported. */
    public double[] features(double[] row) {
        if (row.length != columns.size()) {
            throw new IllegalArgumentException("row has " + row.length + " values, schema " + columns.size());
        }
        double[] f = new double[size()];
        double critSum = 0;
        boolean anyCritRaw = false;
        double critMin = Double.NaN;
        int missing = 0;
        for (int i = 0; i < row.length; i++) {
            String c = columns.get(i);
            double v = row[i];
            if (Double.isNaN(v)) {
                missing++;
                f[i] = Double.NaN;
                continue;
            }
            boolean crit = CRITICAL.contains(id(c));
            if (raw(c)) {
                f[i] = Math.log1p(Math.max(0, v));
                if (crit) {
                    critSum += Math.max(0, v);
                    anyCritRaw = true;
                }
            } else if (growth(c) || peak(c)) {
                f[i] = Math.log1p(Math.max(0, v));
            } else {
                f[i] = v;
                if (crit) {
                    critMin = Double.isNaN(critMin) ? v : Math.min(critMin, v);
                }
            }
        }
        int k = row.length;
        f[k] = anyCritRaw ? Math.log1p(critSum) : Double.NaN;
        f[k + 1] = critMin;
        f[k + 2] = missing;
        return f;
    }

    void writeState(DataOutput out) throws IOException {
        out.writeShort(columns.size());
        for (String c : columns) {
            out.writeUTF(c);
        }
    }

    static FeatureSchema readState(DataInput in) throws IOException {
        int n = in.readShort();
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add(in.readUTF());
        }
        try {
            return new FeatureSchema(c);
        } catch (IllegalArgumentException e) {
            throw new FailureModelException("corrupt feature schema: " + e.getMessage());
        }
    }
}
