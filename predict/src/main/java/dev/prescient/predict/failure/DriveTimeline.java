package dev.prescient.predict.failure;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The drives behind a {@link SmartDataset}: each row's drive, the day its drive failed and the
 * row's lead time (days from the row to the failure), and a split that keeps time order.
 *
 * <p>A drive failed if any of its rows is labelled 1; its failure day is the last such row (rows
 * after it are dropped). Last-day files hold one row per drive, so every failed row has lead 0
 * and only "failing now" can be measured; files with daily histories give leads up to their
 * length.
 *
 * <p>The split: failed drives are ordered by failure day and the first {@code trainShare} of
 * them train, the rest test (the cutoff is the first test failure day). A healthy drive whose
 * last record is before the cutoff trains. Healthy drives still running at the cutoff cannot be
 * split by time, because these files record each of them only at its end (mostly the last day
 * of the year); they are split by a hash of the serial, so no drive is on both sides.
 */
public final class DriveTimeline {

    /** Rows kept (not after their drive's failure), with lead time; -1 for healthy drives. */
    private final int[] lead;
    private final boolean[] kept;
    private final String[] serials;
    private final int[] days;
    private final Map<String, Integer> failDay = new HashMap<>();
    private final Map<String, Integer> endDay = new HashMap<>();

    public DriveTimeline(SmartDataset d) {
        this(d.serials(), d.days(), d.labels());
    }

    public DriveTimeline(String[] serials, int[] days, int[] labels) {
        if (serials.length != days.length || days.length != labels.length) {
            throw new IllegalArgumentException("serials, days and labels differ in length");
        }
        for (int day : days) {
            if (day == SmartDataset.NO_DATE) {
                throw new IllegalArgumentException("a time-ordered split needs a date on every row");
            }
        }
        this.serials = serials;
        this.days = days;
        for (int i = 0; i < serials.length; i++) {
            endDay.merge(serials[i], days[i], Math::max);
            if (labels[i] == 1) {
                failDay.merge(serials[i], days[i], Math::max);
            }
        }
        failDay.forEach(endDay::put);
        lead = new int[serials.length];
        kept = new boolean[serials.length];
        for (int i = 0; i < serials.length; i++) {
            Integer f = failDay.get(serials[i]);
            lead[i] = f == null ? -1 : f - days[i];
            kept[i] = f == null || days[i] <= f;
        }
    }

    /**
     * Days from the row to its drive's failure; -1 for rows of drives that did not fail (rows
     * after a failure day are negative too, and never returned by {@link #rows}).
     */
    public int lead(int row) {
        return lead[row];
    }

    public boolean failedDrive(int row) {
        return failDay.containsKey(serials[row]);
    }

    /** The longest lead time of any row of a failed drive: the longest horizon the data supports. */
    public int maxLead() {
        int m = -1;
        for (int i = 0; i < lead.length; i++) {
            if (kept[i]) {
                m = Math.max(m, lead[i]);
            }
        }
        return m;
    }

    /**
     * The lead time that at least half the failed drives' histories reach: the horizon the data
     * supports ({@link #maxLead} may come from one drive with a gap in its records).
     */
    public int supportedLead() {
        Map<String, Integer> reach = new HashMap<>();
        for (int i = 0; i < lead.length; i++) {
            if (kept[i] && lead[i] >= 0) {
                reach.merge(serials[i], lead[i], Math::max);
            }
        }
        int[] r = reach.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        return r.length == 0 ? -1 : r[(r.length - 1) / 2];
    }

    public int failedDrives() {
        return failDay.size();
    }

    public int drives() {
        return endDay.size();
    }

    /** The split: which drives train, which test, and the cutoff day between failures. */
    public record Split(int cutoffDay, boolean[] trainRow, boolean[] testRow, int trainFailures, int testFailures) {
    }

    public Split split(double trainShare, double healthyTrainShare) {
        if (!(trainShare > 0 && trainShare < 1) || !(healthyTrainShare > 0 && healthyTrainShare < 1)) {
            throw new IllegalArgumentException("shares must lie strictly between 0 and 1");
        }
        int[] fd = failDay.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        if (fd.length < 2) {
            throw new IllegalArgumentException("need at least two failed drives to split by time");
        }
        int k = Math.min(fd.length - 1, Math.max(1, (int) Math.round(trainShare * fd.length)));
        int cutoff = fd[k];
        boolean[] tr = new boolean[lead.length];
        boolean[] te = new boolean[lead.length];
        Map<String, Boolean> driveTrains = new HashMap<>();
        int trainF = 0;
        int testF = 0;
        for (Map.Entry<String, Integer> e : endDay.entrySet()) {
            String s = e.getKey();
            boolean failed = failDay.containsKey(s);
            boolean trains = e.getValue() < cutoff || (!failed && hashShare(s) < healthyTrainShare);
            driveTrains.put(s, trains);
            if (failed) {
                if (trains) {
                    trainF++;
                } else {
                    testF++;
                }
            }
        }
        for (int i = 0; i < lead.length; i++) {
            if (kept[i]) {
                boolean t = driveTrains.get(serials[i]);
                tr[i] = t;
                te[i] = !t;
            }
        }
        return new Split(cutoff, tr, te, trainF, testF);
    }

    /** A drive's place in [0, 1), fixed by its serial so reruns split the same way. */
    static double hashShare(String serial) {
        CRC32 c = new CRC32();
        c.update(serial.getBytes(StandardCharsets.UTF_8));
        return (c.getValue() % 10_000) / 10_000.0;
    }

    /**
     * Rows for the horizon "fails within {@code horizon} days" among the rows of one side: rows
     * of healthy drives are negatives; rows of failed drives with lead in [minLead, horizon] are
     * positives; rows of failed drives outside that window are left out, neither healthy nor
     * inside the horizon (training uses minLead 0, testing with lead time uses 1, so no test
     * positive is the failure day itself).
     */
    public int[] rows(boolean[] side, int horizon, int minLead) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < side.length; i++) {
            if (side[i] && kept[i] && (!failedDrive(i) || (lead[i] >= minLead && lead[i] <= horizon))) {
                r.add(i);
            }
        }
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Labels of {@link #rows}: 1 for rows of failed drives. */
    public int[] labels(int[] rows) {
        return Arrays.stream(rows).map(i -> failedDrive(i) ? 1 : 0).toArray();
    }

    public int day(int row) {
        return days[row];
    }
}
