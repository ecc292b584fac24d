package dev.prescient.csi.agent;

import dev.prescient.engine.heat.HeatSnapshot;
import dev.prescient.engine.heat.IoOp;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Node I/O health from the engines' heat snapshots: read and write latency p99 and the error rate over a fixed
 * recent window (the last {@code window} of engine time). The engines count latencies in log2 buckets and errors
 * cumulatively, so each report differences the newest snapshot of a replica against the one taken at the start of
 * the window. The window is kept per replica, not per caller: the failure predictor and the planner both ask for
 * health, and differencing against "the previous call" would split the I/O between them, each seeing a part (or
 * nothing, when a snapshot had not changed since the other's call). An engine seen for the first time (or
 * restarted, counters lower than before) contributes everything it counted so far.
 */
public final class EngineHealth {

    /** What one report says. Latencies in microseconds (0 when there was no I/O of that kind). */
    public record Report(double readP99Micros, double writeP99Micros, double errorsPerSecond, long errorsTotal) {
    }

    /** The node's report and one per group (tier) of replicas. */
    public record Reports(Report node, Map<String, Report> byGroup) {
    }

    private record Seen(long takenAtMillis, long[][] latency, long errors) {
    }

    private static final class History {
        final Deque<Seen> snapshots = new ArrayDeque<>();
    }

    private final long windowMillis;
    private final Map<String, History> histories = new HashMap<>();

    public EngineHealth() {
        this(Duration.ofSeconds(60));
    }

    public EngineHealth(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("health window must be positive, got " + window);
        }
        this.windowMillis = window.toMillis();
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    /** @param snapshots the latest snapshot per replica (or front-end engine) this node serves */
    public Report report(Map<String, HeatSnapshot> snapshots) {
        return reports(snapshots, Map.of()).node();
    }

    /**
     * The node's report over all snapshots and one report per group ({@code groupOf}: replica -> tier); replicas
     * without a group count for the node only.
     */
    public synchronized Reports reports(Map<String, HeatSnapshot> snapshots, Map<String, String> groupOf) {
        Acc node = new Acc();
        Map<String, Acc> groups = new TreeMap<>();
        long newest = snapshots.values().stream().mapToLong(HeatSnapshot::takenAtMillis).max().orElse(0);
        for (var e : snapshots.entrySet()) {
            Delta d = delta(e.getKey(), e.getValue(), newest);
            node.add(d);
            String g = groupOf.get(e.getKey());
            if (g != null) {
                groups.computeIfAbsent(g, k -> new Acc()).add(d);
            }
        }
        // A replica not reported for two windows was deleted or moved away; a brief read failure is not that.
        histories.entrySet().removeIf(h -> !snapshots.containsKey(h.getKey())
                && newest - h.getValue().snapshots.peekLast().takenAtMillis() > 2 * windowMillis);
        Map<String, Report> byGroup = new TreeMap<>();
        groups.forEach((g, a) -> byGroup.put(g, a.report()));
        return new Reports(node.report(), byGroup);
    }

    private record Delta(long[] read, long[] write, long errors, double seconds, long errorsTotal) {
    }

    private Delta delta(String id, HeatSnapshot s, long newest) {
        long errs = s.errors().values().stream().mapToLong(Long::longValue).sum();
        History h = histories.computeIfAbsent(id, k -> new History());
        Seen last = h.snapshots.peekLast();
        if (last != null && (errs < last.errors() || lower(s.latencyBuckets(), last.latency()))) {
            h.snapshots.clear(); // the engine restarted: its counters began again
            last = null;
        }
        if (last == null || s.takenAtMillis() > last.takenAtMillis()) {
            h.snapshots.addLast(new Seen(s.takenAtMillis(), s.latencyBuckets(), errs));
        }
        // Keep as the front the newest snapshot at or before the window's start: the baseline.
        long start = h.snapshots.peekLast().takenAtMillis() - windowMillis;
        while (h.snapshots.size() > 2) {
            var it = h.snapshots.iterator();
            it.next();
            if (it.next().takenAtMillis() <= start) {
                h.snapshots.removeFirst();
            } else {
                break;
            }
        }
        Seen now = h.snapshots.peekLast();
        if (newest - now.takenAtMillis() > windowMillis) {
            // An engine whose snapshot stopped changing (stopped or stuck) has no I/O in the window.
            return new Delta(new long[32], new long[32], 0, 0, errs);
        }
        Seen base = h.snapshots.size() > 1 ? h.snapshots.peekFirst() : null;
        long[] read = new long[32];
        long[] write = new long[32];
        add(read, now.latency(), base == null ? null : base.latency(), IoOp.READ);
        add(write, now.latency(), base == null ? null : base.latency(), IoOp.WRITE);
        return new Delta(read, write, base == null ? now.errors() : now.errors() - base.errors(),
                base == null ? 0 : (now.takenAtMillis() - base.takenAtMillis()) / 1000.0, errs);
    }

    private static final class Acc {
        final long[] read = new long[32];
        final long[] write = new long[32];
        long errors;
        long errorsTotal;
        double seconds;

        void add(Delta d) {
            for (int b = 0; b < 32; b++) {
                read[b] += d.read()[b];
                write[b] += d.write()[b];
            }
            errors += d.errors();
            errorsTotal += d.errorsTotal();
            seconds = Math.max(seconds, d.seconds());
        }

        Report report() {
            return new Report(p99(read), p99(write), seconds > 0 ? errors / seconds : 0, errorsTotal);
        }
    }

    private static boolean lower(long[][] now, long[][] before) {
        for (int op = 0; op < Math.min(now.length, before.length); op++) {
            for (int b = 0; b < Math.min(now[op].length, before[op].length); b++) {
                if (now[op][b] < before[op][b]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void add(long[] into, long[][] now, long[][] before, IoOp op) {
        int o = op.ordinal();
        if (o >= now.length) {
            return;
        }
        for (int b = 0; b < Math.min(into.length, now[o].length); b++) {
            long base = before != null && o < before.length && b < before[o].length ? before[o][b] : 0;
            into[b] += now[o][b] - base;
        }
    }

    /** The 99th percentile: the middle of the log2 bucket holding it, [2^i, 2^(i+1)) us -> 1.5 * 2^i. */
    static double p99(long[] buckets) {
        long total = 0;
        for (long v : buckets) {
            total += v;
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * 0.99);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return 1.5 * (1L << b);
            }
        }
        return 1.5 * (1L << (buckets.length - 1));
    }
}
